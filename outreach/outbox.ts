/**
 * Whether an outbox row may go to the provider (again). The provider's Idempotency-Key makes a
 * repeat harmless only inside its window (Resend: 24 hours). So: a message with a provider id was
 * accepted and is never sent again; a first attempt whose answer was never recorded is repeated
 * only while the provider would still recognise the key; beyond that a repeat could be a second
 * email, so it is not sent and a person checks the provider's log (issue 13, defect 9f).
 */

/** Margin inside the provider's window: a repeat must reach it well before the key expires. */
const WINDOW_MARGIN_MS = 60 * 60 * 1000;

export type ResendDecision =
  | { kind: 'accepted'; providerMessageId: string }
  | { kind: 'send' }
  | { kind: 'unconfirmed'; firstAttemptAt: Date };

export function resendDecision(
  row: { providerMessageId: string | null; sendAttemptedAt: Date | null },
  now: Date,
  idempotencyWindowMs: number | undefined,
): ResendDecision {
  if (row.providerMessageId) return { kind: 'accepted', providerMessageId: row.providerMessageId };
  if (!row.sendAttemptedAt || idempotencyWindowMs === undefined) return { kind: 'send' };
  const safeUntil = row.sendAttemptedAt.getTime() + idempotencyWindowMs - WINDOW_MARGIN_MS;
  return now.getTime() < safeUntil ? { kind: 'send' } : { kind: 'unconfirmed', firstAttemptAt: row.sendAttemptedAt };
}
