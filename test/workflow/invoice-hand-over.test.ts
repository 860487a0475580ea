/**
 * The hand-over to outreach on 'lean-lifecycle': the invoice's awaitReminderDelivery activity
 * signals outreach and is completed by it (its task token travels with the request): with the
 * delivery when it sends at once, with "queued" when it must hold the message (then the delivery
 * comes as a signal); a reminder no longer needed is withdrawn, and the withdrawal completes the
 * activity if it is still open. Time-skipping server,
 * real worker, PostgreSQL. (Outreach re-checks a held switch every 10 minutes; the tests let time pass.)
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../apps/worker/activities';
import { decideProposalUpdate, type HandOverAnswer } from '../../collections/messages';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createDevLogSender } from '../../outreach/channels/email';
import type { ReminderRequest } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { holdSends, releaseSends } from '../../outreach/kill-switch';
import {
  actionSeen,
  eventsOfType,
  nextProposal,
  outboxFor,
  pay,
  proposalRow,
  startInvoice,
  state,
  waitForOutbox,
} from '../support/invoice';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await releaseSends(stack.db, { by: 'test' }).catch(() => undefined);
  await stack?.close();
});

const PROBE_WORKFLOW = fileURLToPath(new URL('../support/hand-over-probe-workflow.ts', import.meta.url));

type HistoryEvent = {
  activityTaskScheduledEventAttributes?: {
    activityType?: { name?: string | null } | null;
    input?: { payloads?: Parameters<typeof defaultPayloadConverter.fromPayload>[0][] | null } | null;
  } | null;
};
const scheduledNames = (events: HistoryEvent[]) =>
  eventsOfType(events, 'activityTaskScheduled').map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);

describe('invoice workflow: the hand-over completed by the delivery', () => {
  it('learns a delivery sent at once as the hand-over activity result, with no signal', async () => {
    const { db, seed } = stack;
    await seed.customer(db, { id: 'HO0', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'HO-0', customerId: 'HO0', dueInDays: 3 });
    const p = await nextProposal(stack, h);
    const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    expect(outcome.outcome).toBe('approved');
    // Answered once its row is written: the same local activity as the re-read before sending.
    expect((await proposalRow(stack, p.id)).status).toBe('approved');
    await waitForOutbox(stack, 'HO0', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    const events = (await h.fetchHistory()).events ?? [];
    expect(eventsOfType(events, 'workflowExecutionSignaled')).toHaveLength(0);
    expect(scheduledNames(events)).toContain('awaitReminderDelivery');
    expect(eventsOfType(events, 'activityTaskCompleted').length).toBeGreaterThan(0);
  });

  it('answers a hand-over retried after its reminder went out, so the retry does not stay open', async () => {
    const { env, db, seed } = stack;
    await seed.customer(db, { id: 'HO3', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'HO-3', customerId: 'HO3', dueInDays: 3 });
    const p = await nextProposal(stack, h);
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    await waitForOutbox(stack, 'HO3', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    // The request the invoice handed over, as a retried attempt would hand it over again.
    const scheduled = eventsOfType((await h.fetchHistory()).events ?? [], 'activityTaskScheduled').find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitReminderDelivery',
    );
    const input = defaultPayloadConverter.fromPayload<{ customerId: string; request: ReminderRequest }>(
      scheduled!.activityTaskScheduledEventAttributes!.input!.payloads![0]!,
    );
    // A real attempt of the activity (its own task token), on a worker of its own.
    const { awaitReminderDelivery } = createActivities({
      db,
      ledger: createBuiltinLedger(db),
      email: createDevLogSender(() => undefined),
      temporal: async () => env.client,
      taskQueue: stack.taskQueue,
      emailFrom: 'ar@example.com',
    });
    const probeQueue = `${stack.taskQueue}-probe`;
    const probe = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: probeQueue,
      workflowsPath: PROBE_WORKFLOW,
      activities: { awaitReminderDelivery },
    });
    const answer = await probe.runUntil(async () => {
      const retried = await env.client.workflow.start('handOverProbeWorkflow', {
        taskQueue: probeQueue,
        workflowId: `hand-over-probe-${input.request.requestId}`,
        args: [input],
      });
      // The time-skipping server does not skip while an activity is open: a retry left unanswered
      // would wait out this deadline, not an hour.
      const result = await Promise.race([
        retried.result() as Promise<HandOverAnswer>,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
      ]);
      if (result === null) await retried.terminate('unanswered');
      return result;
    });
    expect(answer).toMatchObject({ requestId: input.request.requestId, queued: true });
    expect(answer && 'detail' in answer ? answer.detail : '').toMatch(/delivered before/);
    // Nothing went out twice.
    expect(await outboxFor(stack, 'HO3')).toHaveLength(1);
  });

  it('is told "queued" at once while sends are held, and learns the delivery by signal after', async () => {
    const { env, db, seed } = stack;
    await seed.customer(db, { id: 'HO1', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'HO-1', customerId: 'HO1', dueInDays: 3 });
    const p = await nextProposal(stack, h);
    await holdSends(db, { by: 'test', reason: 'hand-over test' });
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    expect((await state(h)).stage).toMatch(/approved, queued/);
    // Outreach answers the hand-over as soon as it holds the message: no activity stays open.
    await waitFor(
      async () => {
        const events = (await h.fetchHistory()).events ?? [];
        return eventsOfType(events, 'activityTaskCompleted').length > 0 ? true : null;
      },
      { what: 'HO-1 hand-over answered' },
    );
    await env.sleep('14 hours');
    expect(await outboxFor(stack, 'HO1')).toHaveLength(0);
    expect((await state(h)).stage).toMatch(/approved, queued/);
    await releaseSends(db, { by: 'test' });
    await waitForOutbox(stack, 'HO1', 1);
    const s = await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    expect(s.stage).not.toMatch(/queued/);
    const events = (await h.fetchHistory()).events ?? [];
    expect(eventsOfType(events, 'workflowExecutionSignaled')).toHaveLength(1);
    expect(await outboxFor(stack, 'HO1')).toHaveLength(1);
  });

  it('closes the hand-over and withdraws the request when the invoice is paid meanwhile', async () => {
    const { env, db, seed } = stack;
    await seed.customer(db, { id: 'HO2', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'HO-2', customerId: 'HO2', dueInDays: 3 });
    const p = await nextProposal(stack, h);
    await holdSends(db, { by: 'test', reason: 'hand-over test' });
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    await pay(stack, h, { paymentId: 'PAY-HO-2', invoiceNumber: 'HO-2', customerId: 'HO2', amountMinor: 100_000 });
    await waitFor(async () => ((await h.describe()).status.name === 'COMPLETED' ? true : null), { what: 'HO-2 closed' });
    await releaseSends(db, { by: 'test' });
    await env.sleep('1 hour');

    const events = (await h.fetchHistory()).events ?? [];
    // No cancel command (it could race outreach's answer): the hand-over was answered, by outreach
    // ("queued") or by the withdrawal, so no retry of it can hand the reminder over again.
    expect(eventsOfType(events, 'activityTaskCancelRequested')).toHaveLength(0);
    expect(eventsOfType(events, 'activityTaskCompleted').length).toBeGreaterThanOrEqual(2);
    expect(scheduledNames(events)).toContain('withdrawReminder');
    expect(await outboxFor(stack, 'HO2')).toHaveLength(0);
    const done = await h.result();
    expect(done.status).toBe('paid');
    expect(done.remindersSent).toBe(0);
  });
});
