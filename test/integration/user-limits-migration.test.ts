/**
 * Migration 0005 (approval limits per currency) on a database that already has users: each
 * user's single limit becomes their limit in that currency, nothing is lost, and the new table
 * refuses bad states. Real PostgreSQL: the database is migrated to 0004, filled, then migrated on.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByToken, hashToken, listUsers } from '../../access/users';
import { closeDb, createDb, migrateDb, type Db } from '../../db/client';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MIGRATIONS = path.resolve('db/migrations');
const BEFORE = '0004_by_invoice_indexes';

let name: string;
let db: Db;
let tmp: string;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  name = `ar_test_mig_${process.pid}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  db = createDb(u.toString());
  // The migrations as they were before 0005: the same files, the journal cut after 0004.
  tmp = mkdtempSync(path.join(tmpdir(), 'ar-migrations-'));
  cpSync(MIGRATIONS, tmp, { recursive: true });
  const journalPath = path.join(tmp, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === BEFORE);
  expect(cut).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, cut + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  await migrate(drizzle(db.$client), { migrationsFolder: tmp });
});

afterAll(async () => {
  if (db) await closeDb(db);
  if (name) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('migration 0005: approval limits per currency', () => {
  it("keeps every user's single limit, as their limit in that currency", async () => {
    const q = (sql: string, params: unknown[] = []) => db.$client.query(sql, params);
    await q(`INSERT INTO users (name, role, limit_currency, limit_minor) VALUES
      ('alice', 'approver', 'USD', 500000),
      ('kenji', 'approver', 'JPY', 100000),
      ('bahrain', 'approver', 'BHD', 1234567),
      ('uma', 'approver', NULL, NULL),
      ('half', 'approver', 'EUR', NULL),
      ('ada', 'admin', NULL, NULL),
      ('vera', 'viewer', NULL, NULL)`);
    await q(`INSERT INTO api_tokens (user_id, token_hash) SELECT id, $1 FROM users WHERE name = 'alice'`, [hashToken('ar_alice')]);

    await migrateDb(db);

    const columns = await q(`SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name`);
    expect(columns.rows.map((r) => r.column_name)).toEqual(['created_at', 'id', 'name', 'role']);
    expect((await listUsers(db)).map((u) => [u.name, u.limits])).toEqual([
      ['ada', null],
      ['alice', [{ currency: 'USD', minor: 500_000 }]],
      ['bahrain', [{ currency: 'BHD', minor: 1_234_567 }]],
      // A currency without an amount was read as unlimited before, and still is.
      ['half', null],
      ['kenji', [{ currency: 'JPY', minor: 100_000 }]],
      ['uma', null],
      ['vera', null],
    ]);
    // The token still signs alice in, with her limit.
    expect(await findUserByToken(db, 'ar_alice')).toMatchObject({ name: 'alice', limits: [{ currency: 'USD', minor: 500_000 }] });
  });

  it('refuses bad limits in the database itself', async () => {
    const insert = (currency: string, minor: number, user = 'alice') =>
      db.$client.query(`INSERT INTO user_limits (user_id, currency, limit_minor) SELECT id, $2, $3 FROM users WHERE name = $1`, [
        user,
        currency,
        minor,
      ]);
    await expect(insert('EUR', -1)).rejects.toMatchObject({ constraint: 'user_limits_amount_ck' });
    await expect(insert('eur', 100)).rejects.toMatchObject({ constraint: 'user_limits_currency_ck' });
    await expect(insert('USD', 100)).rejects.toMatchObject({ constraint: 'user_limits_user_id_currency_pk' });
    await expect(db.$client.query(`INSERT INTO user_limits (user_id, currency, limit_minor) VALUES (-5, 'USD', 1)`)).rejects.toMatchObject({
      constraint: 'user_limits_user_id_users_id_fk',
    });
    await insert('EUR', 0);
    // Deleting a user deletes their limits.
    await db.$client.query(`DELETE FROM users WHERE name = 'alice'`);
    expect((await db.$client.query(`SELECT count(*)::int AS n FROM user_limits WHERE currency IN ('USD', 'EUR')`)).rows[0].n).toBe(0);
  });
});
