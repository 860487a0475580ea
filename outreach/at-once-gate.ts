/**
 * Whether an approved reminder may go to the customer at once from its invoice's hand-over, with
 * no outreach workflow to coordinate it (issue 15), pure. It may when nothing would hold it in
 * outreach: the kill switch is off, no other reminder of the customer falls due inside the batch
 * window, and the send window is open. The contact caps are checked when the outbox row is claimed
 * (contact-claim.ts), and a customer whose outreach workflow holds messages is asked there (at-once.ts).
 */
import { batchWaitUntil, type OthersDue } from './batch-window';
import { nextSendTime, type SendWindow } from '../domain/calendar';

export interface AtOnceContext {
  rules: { sendWindow: SendWindow; batchWindowMinutes: number; timezone: string; holidays?: string[] };
  others: OthersDue | null;
  sends: { held: boolean; by: string | null; reason: string | null };
}

/** Why the reminder must go through the customer's outreach workflow, or null to send it now (epoch ms). */
export function whyThroughOutreach(context: AtOnceContext, now: number): string | null {
  const { rules, others, sends } = context;
  if (sends.held) return `sends are paused by ${sends.by ?? 'someone'}: ${sends.reason ?? 'no reason given'}`;
  if (batchWaitUntil(now, rules.batchWindowMinutes, others) > now)
    return `another reminder of this customer may join it inside the ${rules.batchWindowMinutes}-minute batch window`;
  const opens = nextSendTime(new Date(now), rules.sendWindow, rules.timezone, new Set(rules.holidays ?? []));
  if (opens.getTime() > now) return `outside the customer's send window until ${opens.toISOString()}`;
  return null;
}
