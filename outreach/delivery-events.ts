/**
 * What a delivery event from the provider does (POST /webhooks/resend, already verified): stored
 * once by its webhook id (a replay changes nothing); a hard bounce marks the address invalid, so
 * nothing more is sent to it, and raises a "fix the contact" task in the audit trail; a complaint
 * makes the customer no-touch pending review; and when the bounce or complaint rate of the
 * policy's window passes its ceiling, the kill switch trips by itself with the reason.
 */
import { and, count, eq, gte, inArray } from 'drizzle-orm';
import { writeAudit } from '../db/audit';
import { schema, type Db } from '../db/client';
import type { Policy } from '../domain/policy';
import type { LedgerPort } from '../ledger/port';
import { holdSends, readSendsSwitch, type SendsSwitch } from './kill-switch';

export interface DeliveryEvent {
  /** The webhook id (`webhook-id` header): the idempotency key. */
  id: string;
  type: string;
  occurredAt: Date;
  providerMessageId: string | null;
  to: string | null;
  /** Resend's bounce type: `Permanent` is a hard bounce. */
  bounceType: string | null;
  bounceMessage: string | null;
  payload: unknown;
}

export interface DeliveryEventOutcome {
  duplicate: boolean;
  effects: string[];
  /** Set when this event tripped the kill switch. */
  tripped: SendsSwitch | null;
}

const BREAKER_ACTOR = 'circuit-breaker';

export async function applyDeliveryEvent(
  deps: { db: Db; ledger: LedgerPort; policy: Policy; now?: Date },
  e: DeliveryEvent,
): Promise<DeliveryEventOutcome> {
  const { db, ledger } = deps;
  const [sent] = e.providerMessageId
    ? await db
        .select({ customerId: schema.emailOutbox.customerId, invoiceNumbers: schema.emailOutbox.invoiceNumbers })
        .from(schema.emailOutbox)
        .where(eq(schema.emailOutbox.providerMessageId, e.providerMessageId))
    : [];
  const inserted = await db
    .insert(schema.deliveryEvents)
    .values({
      id: e.id,
      type: e.type,
      providerMessageId: e.providerMessageId,
      toAddress: e.to,
      customerId: sent?.customerId ?? null,
      occurredAt: e.occurredAt,
      payload: e.payload as object,
    })
    .onConflictDoNothing()
    .returning({ id: schema.deliveryEvents.id });
  if (inserted.length === 0) return { duplicate: true, effects: [], tripped: null };

  const effects: string[] = [];
  const audit = (customerId: string, action: string, reasoning: string) =>
    writeAudit(db, {
      idempotencyKey: `delivery-event/${e.id}/${action}/${customerId}`,
      customerId,
      invoiceNumber: sent?.invoiceNumbers[0],
      action,
      actor: 'resend',
      reasoning,
      details: { eventId: e.id, type: e.type, to: e.to, providerMessageId: e.providerMessageId },
    });

  if (e.type === 'email.bounced' && e.bounceType === 'Permanent' && e.to) {
    const why = `hard bounce of ${e.to}${e.bounceMessage ? `: ${e.bounceMessage}` : ''}`;
    for (const customerId of await ledger.invalidateEmail(e.to, why)) {
      await audit(customerId, 'contact_fix_needed', `${why}; nothing more is sent to this address until a person fixes the contact`);
      effects.push(`contact ${e.to} of ${customerId} marked invalid; a "fix the contact" task raised`);
    }
  }
  if (e.type === 'email.complained') {
    if (sent && (await ledger.setNoTouch(sent.customerId, true))) {
      await audit(sent.customerId, 'no_touch_complaint', `${e.to ?? 'the recipient'} marked our email as spam: no-touch pending review`);
      effects.push(`customer ${sent.customerId} is no-touch pending review`);
    } else effects.push('complaint about a message this system did not send: recorded only');
  }
  const tripped = await checkBreaker(db, deps.policy, deps.now ?? new Date());
  if (tripped) effects.push(`the kill switch tripped: ${tripped.reason}`);
  return { duplicate: false, effects, tripped };
}

/** Trips the kill switch when a rate over the window passes its ceiling; null when it did not trip now. */
async function checkBreaker(db: Db, policy: Policy, now: Date): Promise<SendsSwitch | null> {
  const b = policy.deliveryBreaker ?? { windowMinutes: 60, minSends: 20, maxBounceRate: 0.05, maxComplaintRate: 0.003 };
  if ((await readSendsSwitch(db)).held) return null;
  const since = new Date(now.getTime() - b.windowMinutes * 60_000);
  const [sends] = await db
    .select({ n: count() })
    .from(schema.emailOutbox)
    .where(and(eq(schema.emailOutbox.status, 'sent'), gte(schema.emailOutbox.sentAt, since)));
  const sent = Number(sends?.n ?? 0);
  if (sent < b.minSends) return null;
  const rows = await db
    .select({ type: schema.deliveryEvents.type, n: count() })
    .from(schema.deliveryEvents)
    .where(and(inArray(schema.deliveryEvents.type, ['email.bounced', 'email.complained']), gte(schema.deliveryEvents.occurredAt, since)))
    .groupBy(schema.deliveryEvents.type);
  const of = (type: string) => Number(rows.find((r) => r.type === type)?.n ?? 0);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const [what, n, ceiling] of [
    ['bounce', of('email.bounced'), b.maxBounceRate],
    ['complaint', of('email.complained'), b.maxComplaintRate],
  ] as const) {
    if (n / sent > ceiling) {
      const reason = `${what} rate ${pct(n / sent)} (${n} of ${sent} emails sent) over the last ${b.windowMinutes} minutes passed the policy's ceiling of ${pct(ceiling)}`;
      const held = await holdSends(db, { by: BREAKER_ACTOR, reason });
      await writeAudit(db, {
        idempotencyKey: `sends-tripped/${held.since}`,
        action: 'sends_tripped',
        actor: BREAKER_ACTOR,
        reasoning: reason,
      });
      return held;
    }
  }
  return null;
}
