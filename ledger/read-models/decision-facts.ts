/**
 * Every decision on a proposed action in a window, as the rows the decision metrics count
 * (insights/metrics/decisions.ts): proposals a person approved (as drafted or with edits) or
 * rejected, and reminders the autonomy gate sent without a person (with their review, once a
 * person marked one in the review queue). Tier and segment are the
 * customer's today (the ledger keeps no history of them); an autonomous send is banded by its
 * invoice's amount (a proposal by the balance it chased). One select, read as arrays.
 */
import type { Db } from '../../db/client';
import type { DecisionOutcome, DecisionRow, EditCategory } from '../../insights/metrics/decisions';

const instant = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// The sent audit row's key is `<workflow id>/<step key>/sent` (outreach/delivery.ts): the step is its middle.
const STEP_OF_SENT = `substr(a.idempotency_key, length(a.workflow_id) + 2, length(a.idempotency_key) - length(a.workflow_id) - 6)`;

const DECISIONS = `
  select ${instant('p.decided_at')}, p.action_kind, c.tier, c.segment, p.currency, p.amount_minor,
         case when p.status = 'rejected' then 'rejected'
              when p.edited_subject is not null or p.edited_body is not null then 'approved_with_edits'
              else 'approved' end,
         p.edit_category, p.step_key, p.customer_id, null::text
  from proposals p join customers c on c.id = p.customer_id
  where p.status in ('approved', 'rejected') and p.decided_at >= $1 and p.decided_at <= $2
  union all
  select ${instant('a.at')}, 'reminder', c.tier, c.segment,
         coalesce(i.currency, 'XXX'),
         coalesce(i.amount_minor, 0),
         'autonomous', null, ${STEP_OF_SENT}, a.customer_id, r.verdict
  from audit_log a join customers c on c.id = a.customer_id left join invoices i on i.number = a.invoice_number
       left join autonomy_reviews r on r.audit_key = a.idempotency_key and r.verdict is not null
  where a.action = 'reminder_sent' and a.approved_by like 'autonomy:%' and a.at >= $1 and a.at <= $2`;

/** Decisions made in [from, to] (instants). */
export async function loadDecisionRows(db: Db, window: { from: Date; to: Date }): Promise<DecisionRow[]> {
  const r = await db.$client.query({ text: DECISIONS, values: [window.from, window.to], rowMode: 'array' });
  return (r.rows as unknown[][]).map((row) => ({
    decidedAt: row[0] as string,
    actionKind: row[1] as string,
    tier: row[2] as string,
    segment: row[3] as string,
    currency: row[4] as string,
    amountMinor: Number(row[5]),
    outcome: row[6] as DecisionOutcome,
    editCategory: (row[7] as EditCategory | null) ?? null,
    reviewOutcome: (row[10] as 'right' | 'wrong' | null) ?? null,
    stepKey: row[8] as string,
    customerId: row[9] as string,
  }));
}
