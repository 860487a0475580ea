/**
 * What the rollout evaluates, read in one select: proposals a person decided (with the shadow
 * scope that would have sent them), and reminders sent autonomously (with their review, whether a
 * review marked a bounce or complaint or the provider reported one for the send's email — the
 * audit row's outbox key, the outbox row's provider id, the delivery event — and whether a dispute
 * followed on the invoice). And the delivery breaker's trips of the kill switch. Tier,
 * segment and risk score are the customer's today; an autonomous send is measured by its invoice's amount.
 */
import type { Db } from '../../db/client';
import type { RolloutFact } from '../../rollout/measure';
import type { BreakerTrip } from '../../rollout/messages';

const FACTS = `
  select (extract(epoch from p.decided_at) * 1000)::float8, p.action_kind, c.tier, c.segment, p.currency, p.amount_minor, c.risk_score,
         case when p.status = 'rejected' then 'rejected'
              when p.edited_subject is not null or p.edited_body is not null then 'approved_with_edits'
              else 'approved' end,
         p.shadow_scope, null::text, false, false
  from proposals p join customers c on c.id = p.customer_id
  where p.status in ('approved', 'rejected') and p.decided_at >= $1 and p.decided_at <= $2
  union all
  select (extract(epoch from a.at) * 1000)::float8, 'reminder', c.tier, c.segment, coalesce(i.currency, 'XXX'), coalesce(i.amount_minor, 0), c.risk_score,
         'autonomous', null, r.verdict,
         coalesce(r.kind in ('bounce', 'complaint'), false)
           or exists (select 1 from email_outbox o join delivery_events e on e.provider_message_id = o.provider_message_id
                      where o.idempotency_key = a.details->>'outboxKey' and e.type in ('email.bounced', 'email.complained')),
         exists (select 1 from disputes d where d.invoice_number = a.invoice_number and d.opened_at > a.at)
  from audit_log a join customers c on c.id = a.customer_id
       left join invoices i on i.number = a.invoice_number
       left join autonomy_reviews r on r.audit_key = a.idempotency_key
  where a.action = 'reminder_sent' and a.approved_by like 'autonomy:%' and a.at >= $1 and a.at <= $2`;

export async function loadRolloutFacts(db: Db, window: { from: Date; to: Date }): Promise<RolloutFact[]> {
  const r = await db.$client.query({ text: FACTS, values: [window.from, window.to], rowMode: 'array' });
  return (r.rows as unknown[][]).map((row) => ({
    atMs: Number(row[0]),
    action: row[1] as string,
    tier: row[2] as string,
    segment: row[3] as string,
    currency: row[4] as string,
    amountMinor: Number(row[5]),
    riskScore: row[6] === null ? null : Number(row[6]),
    outcome: row[7] as RolloutFact['outcome'],
    shadowScope: (row[8] as string | null) ?? null,
    review: (row[9] as RolloutFact['review']) ?? null,
    bouncedOrComplained: row[10] === true,
    disputedAfter: row[11] === true,
  }));
}

/** The actor outreach/delivery-events.ts writes on the kill switch and its `sends_tripped` audit row. */
const BREAKER_ACTOR = 'circuit-breaker';

/**
 * The delivery breaker's trips of the kill switch in the window, oldest first, counted only after
 * the latest rollout decision that granted more (promote, advance, resume above the phase before):
 * a trip the grants in force already answered for does not demote them again.
 */
export async function loadBreakerTrips(db: Db, window: { from: Date; to: Date }): Promise<BreakerTrip[]> {
  const r = await db.$client.query({
    text: `select a.at, coalesce(a.reasoning, '') from audit_log a
           where a.action = 'sends_tripped' and a.actor = $3 and a.at >= $1 and a.at <= $2
             and a.at > coalesce((select max(c.at) from autonomy_changes c where c.to_phase > c.from_phase), '-infinity')
           order by a.at`,
    values: [window.from, window.to, BREAKER_ACTOR],
    rowMode: 'array',
  });
  return (r.rows as unknown[][]).map((row) => ({ at: (row[0] as Date).toISOString(), reason: row[1] as string }));
}
