/**
 * A fresh database for each test file run: a new PostgreSQL database on TEST_DATABASE_URL's
 * server (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards, so runs never
 * collide. Without a reachable server, and only outside CI, it falls back to embedded PGlite and says so.
 */
import pg from 'pg';
import { closeDb, createDb, migrateDb, type Db } from '../../db/client';
import { openEmbeddedDb } from '../../db/embedded';
import { START_DEADLINES_MS, startedWithin } from './started';

export interface TestDatabase {
  db: Db;
  url: string;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export function createTestDatabase(): Promise<TestDatabase> {
  const where = new URL(process.env.TEST_DATABASE_URL ?? DEFAULT_URL);
  return startedWithin(
    `the PostgreSQL test database on ${where.host} (created and migrated)`,
    START_DEADLINES_MS.database,
    openTestDatabase(),
    (late) => late.close(),
  );
}

async function openTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_URL;
  if (await reachable(adminUrl)) {
    const name = `ar_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    const db = createDb(url);
    await migrateDb(db);
    return {
      db,
      url,
      kind: 'postgres',
      async close() {
        await closeDb(db);
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await a.end();
      },
    };
  }
  if (process.env.CI) {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl}; CI always tests against the real server (.ci/run starts it).`);
  }
  console.warn(`[test] PostgreSQL not reachable at ${adminUrl}: falling back to embedded PGlite for this run.`);
  return { ...(await openEmbeddedDb()), kind: 'pglite' };
}
