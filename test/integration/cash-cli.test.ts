/**
 * `ar bank import` and `ar cash list` as a user runs them, against the Temporal dev server, a
 * running worker and this file's PostgreSQL database: the contract scripts rely on (exit codes,
 * the JSON fields), idempotent re-import, and a refused file that stores nothing.
 */
import { runAr, type CliResult } from '../support/cli';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { camt053 } from '../support/bank-files';

let stack: TestStack;
let dir: string;

function ar(...args: string[]): Promise<CliResult> {
  return runAr(
    { DATABASE_URL: stack.database.url, AR_DATA_DIR: dir, TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: stack.taskQueue },
    [...args],
  );
}

const count = async (table: string) => (await stack.db.$client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(path.join(tmpdir(), 'ar-cash-cli-'));
  await stack.seed.policy(stack.db, { autonomy: [{ action: 'cash_match', tiers: ['standard'], mode: 'autonomous', reviewSampleRate: 0 }] });
  await stack.seed.customer(stack.db, { id: 'C1', name: 'Acme GmbH', email: 'ap@acme.example' });
  await stack.seed.invoice(stack.db, { number: 'INV-7001', customerId: 'C1', amountMinor: 99_000, currency: 'EUR', dueDate: '2026-03-01' });
});
afterAll(async () => {
  await stack?.close();
});

describe('ar bank import and ar cash list', () => {
  it('imports and waits, prints the outcomes, and a second import stores nothing new', async () => {
    const file = path.join(dir, 'stmt.xml');
    await writeFile(
      file,
      camt053('CLI-STMT-1', 'EUR', [
        { ref: 'CLI-R1', amount: '990.00', direction: 'credit', payer: 'Acme GmbH', remittance: 'Invoice INV-7001' },
        { ref: 'CLI-R2', amount: '5.00', direction: 'debit', payer: 'Bank', remittance: 'fees' },
      ]),
    );
    const first = await ar('bank', 'import', file, '--wait', '--json');
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out).toMatchObject({ alreadyImported: false, totals: { applied: 1, proposed: 0, unapplied: 0, returnsReversed: 0 } });
    expect(out.workflows).toEqual([
      { statementKey: 'DE89370400440532013000/CLI-STMT-1', workflowId: 'cash-DE89370400440532013000/CLI-STMT-1', started: true },
    ]);

    const before = [await count('bank_transactions'), await count('payments')];
    const again = await ar('bank', 'import', file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('stmt.xml: already imported');
    expect(again.stdout).toContain('already stored; workflow cash-DE89370400440532013000/CLI-STMT-1 already ran');
    expect([await count('bank_transactions'), await count('payments')]).toEqual(before);

    const list = await ar('cash', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout);
    expect(items).toHaveLength(2);
    expect(Object.keys(items[0]).sort()).toEqual(
      [
        'allocations',
        'amount',
        'bookingDate',
        'confidence',
        'currency',
        'direction',
        'entryRef',
        'payer',
        'reasons',
        'remittance',
        'status',
      ].sort(),
    );
    expect(items[0]).toMatchObject({
      entryRef: 'CLI-R1',
      bookingDate: '2026-03-02',
      amount: '990.00',
      currency: 'EUR',
      direction: 'credit',
      payer: 'Acme GmbH',
      remittance: 'Invoice INV-7001',
      status: 'applied',
      allocations: [{ invoiceNumber: 'INV-7001', amount: '990.00' }],
    });
    expect(items[0].confidence).toBeGreaterThanOrEqual(0.95);
    expect(items[1]).toMatchObject({ entryRef: 'CLI-R2', direction: 'debit', status: 'ignored', confidence: null });

    const ignored = JSON.parse(
      (await ar('cash', 'list', '--status', 'ignored', '--statement', 'DE89370400440532013000/CLI-STMT-1', '--json')).stdout,
    );
    expect(ignored.map((i: { entryRef: string }) => i.entryRef)).toEqual(['CLI-R2']);
    expect((await ar('cash', 'list', '--status', 'paid')).code).not.toBe(0);
  });

  it('refuses a bad file whole, storing nothing; --skip-invalid stores the rest and reports the rejected entry', async () => {
    const file = path.join(dir, 'bad.xml');
    await writeFile(
      file,
      camt053('CLI-STMT-2', 'EUR', [
        { ref: 'CLI-G1', amount: '10.00', direction: 'credit', remittance: 'x' },
        { ref: 'CLI-B1', amount: '1O.00', direction: 'credit' },
      ]),
    );
    const before = [await count('bank_files'), await count('bank_statements'), await count('bank_transactions')];
    const refused = await ar('bank', 'import', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bad.xml, Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt: is not a decimal amount');
    expect(refused.stderr).toContain('(value: "1O.00")');
    expect(refused.stderr).toContain('REFUSED — nothing was stored');
    expect([await count('bank_files'), await count('bank_statements'), await count('bank_transactions')]).toEqual(before);

    const skipped = await ar('bank', 'import', file, '--skip-invalid');
    expect(skipped.code, skipped.stderr).toBe(2);
    expect(skipped.stdout).toContain('rejected Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt: is not a decimal amount');
    expect(await count('bank_transactions')).toBe(before[2]! + 1);

    const cut = path.join(dir, 'cut.xml');
    await writeFile(cut, camt053('CLI-STMT-3', 'EUR', [{ ref: 'X', amount: '1.00', direction: 'credit' }]).slice(0, 300));
    const truncated = await ar('bank', 'import', cut);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('cut.xml');
  });
});
