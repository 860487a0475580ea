/**
 * The built-in ledger's history as the plain facts the insights metrics are computed from
 * (insights/metrics/facts.ts): invoices issued on or before the as-of date, and every movement
 * that settled them, dated when it took effect. Four flat selects, read as arrays (no per-row
 * objects from the driver), so 100,000 invoices load in a fraction of a second.
 */
import type { Db } from '../../db/client';
import type { CustomerFact, InvoiceFact, LedgerFacts, PaymentFact, SettlementFact } from '../../insights/metrics/facts';

const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;

// A voided invoice was never a credit sale; every other status is, whatever happened to it since.
const INVOICES = `
  select i.number, i.customer_id, c.tier, c.segment, i.currency, i.amount_minor, ${day('i.issue_date')}, ${day('i.due_date')}
  from invoices i join customers c on c.id = i.customer_id
  where i.status <> 'void' and i.issue_date <= $1::date`;

// Cash applied counts from the day it was received, not the day someone matched it.
const SETTLEMENTS = `
  select pa.invoice_number, ${day('p.received_on')}, pa.amount_minor, 'payment'
  from payment_applications pa join payments p on p.id = pa.payment_id
  where p.received_on <= $1::date
  union all
  select invoice_number, ${day('issued_on')}, amount_minor, 'credit'
  from credit_notes where invoice_number is not null and issued_on <= $1::date
  union all
  select invoice_number, ${day("(at at time zone 'UTC')")}, amount_minor, 'write_off'
  from write_offs where (at at time zone 'UTC')::date <= $1::date`;

/**
 * An ERP export may state an open balance lower than its recorded movements explain (payments it
 * did not export). That reduction is real but undated: it counts from the day the ledger learned
 * it (the invoice's import), never before its issue date, and is reported so nobody mistakes it.
 */
const STATED = `
  with moved as (
    select invoice_number, sum(amount_minor) as minor from (
      select invoice_number, amount_minor from payment_applications
      union all select invoice_number, amount_minor from credit_notes where invoice_number is not null
      union all select invoice_number, amount_minor from write_offs
    ) m group by invoice_number
  )
  select i.number, ${day("greatest(i.issue_date, (i.created_at at time zone 'UTC')::date)")},
         i.amount_minor - i.open_minor - coalesce(moved.minor, 0)
  from invoices i left join moved on moved.invoice_number = i.number
  where i.open_stated and i.status <> 'void' and i.issue_date <= $1::date
    and i.amount_minor - i.open_minor - coalesce(moved.minor, 0) > 0
    and greatest(i.issue_date, (i.created_at at time zone 'UTC')::date) <= $1::date`;

const PAYMENTS = `select ${day('received_on')}, currency, amount_minor, customer_id from payments where received_on <= $1::date`;
const CUSTOMERS = 'select id, tier, segment from customers';

type Row = unknown[];

async function rows(db: Db, text: string, asOf?: string): Promise<Row[]> {
  const r = await db.$client.query({ text, values: asOf === undefined ? [] : [asOf], rowMode: 'array' });
  return r.rows as Row[];
}

/** Everything the metrics as of `asOf` (YYYY-MM-DD) need, and nothing after it. */
export async function loadMetricFacts(db: Db, asOf: string): Promise<LedgerFacts> {
  const [inv, set, stated, pay, cust] = await Promise.all([
    rows(db, INVOICES, asOf),
    rows(db, SETTLEMENTS, asOf),
    rows(db, STATED, asOf),
    rows(db, PAYMENTS, asOf),
    rows(db, CUSTOMERS),
  ]);
  const invoices: InvoiceFact[] = inv.map((r) => ({
    number: r[0] as string,
    customerId: r[1] as string,
    tier: r[2] as string,
    segment: r[3] as string,
    currency: r[4] as string,
    amountMinor: Number(r[5]),
    issueDate: r[6] as string,
    dueDate: r[7] as string,
  }));
  const settlements: SettlementFact[] = set.map((r) => ({
    invoiceNumber: r[0] as string,
    date: r[1] as string,
    amountMinor: Number(r[2]),
    kind: r[3] as SettlementFact['kind'],
  }));
  for (const r of stated)
    settlements.push({ invoiceNumber: r[0] as string, date: r[1] as string, amountMinor: Number(r[2]), kind: 'stated' });
  const payments: PaymentFact[] = pay.map((r) => ({
    date: r[0] as string,
    currency: r[1] as string,
    amountMinor: Number(r[2]),
    customerId: (r[3] as string | null) ?? null,
  }));
  const customers: CustomerFact[] = cust.map((r) => ({ id: r[0] as string, tier: r[1] as string, segment: r[2] as string }));
  return { invoices, settlements, payments, customers };
}
