/** Serves the admin app on ADMIN_HOST:ADMIN_PORT (port 0 picks a free one). */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApp, type AdminDeps } from './app';

export interface AdminServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export function startAdminServer(deps: AdminDeps): Promise<AdminServer> {
  const app = createAdminApp(deps);
  const { ADMIN_HOST: host, ADMIN_PORT: port } = deps.config;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({
        url: `http://${urlHost(host)}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((res, rej) => {
            server.close((err) => (err ? rej(err) : res()));
            // Idle keep-alive connections would hold close() open.
            server.closeIdleConnections();
          }),
      });
    }) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`ADMIN_PORT=${port}: ${host}:${port} is already in use`) : err),
    );
  });
}
