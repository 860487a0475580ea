/** What an invoice's main loop does next: a pure function of its case and the time. */
import { addDays, nextSendTime, zonedTimeToUtc } from '../domain/calendar';
import type { DunningStep, Policy } from '../domain/policy';
import { handoffNoticeStep, planNextStep, promiseMissedStep } from './dunning';
import type { InvoiceMemory, WriteOffRequest } from './invoice-state';

/** What planning reads of an invoice case (InvoiceCase implements it; no import back to it). */
export interface PlannableCase {
  readonly memory: InvoiceMemory;
  readonly isClosed: boolean;
  readonly writeOffRequested: WriteOffRequest | null;
  readonly policy: Policy | null;
  readonly holidays: ReadonlySet<string>;
  ladder(policy: Policy): DunningStep[];
}

/** What the main loop does next. */
export type NextAction =
  | { kind: 'finished' }
  | { kind: 'propose-write-off'; request: WriteOffRequest }
  /** Escalated disputes wait without a timer (`until` null) for a resolution. */
  | { kind: 'wait-dispute'; dispute: NonNullable<InvoiceMemory['dispute']>; until: Date | null; summary: string }
  | { kind: 'wait-paused' }
  | { kind: 'hold-for-promise'; promise: NonNullable<InvoiceMemory['promise']>; until: Date; summary: string }
  | { kind: 'wait-handed-off' }
  /** The ladder ran out (the hand-off step itself was skipped): a person still takes over. */
  | { kind: 'ladder-finished' }
  | { kind: 'step'; step: DunningStep; at: Date; passedOver: DunningStep[]; summary: string };

/**
 * Rule changes that running histories must not see: each is asked (the workflow answers with a
 * patched() marker) only where it would change what is planned. Absent means in force.
 */
export interface PlanningPatches {
  /** No hand-off while no reminder has reached the customer: a hand-off notice is planned first. */
  noticeBeforeHandoff?: () => boolean;
  /** Promise holds and dispute deadlines end at the start of their day in the customer's timezone, not at 00:00 UTC. */
  localDayWakeups?: () => boolean;
}

/** Closed, a write-off to propose, a dispute, a pause, a promise's hold, a hand-off, or the next dunning step. */
export function nextAction(invoice: PlannableCase, now: Date, useHandoffGrace: () => boolean, patches: PlanningPatches = {}): NextAction {
  const memory = invoice.memory;
  /** When a calendar date begins for this customer (histories from before: at 00:00 UTC). */
  const startOf = (date: string) =>
    (patches.localDayWakeups?.() ?? true) ? zonedTimeToUtc(date, 0, 0, memory.timezone) : new Date(`${date}T00:00:00Z`);
  if (invoice.isClosed) return { kind: 'finished' };
  if (invoice.writeOffRequested) return { kind: 'propose-write-off', request: invoice.writeOffRequested };
  if (memory.dispute) {
    const dispute = memory.dispute;
    return dispute.escalated
      ? { kind: 'wait-dispute', dispute, until: null, summary: '' }
      : {
          kind: 'wait-dispute',
          dispute,
          until: startOf(dispute.deadline),
          summary: `dispute ${dispute.id} deadline ${dispute.deadline}`,
        };
  }
  if (memory.pausedBy) return { kind: 'wait-paused' };
  if (memory.promise) {
    return {
      kind: 'hold-for-promise',
      promise: memory.promise,
      until: startOf(memory.promise.holdUntil),
      summary: `hold for promise to pay by ${memory.promise.date}`,
    };
  }
  if (memory.status === 'handed_off') return { kind: 'wait-handed-off' };
  const policy = invoice.policy!;
  const plan = memory.promiseMissed
    ? ({
        kind: 'step',
        step: promiseMissedStep(memory.promiseMissed.id),
        at: nextSendTime(now, policy.sendWindow, memory.timezone, invoice.holidays),
        passedOver: [],
      } as const)
    : planNextStep({
        dueDate: memory.dueDate,
        ladder: invoice.ladder(policy),
        doneStepKeys: memory.doneStepKeys,
        anyContactMade: memory.remindersSent > 0,
        now,
        timezone: memory.timezone,
        sendWindow: policy.sendWindow,
        holidays: invoice.holidays,
        ...(useHandoffGrace() ? { lastContactDate: memory.lastContactDate, handoffGraceDays: policy.handoffGraceDays } : {}),
      });
  if (plan.kind === 'finished') return { kind: 'ladder-finished' };
  // A rejected (or withdrawn) reminder is not contact: the hand-off waits for one that was sent.
  if (plan.step.kind === 'handoff' && memory.remindersSent === 0 && (patches.noticeBeforeHandoff?.() ?? true)) {
    const step = handoffNoticeStep(memory.doneStepKeys, plan.step);
    // Never the same day a person rejected a draft: the next one comes with the next day's window at the earliest.
    const notBefore = memory.lastRejectedOn
      ? zonedTimeToUtc(addDays(memory.lastRejectedOn, 1), policy.sendWindow.startHour, 0, memory.timezone)
      : plan.at;
    const at = nextSendTime(
      new Date(Math.max(plan.at.getTime(), notBefore.getTime())),
      policy.sendWindow,
      memory.timezone,
      invoice.holidays,
    );
    return { kind: 'step', step, at, passedOver: [], summary: `${step.key} at ${at.toISOString()} (${memory.timezone})` };
  }
  return {
    kind: 'step',
    step: plan.step,
    at: plan.at,
    passedOver: [...plan.passedOver],
    summary: `${plan.step.key} at ${plan.at.toISOString()} (${memory.timezone})`,
  };
}
