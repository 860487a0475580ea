/**
 * A Temporal dev server a fault test can kill outright (SIGKILL) and start again on the same
 * address and the same SQLite file, so the workflows' state survives, as a real server's
 * persistence does across a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTemporalDevServer, type DevServer } from '../stack/temporal-dev-server';
import { temporalBinary } from '../temporal-binaries';
import { startDevServerOnFreePorts } from './dev-server-on-free-ports';

export interface RestartableTemporal {
  address: string;
  /** SIGKILL to the server: no clean shutdown, whatever was in flight is cut off. */
  kill(): Promise<void>;
  /** Starts it again on the same address and database file; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableTemporal(): Promise<RestartableTemporal> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ar-fault-temporal-'));
  let server: DevServer | null = await startDevServerOnFreePorts(dataDir);
  // A restart binds the same ports: the clients and the worker hold this address.
  const { address, uiPort } = server;
  const boot = () => startTemporalDevServer({ binary: temporalBinary('cli'), dataDir, address, uiPort, namespace: 'default' });
  return {
    address,
    async kill() {
      if (!server) return;
      const pid = server.pid;
      server = null;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      // Until it is gone, a new server could not bind the port.
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    },
    async start() {
      if (!server) server = await boot();
    },
    async stop() {
      await server?.stop();
      server = null;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
