/**
 * The kill switch on the real stack: while `sends` are paused, approved reminders of every
 * customer wait in their outreach workflows (the Temporal UI shows why); they stay held across a
 * worker restart, and after resume each goes out exactly once: nothing lost, nothing doubled.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArWorker } from '../../apps/worker/create-worker';
import { schema } from '../../db/client';
import { outreachStateQuery } from '../../outreach/messages';
import { outreachWorkflowId } from '../../temporal/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';

let s: AdminStack;
let replacement: { worker: Worker; running: Promise<void> } | null = null;
const INVOICES = ['KS-1', 'KS-2'];

beforeAll(async () => {
  s = await startAdminStack();
  await s.seedOverdueInvoices(INVOICES);
  await s.syncWorkflows();
});
afterAll(async () => {
  if (replacement) {
    replacement.worker.shutdown();
    await replacement.running.catch(() => undefined);
  }
  await s?.close();
});

const outbox = (n: string) =>
  s.stack.db
    .select()
    .from(schema.emailOutbox)
    .where(sql`${schema.emailOutbox.invoiceNumbers} @> ${JSON.stringify([n])}::jsonb`);
const sentAudit = (n: string) =>
  s.stack.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.invoiceNumber, n), eq(schema.auditLog.action, 'reminder_sent')));
const outreach = (n: string) => s.stack.env.client.workflow.getHandle(outreachWorkflowId(`C-${n}`));

/** Every outreach workflow holds its reminder because of the switch. */
async function allHeld(): Promise<void> {
  for (const n of INVOICES)
    await waitFor(
      async () => {
        try {
          const st = await outreach(n).query(outreachStateQuery);
          return st.sendsHeld && st.queued.length === 1 ? st : null;
        } catch {
          return null;
        }
      },
      { tries: 600, what: `outreach of ${n} holding its reminder` },
    );
}

describe('the kill switch', () => {
  it('holds every message across a worker restart and releases each exactly once after resume', async () => {
    expect((await s.http('POST', '/api/sends/pause', { as: 'alice', body: { reason: 'x' } })).status).toBe(403);
    expect((await s.http('POST', '/api/sends/pause', { as: 'ada', body: {} })).status).toBe(400);
    const paused = await s.http('POST', '/api/sends/pause', { as: 'ada', body: { reason: 'bounce spike at the provider' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ held: true, reason: 'bounce spike at the provider', by: 'ada' });
    expect((await s.http('GET', '/healthz')).body).toMatchObject({
      ok: true,
      sends: 'held',
      sendsHeld: { reason: 'bounce spike at the provider', by: 'ada' },
    });
    expect((await s.http('GET', '/api/sends', { as: 'vic' })).body.held).toBe(true);

    for (const n of INVOICES) {
      const p = await s.pendingProposal(n);
      expect((await s.http('POST', `/api/approvals/${encodeURIComponent(p.id)}/approve`, { as: 'alice', body: {} })).status).toBe(200);
    }
    await allHeld();
    for (const n of INVOICES) expect(await outbox(n)).toHaveLength(0);

    // The Temporal UI shows why: the outreach timer's summary names the switch.
    const history = await outreach('KS-1').fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.timerStartedEventAttributes && e.userMetadata?.summary)
      .map((e) => String(defaultPayloadConverter.fromPayload(e.userMetadata!.summary as Payload)));
    expect(
      summaries.some((t) => /^sends paused by ada since .+: bounce spike at the provider \(holding 1 message\(s\) for C-KS-1\)$/.test(t)),
    ).toBe(true);

    // The worker goes away and another takes its place: the hold is in the workflows, not in memory.
    s.stack.worker.shutdown();
    await waitFor(async () => s.stack.worker.getState() === 'STOPPED', { tries: 600, what: 'the first worker to stop' });
    const worker = await createArWorker({
      connection: s.stack.env.nativeConnection,
      namespace: s.stack.env.namespace ?? 'default',
      taskQueue: s.stack.taskQueue,
      db: s.stack.db,
      client: s.stack.env.client,
    });
    replacement = { worker, running: worker.run() };
    await allHeld();
    await new Promise((r) => setTimeout(r, 2000));
    for (const n of INVOICES) expect(await outbox(n)).toHaveLength(0);

    const resumed = await s.http('POST', '/api/sends/resume', { as: 'ada', body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ held: false, by: 'ada' });
    expect(resumed.body.woken).toBeGreaterThanOrEqual(2);
    for (const n of INVOICES)
      await waitFor(async () => ((await sentAudit(n)).length > 0 ? true : null), { tries: 600, what: `the reminder of ${n} to go out` });
    // Nothing doubled: give a duplicate the time to show up, then count.
    await new Promise((r) => setTimeout(r, 3000));
    for (const n of INVOICES) {
      expect(await outbox(n)).toHaveLength(1);
      expect(await sentAudit(n)).toHaveLength(1);
      expect((await outreach(n).query(outreachStateQuery)).sendsHeld).toBeNull();
    }
    expect((await s.http('GET', '/healthz')).body.sends).toBe('flowing');
  });
});
