/**
 * An approved reminder with nothing to coordinate goes out from the invoice's hand-over activity,
 * with no outreach workflow (outreach/at-once.ts, issue 15). One that must wait goes through the
 * customer's outreach workflow as before: the contact caps, counted from the outbox under the
 * customer's lock, hold back a second reminder sent at once, and a reminder outreach holds is
 * joined by the next one instead of being overtaken. Time-skipping server, real worker, PostgreSQL.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { handedOver, handOverProbeWorker } from '../support/hand-over-probe';
import { replay } from '../../temporal/replay';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate, type HandOverAnswer } from '../../collections/messages';
import { outreachStateQuery } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import {
  actionSeen,
  auditFor,
  eventsOfType,
  type InvoiceHandle,
  nextProposal,
  outboxFor,
  startInvoice,
  waitForOutbox,
} from '../support/invoice';

const WORKFLOWS = fileURLToPath(new URL('../../apps/worker/workflows.ts', import.meta.url));

let stack: TestStack;
let policyVersion: number;
const MIN_HOURS_APART = 96;

/** AO-4's first hand-over attempt fails before it does anything (a worker lost mid-attempt, retried at once). */
const LOST_FIRST_ATTEMPT = 'invoice-AO-4';
const loseFirstAttempt: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const { activityType, attempt, workflowExecution } = ctx.info;
      if (activityType === 'awaitReminderDelivery' && attempt === 1 && workflowExecution?.workflowId === LOST_FIRST_ATTEMPT)
        throw new Error('attempt lost');
      return next(input);
    },
  },
});

beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true, workerOptions: { interceptors: { activity: [loseFirstAttempt] } } });
  // Open all day, so the send window never decides; a gap between contacts longer than the tests' clock jumps.
  policyVersion = await stack.seed.policy(stack.db, {
    sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
    contactCaps: { maxContacts: 2, perDays: 7, minHoursApart: MIN_HOURS_APART },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function approveNext(h: InvoiceHandle, by = 'alice'): Promise<string> {
  const p = await nextProposal(stack, h);
  await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by }] });
  return p.id;
}

/** The hand-over's input, run again as a new attempt on a probe worker of the production activities. */
async function handOverAgain(h: InvoiceHandle): Promise<HandOverAnswer> {
  const { env } = stack;
  const input = await handedOver(h);
  const { worker: probe, taskQueue: probeQueue } = await handOverProbeWorker(stack);
  return probe.runUntil(
    env.client.workflow.execute('handOverProbeWorkflow', { taskQueue: probeQueue, workflowId: `probe-${h.workflowId}`, args: [input] }),
  ) as Promise<HandOverAnswer>;
}

type HistoryEvents = NonNullable<Awaited<ReturnType<InvoiceHandle['fetchHistory']>>['events']>;

/** The completions of the invoice's hand-over activities, in order. */
function handOverCompletions(events: HistoryEvents): HistoryEvents {
  const handOvers = new Set(
    eventsOfType(events, 'activityTaskScheduled')
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitReminderDelivery')
      .map((e) => String(e.eventId)),
  );
  return eventsOfType(events, 'activityTaskCompleted').filter((e) =>
    handOvers.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
  );
}

/** What the invoice's hand-over activity answered (its completed result), once it has. */
async function handOverAnswers(h: InvoiceHandle): Promise<HandOverAnswer[]> {
  return handOverCompletions((await h.fetchHistory()).events ?? []).map((e) =>
    defaultPayloadConverter.fromPayload(e.activityTaskCompletedEventAttributes!.result!.payloads![0]!),
  );
}

type Upsert = { stage: string; awaiting: boolean; afterAnswer: boolean };

/**
 * The search attributes upserted after the last decision, in order: each one's stage and whether it
 * still said awaiting approval, and whether it came after the hand-over answered. Read once the
 * task that takes the answer has completed (the history has an upsert after it).
 */
function upsertsAfterDecision(h: InvoiceHandle): Promise<Upsert[]> {
  return waitFor(
    async () => {
      const upserts = await readUpsertsAfterDecision(h);
      return upserts.some((u) => u.afterAnswer) ? upserts : null;
    },
    { what: `an upsert after ${h.workflowId}'s hand-over answered` },
  );
}

async function readUpsertsAfterDecision(h: InvoiceHandle): Promise<Upsert[]> {
  const events = (await h.fetchHistory()).events ?? [];
  const decidedAt = Number(eventsOfType(events, 'workflowExecutionUpdateAccepted').at(-1)!.eventId);
  const answeredAt = handOverCompletions(events)
    .map((e) => Number(e.eventId))
    .find((id) => id > decidedAt);
  const field = (e: HistoryEvents[number], key: string) => {
    const payload = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[key];
    return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  };
  return eventsOfType(events, 'upsertWorkflowSearchAttributes')
    .filter((e) => Number(e.eventId) > decidedAt)
    .map((e) => ({
      stage: field(e, 'ArDunningStage') as string,
      awaiting: field(e, 'ArAwaitingApproval') as boolean,
      afterAnswer: answeredAt !== undefined && Number(e.eventId) > answeredAt,
    }));
}

async function outreachExists(customerId: string): Promise<boolean> {
  try {
    await stack.env.client.workflow.getHandle(`outreach-${customerId}`).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

describe('an approved reminder sent at once from the hand-over', () => {
  it('reaches the customer with no outreach workflow, under the key outreach would give it, recorded with its reasoning', async () => {
    await stack.seed.customer(stack.db, { id: 'AO1' });
    const h = await startInvoice(stack, { number: 'AO-1', customerId: 'AO1', dueInDays: 3 });
    await approveNext(h);
    const [row] = await waitForOutbox(stack, 'AO1', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');

    const [answer] = await handOverAnswers(h);
    expect(answer).toMatchObject({ status: 'logged', batchedWith: [] });
    const requestId = (answer as { requestId: string }).requestId;
    expect(row!.idempotencyKey).toBe(`outreach-AO1/${requestId}`);
    expect(row!.contactAt).not.toBeNull();
    expect(await outreachExists('AO1')).toBe(false);
    // The invoice learned it from the activity's result: no signal came back.
    expect(eventsOfType((await h.fetchHistory()).events ?? [], 'workflowExecutionSignaled')).toHaveLength(0);
    const [sent] = await auditFor(stack, 'AO-1', 'reminder_sent');
    expect(sent).toMatchObject({ approvedBy: 'alice', policyVersion, actor: 'alice' });
    expect(sent!.reasoning?.length).toBeGreaterThan(0);
    // 'publish-on-hand-over-answer': one upsert for the approval, once the hand-over answered with
    // the delivery, from awaiting approval straight to the step done (two before: approved, then done).
    expect(await upsertsAfterDecision(h)).toEqual([{ stage: 'heads-up', awaiting: false, afterAnswer: true }]);
  });

  it('hands a second reminder to outreach when the caps hold it back, and outreach sends it once they allow', async () => {
    await stack.seed.customer(stack.db, { id: 'AO2' });
    const first = await startInvoice(stack, { number: 'AO-2a', customerId: 'AO2', dueInDays: 3 });
    // Its first step comes two days later: outside the batch window, inside the gap the caps keep.
    const second = await startInvoice(stack, { number: 'AO-2b', customerId: 'AO2', dueInDays: 5 });
    await approveNext(first);
    const [firstRow] = await waitForOutbox(stack, 'AO2', 1);
    expect(await outreachExists('AO2')).toBe(false);

    await approveNext(second, 'bob');
    const firstAt = firstRow!.contactAt!.getTime();
    // Outreach's own count (empty when it started) was overruled by the outbox's: it waits out the gap.
    const held = await waitFor(
      async () => {
        if (!(await outreachExists('AO2'))) return null;
        const s = await stack.env.client.workflow.getHandle('outreach-AO2').query(outreachStateQuery);
        return s.nextSendAt && s.queued.length === 1 ? s : null;
      },
      { what: 'outreach-AO2 holding AO-2b for the caps' },
    );
    expect(Date.parse(held.nextSendAt!)).toBeGreaterThanOrEqual(firstAt + MIN_HOURS_APART * 3_600_000);
    expect(await outboxFor(stack, 'AO2')).toHaveLength(1);
    const [queuedAnswer] = await handOverAnswers(second);
    expect(queuedAnswer).toMatchObject({ queued: true });
    // Queued with outreach: the attributes say so once outreach has answered, not before.
    expect(await upsertsAfterDecision(second)).toEqual([{ stage: 'heads-up (approved, queued)', awaiting: false, afterAnswer: true }]);

    const rows = await waitForOutbox(stack, 'AO2', 2);
    const secondRow = rows.find((r) => r.id !== firstRow!.id)!;
    expect(secondRow.invoiceNumbers).toEqual(['AO-2b']);
    expect(secondRow.contactAt!.getTime() - firstAt).toBeGreaterThanOrEqual(MIN_HOURS_APART * 3_600_000);
    await actionSeen(stack, second, 'reminder_logged', '1 hour');
    // Outreach's history with the refused claim replays through today's code.
    const report = await replay(await stack.env.client.workflow.getHandle('outreach-AO2').fetchHistory(), 'outreach-AO2', {
      workflowsPath: WORKFLOWS,
    });
    expect(report.error ?? null).toBeNull();
    expect(report.deterministic).toBe(true);
  });

  it('does not overtake a reminder the outreach workflow holds: the next one joins its message', async () => {
    await stack.seed.customer(stack.db, { id: 'AO3' });
    const a = await startInvoice(stack, { number: 'AO-3a', customerId: 'AO3', dueInDays: 3 });
    const b = await startInvoice(stack, { number: 'AO-3b', customerId: 'AO3', dueInDays: 3 });
    // B's draft waits for a person, so A waits with outreach for the batch window.
    const bProposal = await nextProposal(stack, b);
    await approveNext(a);
    await waitFor(
      async () =>
        (await outreachExists('AO3')) &&
        (await stack.env.client.workflow.getHandle('outreach-AO3').query(outreachStateQuery)).queued.length === 1,
      { what: 'outreach-AO3 holding AO-3a' },
    );
    await b.executeUpdate(decideProposalUpdate, { args: [{ proposalId: bProposal.id, decision: 'approve', by: 'alice' }] });
    const [row] = await waitForOutbox(stack, 'AO3', 1);
    expect([...row!.invoiceNumbers].sort()).toEqual(['AO-3a', 'AO-3b']);
    await actionSeen(stack, b, 'reminder_logged', '10 minutes');
    expect(await outboxFor(stack, 'AO3')).toHaveLength(1);
  });

  it('finishes a message its first attempt claimed on a retry, sending nothing twice and handing nothing to outreach', async () => {
    await stack.seed.customer(stack.db, { id: 'AO5' });
    const h = await startInvoice(stack, { number: 'AO-5', customerId: 'AO5', dueInDays: 3 });
    await approveNext(h);
    const [row] = await waitForOutbox(stack, 'AO5', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    // An attempt that outlived its timeout, retried: it finds the row under its key and finishes it.
    const answer = await handOverAgain(h);
    expect(answer).toMatchObject({ status: 'logged', outboxKey: row!.idempotencyKey });
    expect(await outboxFor(stack, 'AO5')).toHaveLength(1);
    expect(await outreachExists('AO5')).toBe(false);
    expect(await auditFor(stack, 'AO-5', 'reminder_sent')).toHaveLength(1);
  });

  it('sends a reminder whose first attempt was lost through outreach on the retry: the first may have handed it there', async () => {
    await stack.seed.customer(stack.db, { id: 'AO4' });
    const h = await startInvoice(stack, { number: 'AO-4', customerId: 'AO4', dueInDays: 3 });
    await approveNext(h);
    const [row] = await waitForOutbox(stack, 'AO4', 1);
    await actionSeen(stack, h, 'reminder_logged', '10 minutes');
    expect(await outreachExists('AO4')).toBe(true);
    expect(row!.invoiceNumbers).toEqual(['AO-4']);
    // Outreach completed the second attempt with the delivery.
    expect(await handOverAnswers(h)).toMatchObject([{ status: 'logged', outboxKey: row!.idempotencyKey }]);
  });
});
