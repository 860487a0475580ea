/**
 * What the rollout evaluates, read in one select: proposals a person decided (with the shadow
 * scope that would have sent them), and reminders sent autonomously (with their review, whether a
 * review marked a bounce or complaint, and whether a dispute followed on the invoice). Tier,
 * segment and risk score are the customer's today; an autonomous send is measured by its invoice's amount.
 */
import type { Db } from '../../db/client';
import type { RolloutFact } from '../../rollout/measure';

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
         'autonomous', null, r.verdict, coalesce(r.kind in ('bounce', 'complaint'), false),
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
