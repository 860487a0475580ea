/**
 * The plain-words reason for a dunning step, written down with every proposal and action so an
 * approver, an auditor or an engineer replaying the history sees why the system acted.
 */
import { daysBetween } from '../domain/calendar';
import { formatMoney } from '../domain/money';
import type { DunningStep } from '../domain/policy';

export interface ReasoningInput {
  step: DunningStep;
  ladder: readonly DunningStep[];
  tier: string;
  today: string;
  dueDate: string;
  currency: string;
  amountMinor: number;
  openMinor: number;
  locale: string;
  remindersSent: number;
  lastContactDate: string | null;
  passedOver: readonly DunningStep[];
  promiseMissed?: { date: string } | null;
  /** A hand-off notice: the ladder is done, but no reminder has reached the customer yet. */
  beforeHandoff?: boolean;
}

export function explainStep(r: ReasoningInput): string {
  const parts: string[] = [];
  const d = daysBetween(r.dueDate, r.today);
  parts.push(d > 0 ? `${d} day${d === 1 ? '' : 's'} overdue` : d === 0 ? 'due today' : `due in ${-d} day${d === -1 ? '' : 's'}`);
  parts.push(`${r.tier} tier`);
  const idx = r.ladder.findIndex((s) => s.key === r.step.key);
  parts.push(idx >= 0 ? `step ${idx + 1} of ${r.ladder.length} (${r.step.key}, ${r.step.tone})` : `${r.step.key} (${r.step.tone})`);
  if (r.remindersSent === 0 && r.step.tone === 'firm' && r.ladder.find((s) => s.key === r.step.key)?.tone === 'final') {
    parts.push('toned down from final: no earlier reminder reached the customer');
  }
  if (r.beforeHandoff) parts.push('no reminder has reached the customer yet: the hand-off to a collector waits for one');
  if (r.promiseMissed) parts.push(`the promise to pay by ${r.promiseMissed.date} was missed`);
  if (r.remindersSent === 0) parts.push('first reminder');
  else
    parts.push(
      `${r.remindersSent} reminder${r.remindersSent === 1 ? '' : 's'} sent before, the last on ${r.lastContactDate}, no payment in full since`,
    );
  const open = formatMoney(r.openMinor, r.currency, r.locale);
  parts.push(
    r.openMinor < r.amountMinor
      ? `${open} still open of ${formatMoney(r.amountMinor, r.currency, r.locale)} (partly paid)`
      : `${open} open`,
  );
  if (r.passedOver.length) parts.push(`earlier steps passed over as already late: ${r.passedOver.map((s) => s.key).join(', ')}`);
  return parts.join('; ');
}
