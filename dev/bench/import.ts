/**
 * `npm run bench:import`: how fast is `ar import invoices` on 100,000 rows, against a baseline
 * measured in the same process on the same database: a plain multi-row INSERT of the same rows
 * (1,000 per statement, no CSV, no validation, no upsert). Uses a fresh database on
 * DATABASE_URL's server, else TEST_DATABASE_URL's, else postgres://postgres@127.0.0.1:5432/test,
 * and drops it afterwards. BENCH_ROWS overrides the row count.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { closeDb, createDb, migrateDb } from '../../db/client';
import { readCsv } from '../../ledger/import/csv';
import { importFile } from '../../ledger/import/run';
import { COLUMNS } from '../../ledger/import/schemas';
import { generateLedger, type SyntheticInvoice } from './synthetic-ledger';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const CUSTOMERS = Math.max(1, Math.round(ROWS / 10));

/** The baseline: the same rows, already in memory, as plain multi-row INSERTs of 1,000 rows. */
async function baselineInsert(client: pg.PoolClient, invoices: SyntheticInvoice[]): Promise<void> {
  await client.query('BEGIN');
  for (let i = 0; i < invoices.length; i += 1000) {
    const batch = invoices.slice(i, i + 1000);
    const params: unknown[] = [];
    const values = batch.map((v) => {
      const open = v.openMinor ?? v.amountMinor;
      params.push(
        v.number,
        v.customerId,
        v.currency,
        v.amountMinor,
        open,
        v.issue,
        v.due,
        `PO-${v.number}`,
        'NET30',
        open === 0 ? 'paid' : 'open',
      );
      const b = params.length - 10;
      return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9},$${b + 10})`;
    });
    await client.query(
      `INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date, po_number, terms, status) VALUES ${values.join(',')}`,
      params,
    );
  }
  await client.query('COMMIT');
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

const adminUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `ar_bench_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const db = createDb(url.toString());
const dir = await mkdtemp(path.join(tmpdir(), 'ar-bench-'));
try {
  await migrateDb(db);
  console.log(`Generating ${ROWS.toLocaleString('en-US')} invoices for ${CUSTOMERS.toLocaleString('en-US')} customers in ${dir} …`);
  const data = generateLedger({ rows: ROWS, customers: CUSTOMERS });
  const customersFile = path.join(dir, 'customers.csv');
  const invoicesFile = path.join(dir, 'invoices.csv');
  await writeFile(customersFile, data.customersCsv);
  await writeFile(invoicesFile, data.invoicesCsv);

  const [, parseS] = await timed(() => readCsv(invoicesFile, COLUMNS.invoices));
  const [cust, custS] = await timed(() => importFile(db, 'customers', customersFile));
  const [inv, invS] = await timed(() => importFile(db, 'invoices', invoicesFile));
  const [again, againS] = await timed(() => importFile(db, 'invoices', invoicesFile));
  if (!inv.committed || inv.counts.inserted !== ROWS || again.counts.unchanged !== ROWS || cust.counts.inserted !== CUSTOMERS) {
    throw new Error(
      `unexpected import result: ${JSON.stringify({ cust: cust.counts, inv: inv.counts, again: again.counts, issues: inv.issues.slice(0, 3) })}`,
    );
  }

  await db.$client.query('TRUNCATE invoices CASCADE');
  const client = await db.$client.connect();
  const [, baseS] = await timed(() => baselineInsert(client, data.invoices));
  client.release();

  const rate = (s: number) => `${Math.round(ROWS / s).toLocaleString('en-US')} rows/s`;
  console.log(`
  CSV read + parse only (invoices)              ${parseS.toFixed(2)} s   ${rate(parseS)}
  ar import customers (${CUSTOMERS} rows)          ${custS.toFixed(2)} s
  ar import invoices, first load                ${invS.toFixed(2)} s   ${rate(invS)}
  ar import invoices, unchanged re-import       ${againS.toFixed(2)} s   ${rate(againS)}
  baseline: plain INSERT, 1,000 rows/statement  ${baseS.toFixed(2)} s   ${rate(baseS)}
  import / baseline                             ${(invS / baseS).toFixed(2)}×
`);
} finally {
  await closeDb(db);
  // pool.end() resolves before the server has seen every session go; dropping then would kill a live one.
  for (let i = 0; i < 50; i++) {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [dbName]);
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
