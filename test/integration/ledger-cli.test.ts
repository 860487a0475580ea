/**
 * The `ar` command line end to end: spawned as a user would run it (`npx tsx apps/cli/main.ts`),
 * with DATABASE_URL pointing at this file's test database. Checks exit codes, what it prints and
 * what it leaves in the database.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../insights/readiness';
import { startCliFixture, type CliFixture } from '../support/cli';
import type { TestDatabase } from '../../dev/harness/database';

const FIXTURES = path.resolve('test/fixtures/ledger');
let cli: CliFixture;
let t: TestDatabase;
let dir: string;

const count = async (table: string) => (await t.db.$client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

beforeAll(async () => {
  cli = await startCliFixture('ar-cli-');
  ({ t, dir } = cli);
});
afterAll(async () => {
  await cli?.close();
});
const ar = (...args: string[]) => cli.ar(...args);

describe('ar import and ar readiness', () => {
  it('imports the fixture ledger, refuses a bad file, and is idempotent', async () => {
    const customers = await ar('import', 'customers', path.join(FIXTURES, 'customers.csv'));
    expect(customers).toMatchObject({ code: 0 });
    expect(customers.stdout).toContain('imported customers — 10 inserted, 0 updated, 0 unchanged (10 rows).');

    const bad = await ar('import', 'invoices', path.join(FIXTURES, 'invoices-bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('REFUSED — 11 of 12 rows have problems; nothing was imported.');
    expect(bad.stdout).toContain('row 3, column customer_id: "C999" is not a known customer (import customers first)');
    expect(bad.stdout).toContain('row 9, column amount: "100.5" has decimals, but JPY has no minor unit (whole amounts only)');
    expect(await count('invoices')).toBe(0);

    for (const kind of ['invoices', 'payments']) {
      const r = await ar('import', kind, path.join(FIXTURES, `${kind}.csv`));
      expect(r.code, r.stderr).toBe(0);
    }
    const again = await ar('import', 'invoices', path.join(FIXTURES, 'invoices.csv'));
    expect(again.stdout).toContain('imported invoices — 0 inserted, 0 updated, 30 unchanged (30 rows).');
    expect([await count('invoices'), await count('payments'), await count('payment_applications')]).toEqual([30, 10, 10]);
  });

  it('prints the readiness report as text and as JSON', async () => {
    const text = await ar('readiness', '--as-of', '2025-06-30');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Readiness report as of 2025-06-30: 10 customers, 22 open invoices, 10 payments.');
    expect(text.stdout).toContain('Balances KWD: stated open 3,730.625 KWD, derived 3,730.625 KWD — ties');
    expect(text.stdout).toContain('Pilot: apac, emea, enterprise-us, mena, smb-us');

    const json = await ar('readiness', '--json', '--as-of', '2025-06-30', '--sample', '5');
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as ReadinessReport;
    expect(report.sample).toHaveLength(5);
    expect(report.totalsByCurrency.map((x) => x.currency)).toContain('KWD');
    const every = await ar('readiness', '--json', '--all', '--sample', '5');
    expect(every.code, every.stderr).toBe(0);
    const all = JSON.parse(every.stdout) as ReadinessReport;
    expect(all.sample).toHaveLength(all.totals.openInvoices);
    expect(all.sampled).toEqual({ invoices: all.totals.openInvoices, of: all.totals.openInvoices, all: true });
    const everyText = await ar('readiness', '--all');
    expect(everyText.stdout).toContain(`All ${all.totals.openInvoices} open invoices`);
    expect(report.recommendation.exclude).toEqual([]);
    expect(report.segments.find((s) => s.segment === 'apac')!.tieOut[0]).toMatchObject({
      currency: 'JPY',
      statedOpenMinor: 2_410_000,
      ties: true,
    });
  });

  it('--skip-invalid imports the good rows, writes the rejects file and exits 2', async () => {
    const out = path.join(dir, 'rejects.csv');
    const r = await ar('import', 'invoices', path.join(FIXTURES, 'invoices-bad.csv'), '--skip-invalid', '--rejected-out', out);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('imported invoices — 1 inserted, 0 updated, 0 unchanged, 11 rejected (12 rows).');
    expect(r.stdout).toContain(`Rejected rows, with a reason column, written to ${out}`);
    expect(existsSync(out)).toBe(true);
    expect((await readFile(out, 'utf8')).trimEnd().split('\r\n')).toHaveLength(12);
    expect(await count('invoices')).toBe(31);
  });

  it('refuses a file with an unknown column, and a missing file, with exit code 1', async () => {
    const header = await ar('import', 'customers', path.join(FIXTURES, 'invoices.csv'));
    expect(header.code).toBe(1);
    expect(header.stderr).toContain('REFUSED — nothing was imported.');
    expect(header.stderr).toContain('row 1, column invoice_number: "invoice_number" is not a known column');
    const missing = await ar('import', 'customers', path.join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`ar: file not found: ${path.join(dir, 'nope.csv')}`);
    expect(missing.stderr).not.toContain('ENOENT');
  });

  it('--skip-invalid without --rejected-out writes the rejects into the current folder, not beside the input', async () => {
    // The fixture runs ar from the project folder: that is the current folder here.
    const expected = path.resolve('invoices-bad.rejected.csv');
    try {
      const r = await ar('import', 'invoices', path.join(FIXTURES, 'invoices-bad.csv'), '--skip-invalid');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toContain(`Rejected rows, with a reason column, written to ${expected}`);
      expect(existsSync(expected)).toBe(true);
      expect(existsSync(path.join(FIXTURES, 'invoices-bad.rejected.csv')), 'a rejects file in the fixture folder').toBe(false);
    } finally {
      await rm(expected, { force: true });
    }
  });

  it('--encoding: a Latin-1 file is refused as UTF-8 naming the row, and imported right with --encoding latin1', async () => {
    const file = path.join(dir, 'kunden-latin1.csv');
    await writeFile(file, iconv.encode('customer_id,name,tier\nC-LAT,Café Müller,standard\n', 'latin1'));
    const refused = await ar('import', 'customers', file);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('row 2, column name: "Caf\\\\xE9 M\\\\xFCller" is not valid UTF-8 (byte 0xE9 at position 4)');
    expect(refused.stdout).toContain('--encoding latin1');
    const done = await ar('import', 'customers', file, '--encoding', 'latin1');
    expect(done.code, done.stderr).toBe(0);
    const rows = await t.db.$client.query(`SELECT name FROM customers WHERE id = 'C-LAT'`);
    expect(rows.rows).toEqual([{ name: 'Café Müller' }]);
    const unknown = await ar('import', 'customers', file, '--encoding', 'klingon');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('"klingon" is not a known character encoding');
  });

  it('rejects a bad option value', async () => {
    const r = await ar('readiness', '--as-of', '2025-02-30');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('must be a date YYYY-MM-DD');
  });
});
