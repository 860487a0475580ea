/**
 * Plans an invoice's next dunning step: a pure function of (invoice state, policy, now).
 * Workflows call it after every wake-up, so a message, a policy change or a late start
 * simply re-plans.
 */
import { addDays, daysBetween, localParts, nextSendTime, zonedTimeToUtc, type IsoDate, type SendWindow } from '../domain/calendar';
import type { DunningStep } from '../domain/policy';

export interface PlanInput {
  dueDate: string;
  ladder: readonly DunningStep[];
  /** Keys of steps already acted on (sent, rejected or skipped). */
  doneStepKeys: readonly string[];
  /** Whether any reminder has reached the customer: a hand-off never comes before first contact. */
  anyContactMade: boolean;
  now: Date;
  timezone: string;
  sendWindow: SendWindow;
  /** No step before this calendar date (a promise to pay plus grace). */
  holdUntil?: string;
  /** The customer's calendar date of the last reminder that reached them. */
  lastContactDate?: string | null;
  /**
   * A hand-off comes at least this many days after the last reminder, so the customer has time
   * to answer it (an invoice imported past its hand-off date gets a reminder first, then this).
   */
  handoffGraceDays?: number;
  /** The customer's public holidays and closing days (ISO dates): a business-day window skips them. */
  holidays?: ReadonlySet<string>;
}

export type Plan =
  | {
      kind: 'step';
      step: DunningStep;
      /** The instant to act, inside the customer's send window. */
      at: Date;
      /** Earlier steps passed over because a later one is already due (a late start). */
      passedOver: DunningStep[];
    }
  | { kind: 'finished' };

function stepDate(dueDate: string, step: DunningStep): IsoDate {
  return addDays(dueDate, step.offsetDays);
}

export function planNextStep(input: PlanInput): Plan {
  const remaining = input.ladder.filter((s) => !input.doneStepKeys.includes(s.key));
  if (remaining.length === 0) return { kind: 'finished' };

  const today = localParts(input.now, input.timezone).date;
  // A late start (an invoice imported 40 days overdue) acts at its current stage instead of
  // sending every missed reminder in a burst.
  const due = remaining.filter((s) => stepDate(input.dueDate, s) <= today);
  let chosen = remaining[0]!;
  if (due.length > 0) {
    chosen = due[due.length - 1]!;
    if (chosen.kind === 'handoff' && !input.anyContactMade) {
      const lastReminder = [...due].reverse().find((s) => s.kind === 'reminder');
      if (lastReminder) chosen = lastReminder;
    }
  }
  const passedOver = remaining.filter((s) => s.offsetDays < chosen.offsetDays);

  let date: string = stepDate(input.dueDate, chosen);
  if (input.holdUntil && input.holdUntil > date) date = input.holdUntil;
  if (chosen.kind === 'handoff' && input.lastContactDate && input.handoffGraceDays) {
    const answerBy = addDays(input.lastContactDate, input.handoffGraceDays);
    if (answerBy > date) date = answerBy;
  }
  const planned = zonedTimeToUtc(date, input.sendWindow.startHour, 0, input.timezone);
  const earliest = planned.getTime() > input.now.getTime() ? planned : input.now;
  const at = nextSendTime(earliest, input.sendWindow, input.timezone, input.holidays);
  return { kind: 'step', step: chosen, at, passedOver };
}

export function daysOverdue(dueDate: string, today: string): number {
  return Math.max(0, daysBetween(dueDate, today));
}

/** Stage name for operators: where the invoice is on its ladder. */
export function dunningStage(ladder: readonly DunningStep[], doneStepKeys: readonly string[]): string {
  const done = ladder.filter((s) => doneStepKeys.includes(s.key));
  return done.length === 0 ? 'not-started' : done[done.length - 1]!.key;
}

/**
 * The tone a step may take. A customer never gets a final notice as the first word from us:
 * a late start (an invoice imported 50 days overdue) opens at most firm.
 */
export function effectiveTone(step: DunningStep, anyContactMade: boolean): DunningStep['tone'] {
  return !anyContactMade && step.tone === 'final' ? 'firm' : step.tone;
}

/** Key prefix of the reminder that stands in for a hand-off while no reminder has reached the customer. */
const HANDOFF_NOTICE = 'handoff-notice-';

/**
 * The reminder a hand-off waits for when no reminder has reached the customer (each one was
 * rejected, withdrawn or not sent): a person decides it like any other. Not a ladder step; the
 * n-th one gets its own key (and so its own proposal id) after the one before was rejected.
 */
export function handoffNoticeStep(doneStepKeys: readonly string[], handoff: DunningStep): DunningStep {
  const n = doneStepKeys.filter(isHandoffNotice).length + 1;
  return { key: `${HANDOFF_NOTICE}${n}`, offsetDays: handoff.offsetDays, tone: 'final', channel: 'email', kind: 'reminder' };
}

export function isHandoffNotice(key: string): boolean {
  return key.startsWith(HANDOFF_NOTICE);
}

/**
 * The reminder that follows a broken promise. It is not a ladder step: the ladder resumes
 * where it was afterwards.
 */
export function promiseMissedStep(promiseId: string): DunningStep {
  return { key: `promise-missed-${promiseId}`, offsetDays: 0, tone: 'firm', channel: 'email', kind: 'reminder' };
}
