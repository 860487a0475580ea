/**
 * How long the first approved reminder of a customer waits for others to join it, pure: only as
 * long as another reminder of that customer is due inside the batch window, not always the whole
 * window. Deterministic (workflow code): the due times come from an activity's result.
 */

/** When the customer's other open invoices act next, as their workflows answered. */
export interface OthersDue {
  /** Next step instants (ISO) of the customer's other invoice workflows. */
  dueAt: string[];
  /** Other invoices with a draft waiting for a person: approved any moment, so the whole window is worth it. */
  awaitingApproval: number;
  /** Some invoice could not be asked (a query failed): not knowing, the whole window. */
  unknown: boolean;
}

/** A step due at T reaches outreach a little after T (drafting, the autonomy check, the signal). */
export const DUE_GRACE_MS = 60_000;

/** The instant the batch window ends for a batch started at `startMs` (epoch ms). */
export function batchWaitUntil(startMs: number, windowMinutes: number, others: OthersDue | null): number {
  const windowEnd = startMs + windowMinutes * 60_000;
  if (windowMinutes <= 0 || others === null || others.unknown || others.awaitingApproval > 0) return windowEnd;
  const within = others.dueAt.map((at) => Date.parse(at)).filter((t) => !Number.isNaN(t) && t <= windowEnd);
  if (within.length === 0) return startMs;
  return Math.min(windowEnd, Math.max(startMs, ...within) + DUE_GRACE_MS);
}
