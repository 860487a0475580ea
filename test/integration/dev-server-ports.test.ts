/**
 * A port picked free can be taken before the dev server binds it (one 100,000-invoice bench:scale
 * run died that way). The server's start says so by name, and the harness picks again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServerOnFreePorts } from '../../dev/harness/dev-server-on-free-ports';
import { freePort } from '../../dev/harness/free-port';
import { DevServerPortTaken, startTemporalDevServer } from '../../dev/stack/temporal-dev-server';
import { temporalBinary } from '../../dev/temporal-binaries';

let taken: Server;
let takenPort: number;
const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-port-race-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  // The harness's readiness probe connects here too (this holder accepts and never answers).
  taken = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the dev server on a port someone else holds', () => {
  it('fails its start as DevServerPortTaken, naming the address', async () => {
    const start = startTemporalDevServer({
      binary: temporalBinary('cli'),
      dataDir: dataDir(),
      address: `127.0.0.1:${takenPort}`,
      uiPort: await freePort(),
      namespace: 'default',
    });
    await expect(start).rejects.toBeInstanceOf(DevServerPortTaken);
    await expect(start).rejects.toThrow(`127.0.0.1:${takenPort}`);
  });

  it('is started on newly picked ports by the harness, and serves there', async () => {
    const picks: number[] = [];
    const server = await startDevServerOnFreePorts(dataDir(), async () => {
      const port = picks.length === 0 ? takenPort : await freePort();
      picks.push(port);
      return port;
    });
    try {
      expect(picks[0]).toBe(takenPort);
      expect(picks).toHaveLength(2);
      expect(server.address).toBe(`127.0.0.1:${picks[1]}`);
      const connection = await Connection.connect({ address: server.address });
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
      await connection.close();
    } finally {
      await server.stop();
    }
  });
});
