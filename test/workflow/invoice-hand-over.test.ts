/**
 * The hand-over to outreach on 'lean-lifecycle': the invoice's awaitReminderDelivery activity
 * signals outreach and is completed by it (its task token travels with the request): with the
 * delivery when it sends at once, with "queued" when it must hold the message (then the delivery
 * comes as a signal); a reminder no longer needed is withdrawn, and the withdrawal completes the
 * activity if it is still open. Time-skipping server,
 * real worker, PostgreSQL. (Outreach re-checks a held switch every 10 minutes; the tests let time pass.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate } from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { holdSends, releaseSends } from '../../outreach/kill-switch';
import { actionSeen, nextProposal, outboxFor, pay, proposalRow, startInvoice, state, waitForOutbox } from '../support/invoice';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await releaseSends(stack.db, { by: 'test' }).catch(() => undefined);
  await stack?.close();
});

type HistoryEvent = { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null };
/** Events of a type, by the attributes they carry: `activityTaskCompleted` → activityTaskCompletedEventAttributes. */
const named = (events: HistoryEvent[], type: string) =>
  events.filter((e) => (e as Record<string, unknown>)[`${type}EventAttributes`] != null);
const scheduledNames = (events: HistoryEvent[]) =>
  named(events, 'activityTaskScheduled').map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);

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
    expect(named(events, 'workflowExecutionSignaled')).toHaveLength(0);
    expect(scheduledNames(events)).toContain('awaitReminderDelivery');
    expect(named(events, 'activityTaskCompleted').length).toBeGreaterThan(0);
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
        return named(events, 'activityTaskCompleted').length > 0 ? true : null;
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
    expect(named(events, 'workflowExecutionSignaled')).toHaveLength(1);
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
    expect(named(events, 'activityTaskCancelRequested')).toHaveLength(0);
    expect(named(events, 'activityTaskCompleted').length).toBeGreaterThanOrEqual(2);
    expect(scheduledNames(events)).toContain('withdrawReminder');
    expect(await outboxFor(stack, 'HO2')).toHaveLength(0);
    const done = await h.result();
    expect(done.status).toBe('paid');
    expect(done.remindersSent).toBe(0);
  });
});
