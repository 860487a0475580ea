/**
 * Contact caps across all of a customer's invoices: at most N contacts in a rolling window of
 * days, and a minimum gap between two contacts. Pure: the outreach workflow keeps the times.
 */
export interface ContactCaps {
  maxContacts: number;
  perDays: number;
  minHoursApart: number;
}

/** The earliest epoch-ms at or after `now` when one more contact respects the caps. */
export function earliestContactTime(contactTimes: readonly number[], now: number, caps: ContactCaps): number {
  const sorted = [...contactTimes].sort((a, b) => a - b);
  let earliest = now;
  const last = sorted[sorted.length - 1];
  if (last !== undefined) earliest = Math.max(earliest, last + caps.minHoursApart * 3_600_000);
  const windowMs = caps.perDays * 86_400_000;
  // If the window already holds maxContacts, wait until the oldest of those ages out.
  const inWindow = sorted.filter((t) => t > earliest - windowMs);
  if (inWindow.length >= caps.maxContacts) {
    const oldestThatMustExpire = inWindow[inWindow.length - caps.maxContacts]!;
    earliest = Math.max(earliest, oldestThatMustExpire + windowMs);
  }
  return earliest;
}
