/**
 * A worker killed (SIGKILL) in the middle of a statement, after posting some allocations and
 * before reporting back. Another worker takes the statement over once the posting activity's
 * heartbeat times out: every allocation ends up posted exactly once, and every invoice paid.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArWorker } from '../../apps/worker/create-worker';
import type { CashProgress } from '../../cash/messages';
import { startCashWorkflows } from '../../cash/start';
import { importBankFile } from '../../cash/store';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { createDevServerEnv } from '../../dev/harness/temporal';
import { waitFor } from '../../dev/harness/wait';
import { camt053, type TestEntry } from '../support/bank-files';

const CRASHING_WORKER = fileURLToPath(new URL('../support/cash-crashing-worker.ts', import.meta.url));
const N = 8;
let env: Awaited<ReturnType<typeof createDevServerEnv>>;
let database: TestDatabase;

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
});
afterAll(async () => {
  await env?.teardown();
  await database?.close();
});

describe('a worker killed mid-statement', () => {
  it('finishes on another worker with every allocation posted once', async () => {
    const db = database.db;
    const taskQueue = 'ar-cash-crash';
    await seedPolicy(db, { autonomy: [{ action: 'cash_match', tiers: ['standard'], mode: 'autonomous', reviewSampleRate: 0 }] });
    const entries: TestEntry[] = [];
    for (let i = 1; i <= N; i++) {
      await seedCustomer(db, { id: `K${i}`, name: `Kestrel ${i} Ltd`, email: `ap@k${i}.example` });
      await seedInvoice(db, { number: `INV-K${i}`, customerId: `K${i}`, amountMinor: 10_000 + i, currency: 'EUR', dueDate: '2026-03-01' });
      entries.push({
        ref: `K-R${i}`,
        amount: ((10_000 + i) / 100).toFixed(2),
        direction: 'credit',
        payer: `Kestrel ${i} Ltd`,
        remittance: `INV-K${i}`,
      });
    }

    const child = spawn(process.execPath, ['--import', 'tsx', CRASHING_WORKER, env.address, taskQueue, database.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    const exited = new Promise((r) => child.once('exit', r));
    await waitFor(async () => out.includes('READY'), { tries: 600, what: 'worker A ready' });

    const imported = await importBankFile(db, Buffer.from(camt053('CRASH-1', 'EUR', entries)), {
      fileName: 'crash.xml',
      importedBy: 'test',
    });
    const [start] = await startCashWorkflows(env.client, taskQueue, imported.statements);
    await waitFor(async () => out.includes('POSTED 3'), { tries: 600, what: 'worker A mid-statement' });
    child.kill('SIGKILL');
    await exited;

    const workerB = await createArWorker({ connection: env.nativeConnection, taskQueue, db, client: env.client });
    const runB = workerB.run();
    try {
      const progress = (await env.client.workflow.getHandle(start!.workflowId).result()) as CashProgress;
      // Worker B found the three that worker A posted already posted, and posted the rest.
      expect(progress).toMatchObject({ phase: 'done', decided: { applied: N }, refused: [] });
      expect(progress.posted + progress.alreadyPosted).toBe(N);
      expect(progress.alreadyPosted).toBeGreaterThanOrEqual(3);
      const apps = await db.$client.query(
        `SELECT invoice_number, count(*)::int AS n, sum(amount_minor)::int8 AS total FROM payment_applications GROUP BY invoice_number ORDER BY invoice_number`,
      );
      expect(apps.rows).toHaveLength(N);
      expect(apps.rows.every((r) => r.n === 1)).toBe(true);
      const open = await db.$client.query(`SELECT count(*)::int AS n FROM invoices WHERE status = 'paid' AND open_minor = 0`);
      expect(open.rows[0].n).toBe(N);
      const audit = await db.$client.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'cash_applied'`);
      expect(audit.rows[0].n).toBe(N);
    } finally {
      workerB.shutdown();
      await runB;
    }
  });
});
