/**
 * Embedded PostgreSQL (PGlite) for a laptop with nothing installed: a data directory on disk,
 * served on a loopback port so the worker, the admin endpoint and the `ar` command all use
 * the ordinary PostgreSQL client.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { closeDb, createDb, migrateDb, type Db } from './client';

/**
 * PGlite is one PostgreSQL session. pglite-socket multiplexes connections onto it message by
 * message, so two clients' extended-protocol exchanges can interleave (seen as a SELECT that
 * returns no rows). One pooled connection per process keeps each exchange whole.
 */
export const EMBEDDED_POOL_MAX = 1;

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(opts: { dataDir?: string; port?: number; host?: string } = {}): Promise<EmbeddedDatabase> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create(opts.dataDir);
  const host = opts.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db: pglite, host, port: opts.port ?? 0, maxConnections: 32 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return {
    url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    port,
    async stop() {
      await server.stop();
      // Closing flushes PGlite's files so the next start finds every row.
      await pglite.close();
    },
  };
}

/** An embedded database with migrations applied and a client on it: for commands and tests. */
export async function openEmbeddedDb(opts: { dataDir?: string } = {}): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  const embedded = await startEmbeddedDatabase({ dataDir: opts.dataDir });
  const db = createDb(embedded.url, { max: EMBEDDED_POOL_MAX });
  await migrateDb(db);
  return {
    db,
    url: embedded.url,
    async close() {
      await closeDb(db);
      await embedded.stop();
    },
  };
}
