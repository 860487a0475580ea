/**
 * A worker dies in the middle of delivering an email (after the provider accepted it, before the
 * activity reported back). Another worker retries the step: the customer must not get a second,
 * different email. The outbox key is derived from the workflow and step, so the retry reuses the
 * same row and sends with the same Resend Idempotency-Key (Resend delivers a key once).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResendSender } from '../../outreach/channels/email';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createArWorker } from '../../apps/worker/create-worker';
import { decideProposalUpdate, invoiceStateQuery } from '../../collections/messages';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { startResendServer } from '../support/resend-server';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { createTimeSkippingEnv } from '../../dev/harness/temporal';
import { serverToday, waitFor } from '../../dev/harness/wait';

const CRASHING_WORKER = fileURLToPath(new URL('../support/crashing-worker.ts', import.meta.url));
let env: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
let database: TestDatabase;
let resend: Awaited<ReturnType<typeof startResendServer>>;

beforeAll(async () => {
  [env, database, resend] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startResendServer()]);
});
afterAll(async () => {
  await env?.teardown();
  await database?.close();
  await resend?.close();
});

describe('a worker killed mid-step', () => {
  it('sends no duplicate email when another worker retries the delivery', async () => {
    const db = database.db;
    const taskQueue = 'ar-crash';
    const real = createResendSender('re_test_key', { baseUrl: resend.baseUrl });
    // Worker A runs in its own process, so it can be killed for real (SIGKILL: no clean-up at all).
    const child = spawn(process.execPath, ['--import', 'tsx', CRASHING_WORKER, env.address, taskQueue, database.url, resend.baseUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    const exited = new Promise((r) => child.once('exit', r));
    await waitFor(async () => out.includes('READY'), { tries: 600, what: 'worker A ready' });

    await seedCustomer(db, { id: 'WK', email: 'ap@wk.example' });
    // No batching delay: delivery starts at approval, and this test runs in real time from there.
    await seedPolicy(db, { batchWindowMinutes: 0, sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false } });
    await seedInvoice(db, { number: 'WK-1', customerId: 'WK', amountMinor: 42_000, dueDate: addDays(await serverToday(env), 5) });
    const h = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-WK-1',
      taskQueue,
      args: [{ invoiceNumber: 'WK-1', customerId: 'WK' }],
    });
    const p = await waitFor(async () => (await h.query(invoiceStateQuery)).pendingProposal, { env, advance: '6 hours', what: 'proposal' });
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    // No time skipping while an activity runs: poll in real time.
    await waitFor(async () => out.includes('SENT'), { tries: 600, what: 'worker A mid-delivery' });
    child.kill('SIGKILL');
    await exited;

    // Worker B takes over after the activity's start-to-close timeout.
    const workerB = await createArWorker({ connection: env.nativeConnection, taskQueue, db, email: real, client: env.client });
    const runB = workerB.run();
    try {
      const outbox = await waitFor(
        async () => {
          const [row] = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, 'WK'));
          return row?.status === 'sent' ? row : null;
        },
        { tries: 900, what: 'delivery by worker B after the 30 s start-to-close timeout' },
      );
      const rows = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, 'WK'));
      expect(rows).toHaveLength(1);
      // Every call to the provider for this step carried the same key: Resend sends it once.
      const keys = new Set(resend.received.filter((r) => r.body.to.includes('ap@wk.example')).map((r) => r.idempotencyKey));
      expect([...keys]).toEqual([outbox.idempotencyKey]);
      expect(outbox.idempotencyKey).toBe('outreach-WK/invoice-WK-1/heads-up');
      // And one audit row records the send (written by the activity after the delivery).
      const sent = await waitFor(
        async () => {
          const r = (await db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent'))).filter(
            (a) => a.invoiceNumber === 'WK-1',
          );
          return r.length ? r : null;
        },
        { what: 'the reminder_sent audit row' },
      );
      expect(sent).toHaveLength(1);
    } finally {
      workerB.shutdown();
      await runB;
    }
  });
});
