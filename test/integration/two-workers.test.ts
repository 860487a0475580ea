/**
 * Issue 15: more workers on the same task queue are how the system grows past one box. Two
 * Worker instances (separate identities) on one task queue, a real dev server and PostgreSQL:
 * invoices propose, people approve, and both workers must have done part of the work (read from
 * the histories' WorkflowTaskStarted and ActivityTaskStarted identities) while every effect
 * happens once: one outbox row and one send per approved reminder, one audit row each.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArWorker } from '../../apps/worker/create-worker';
import { decideProposalUpdate } from '../../collections/messages';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { IMMEDIATE_POLICY } from '../../dev/harness/admin-stack';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { createDevServerEnv } from '../../dev/harness/temporal';
import { historyOrNone } from '../../dev/harness/history-or-none';
import { waitFor } from '../../dev/harness/wait';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createDevLogSender } from '../../outreach/channels/email';

const N = 12;
const TASK_QUEUE = 'ar-two-workers';
const IDENTITIES = ['ar-worker-a', 'ar-worker-b'];

let env: Awaited<ReturnType<typeof createDevServerEnv>>;
let database: TestDatabase;
const workers: { worker: Worker; running: Promise<void>; connection: NativeConnection }[] = [];
// Every call to the email channel, from either worker: a key sent twice would show here.
const sends: string[] = [];

beforeAll(async () => {
  [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  const email = createDevLogSender((line) => sends.push(line.match(/key=(\S+)/)![1]!));
  for (const identity of IDENTITIES) {
    // A connection each, as two worker processes would have: the SDK refuses two workers of one
    // task queue on the same connection.
    const connection = await NativeConnection.connect({ address: env.address });
    const worker = await createArWorker({
      connection,
      taskQueue: TASK_QUEUE,
      db: database.db,
      email,
      client: env.client,
      workerOptions: { identity },
    });
    workers.push({ worker, running: worker.run(), connection });
  }
});
afterAll(async () => {
  for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
  await Promise.all(workers.map((w) => w.running.catch(() => undefined)));
  await Promise.all(workers.map((w) => w.connection.close()));
  await env?.teardown();
  await database?.close();
});

describe('two workers on one task queue', () => {
  it('share the workflow tasks and activities, and every approved reminder goes out exactly once', async () => {
    const db = database.db;
    await seedPolicy(db, IMMEDIATE_POLICY);
    const today = new Date().toISOString().slice(0, 10);
    const numbers = Array.from({ length: N }, (_, i) => `TW-${String(i + 1).padStart(2, '0')}`);
    for (const n of numbers) {
      await seedCustomer(db, { id: `C-${n}`, email: `ap@${n.toLowerCase()}.example` });
      await seedInvoice(db, { number: n, customerId: `C-${n}`, amountMinor: 90_000, dueDate: addDays(today, -2) });
    }
    await syncInvoiceWorkflows(env.client, db, createBuiltinLedger(db), { taskQueue: TASK_QUEUE });

    const pending = await waitFor(
      async () => {
        const rows = await db.select().from(schema.proposals).where(eq(schema.proposals.status, 'pending'));
        return rows.length === N ? rows : null;
      },
      { tries: 900, what: `${N} pending proposals` },
    );
    // All at once, so both workers have tasks to take.
    const outcomes = await Promise.all(
      pending.map((p) =>
        env.client.workflow
          .getHandle(p.workflowId)
          .executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] }),
      ),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(N).fill('approved'));

    const sentAudit = () => db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent'));
    await waitFor(async () => (await sentAudit()).length >= N, { tries: 900, what: `${N} reminder_sent audit rows` });
    // Time for a duplicate to appear, were one on its way.
    await new Promise((r) => setTimeout(r, 1500));

    const audit = await sentAudit();
    expect(audit.map((a) => a.invoiceNumber).sort()).toEqual(numbers);
    const outbox = await db.select().from(schema.emailOutbox);
    expect(outbox).toHaveLength(N);
    expect(new Set(outbox.map((o) => o.idempotencyKey)).size).toBe(N);
    expect(outbox.flatMap((o) => o.invoiceNumbers).sort()).toEqual(numbers);
    expect(sends.sort()).toEqual(outbox.map((o) => o.idempotencyKey).sort());
    const [approved] = await db.select({ n: count() }).from(schema.proposals).where(eq(schema.proposals.status, 'approved'));
    expect(approved!.n).toBe(N);

    // Who did the work: the identities the server recorded on every task started.
    const taskIdentities = new Set<string>();
    const activityIdentities = new Set<string>();
    // Each customer's outreach workflow, where there is one: a reminder sent at once from the hand-over has none.
    const workflowIds = [...pending.map((p) => p.workflowId), ...numbers.map((n) => `outreach-C-${n}`)];
    for (const id of workflowIds) {
      const history = id.startsWith('outreach-')
        ? await historyOrNone(env.client, id)
        : await env.client.workflow.getHandle(id).fetchHistory();
      for (const e of history?.events ?? []) {
        if (e.workflowTaskStartedEventAttributes?.identity) taskIdentities.add(e.workflowTaskStartedEventAttributes.identity);
        if (e.activityTaskStartedEventAttributes?.identity) activityIdentities.add(e.activityTaskStartedEventAttributes.identity);
      }
    }
    expect([...taskIdentities].sort()).toEqual(IDENTITIES);
    expect([...activityIdentities].sort()).toEqual(IDENTITIES);
  });
});
