/**
 * The hand-over to outreach on 'lean-lifecycle': the invoice's awaitReminderDelivery activity
 * signals outreach and is completed by it (its task token travels with the request): with the
 * delivery when it sends at once, with "queued" when it must hold the message (then the delivery
 * comes as a signal); a reminder no longer needed is withdrawn, and the withdrawal completes the
 * activity if it is still open. Every reminder here goes through outreach (`outreachOnly`): the
 * path that sends one at once from the hand-over is invoice-at-once.test.ts's. Time-skipping server,
 * real worker, PostgreSQL. (Outreach re-checks a held switch every 10 minutes; the tests let time pass.)
 */
import { CompleteAsyncError } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate, type HandOverAnswer } from '../../collections/messages';
import { createDevLogSender, type EmailSender } from '../../outreach/channels/email';
import type { ReminderRequest } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { holdSends, releaseSends } from '../../outreach/kill-switch';
import {
  actionSeen,
  eventsOfType,
  type InvoiceHandle,
  nextProposal,
  outboxFor,
  pay,
  proposalRow,
  startInvoice,
  state,
  waitForOutbox,
} from '../support/invoice';
import { handedOver, handOverProbeWorker, handOverScheduled } from '../support/hand-over-probe';

let stack: TestStack;

/**
 * Faults for two invoices only. HO-5: the first attempt of its hand-over is lost after it started
 * and before its signal left (what a worker killed mid-attempt leaves). HO6: the first email waits
 * at the provider until the test lets it go, so a hand-over can be retried while it is in flight.
 */
const LOST_HAND_OVER = 'invoice-HO-5';
const loseFirstHandOver: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const { activityType, attempt, workflowExecution } = ctx.info;
      if (activityType === 'awaitReminderDelivery' && attempt === 1 && workflowExecution?.workflowId === LOST_HAND_OVER)
        throw new CompleteAsyncError();
      return next(input);
    },
  },
});
const provider = { release: () => {}, held: false };
const devLog = createDevLogSender(() => undefined);
const slowProviderFor = (to: string): EmailSender => ({
  mode: devLog.mode,
  async send(email) {
    if (email.to === to && !provider.held) {
      provider.held = true;
      await new Promise<void>((resolve) => {
        provider.release = resolve;
      });
    }
    return devLog.send(email);
  },
});

beforeAll(async () => {
  stack = await startTestStack({
    timeSkipping: true,
    // These tests are about the hand-over to outreach: nothing is sent at once from it (invoice-at-once.test.ts).
    outreachOnly: true,
    email: slowProviderFor('ap@ho6.example'),
    workerOptions: { interceptors: { activity: [loseFirstHandOver] } },
  });
});
afterAll(async () => {
  await releaseSends(stack.db, { by: 'test' }).catch(() => undefined);
  await stack?.close();
});

type HistoryEvent = {
  activityTaskScheduledEventAttributes?: {
    activityType?: { name?: string | null } | null;
    input?: { payloads?: Parameters<typeof defaultPayloadConverter.fromPayload>[0][] | null } | null;
  } | null;
};
/** What answered or started the hand-over. */
const handOverEventId = (events: temporal.api.history.v1.IHistoryEvent[]) => String(handOverScheduled(events)?.eventId);
const ofHandOver = (events: temporal.api.history.v1.IHistoryEvent[], type: 'activityTaskStarted' | 'activityTaskCompleted') =>
  eventsOfType(events, type).filter(
    (e) =>
      String((e.activityTaskStartedEventAttributes ?? e.activityTaskCompletedEventAttributes)?.scheduledEventId) ===
      handOverEventId(events),
  );
const scheduledNames = (events: HistoryEvent[]) =>
  eventsOfType(events, 'activityTaskScheduled').map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);

/** A customer, its invoice HO-n due in 3 days, and the invoice's first reminder approved by alice. */
async function approvedReminder(customerId: string): Promise<InvoiceHandle> {
  await stack.seed.customer(stack.db, { id: customerId, tier: 'standard' });
  const h = await startInvoice(stack, { number: customerId.replace('HO', 'HO-'), customerId, dueInDays: 3 });
  const p = await nextProposal(stack, h);
  await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
  return h;
}

/**
 * A real retried attempt of the hand-over (its own task token), on a worker of its own; `wait`
 * says what to wait for while it runs. Null when outreach left it unanswered for 30 s (the
 * time-skipping server does not skip while an activity is open: an unanswered retry would wait
 * out this deadline, not an hour).
 */
async function retryHandOver(
  input: { customerId: string; request: ReminderRequest },
  wait: (retried: WorkflowHandle) => Promise<HandOverAnswer>,
): Promise<HandOverAnswer | null> {
  const { env } = stack;
  const { worker: probe, taskQueue: probeQueue } = await handOverProbeWorker(stack, { outreachOnly: true });
  return probe.runUntil(async () => {
    const retried = await env.client.workflow.start('handOverProbeWorkflow', {
      taskQueue: probeQueue,
      workflowId: `hand-over-probe-${input.request.requestId}`,
      args: [input],
    });
    const result = await Promise.race([wait(retried), new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
    if (result === null) await retried.terminate('unanswered');
    return result;
  });
}

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
    const h = await approvedReminder('HO3');
    await waitForOutbox(stack, 'HO3', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    const input = await handedOver(h);
    const answer = await retryHandOver(input, async (retried) => retried.result() as Promise<HandOverAnswer>);
    expect(answer).toMatchObject({ requestId: input.request.requestId, queued: true });
    expect(answer && 'detail' in answer ? answer.detail : '').toMatch(/delivered before/);
    // Nothing went out twice.
    expect(await outboxFor(stack, 'HO3')).toHaveLength(1);
  });

  it('retries within minutes a hand-over whose attempt was lost before it reached outreach', async () => {
    const { env } = stack;
    const h = await approvedReminder('HO5');
    // The lost attempt never signalled: no outreach workflow, no email, the invoice waits on it.
    const lost = await waitFor(
      async () => {
        const events = (await h.fetchHistory()).events ?? [];
        return scheduledNames(events).includes('awaitReminderDelivery') ? events : null;
      },
      { what: 'HO-5 handed over' },
    );
    expect(ofHandOver(lost, 'activityTaskCompleted')).toHaveLength(0);
    expect(await outboxFor(stack, 'HO5')).toHaveLength(0);
    // Three minutes at most (real time: the server does not skip while the attempt is open); an
    // attempt that waited out the 6-hour timeout it had before fails this.
    const sent = await waitFor(async () => ((await outboxFor(stack, 'HO5')).length > 0 ? true : null), {
      env,
      advance: '30 seconds',
      tries: 6,
      what: 'HO-5 email after the retried hand-over',
    });
    expect(sent).toBe(true);
    await waitForOutbox(stack, 'HO5', 1);
    const s = await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    expect(s.stage).not.toMatch(/queued/);
    const events = (await h.fetchHistory()).events ?? [];
    // Answered on its second attempt, by the delivery itself.
    expect(ofHandOver(events, 'activityTaskStarted').map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([2]);
    expect(ofHandOver(events, 'activityTaskCompleted')).toHaveLength(1);
    expect(eventsOfType(events, 'workflowExecutionSignaled')).toHaveLength(0);
    expect(await outboxFor(stack, 'HO5')).toHaveLength(1);
  });

  it('adopts a hand-over retried while its message is in flight, and sends it once', async () => {
    const { env } = stack;
    const h = await approvedReminder('HO6');
    // The email is at the provider (held there): the message is in flight.
    await waitFor(async () => provider.held, { what: 'HO6 email at the provider' });
    const input = await handedOver(h);
    const outreach = env.client.workflow.getHandle('outreach-HO6');
    const answer = await retryHandOver(input, async (retried) => {
      // The retried attempt's signal reaches outreach while the delivery waits; then the provider answers.
      await waitFor(async () => eventsOfType((await outreach.fetchHistory()).events ?? [], 'workflowExecutionSignaled').length >= 2, {
        what: 'the retried hand-over at outreach-HO6',
      });
      provider.release();
      return retried.result() as Promise<HandOverAnswer>;
    });
    expect(answer).toMatchObject({ requestId: input.request.requestId, queued: true });
    expect(answer && 'detail' in answer ? answer.detail : '').toMatch(/delivered before/);
    await waitForOutbox(stack, 'HO6', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    await env.sleep('2 hours');
    // One delivery: the retried request was not queued again behind the one in flight.
    const deliveries = scheduledNames((await outreach.fetchHistory()).events ?? []).filter((n) => n === 'deliverEmail');
    expect(deliveries).toHaveLength(1);
    expect(await outboxFor(stack, 'HO6')).toHaveLength(1);
    expect((await state(h)).actions.filter((a) => a.kind === 'reminder_logged')).toHaveLength(1);
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
