/** The ledger's view of an invoice (row, customer, latest audit entries): the fallback when no workflow runs. */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { schema } from '../../db/client';
import { utcDate } from '../../domain/calendar';
import { daysOverdue } from '../../collections/dunning';
import { moneyOf } from './deps';
import { notFound } from './errors';

const { invoices, customers, auditLog } = schema;

export async function getLedgerInvoice(db: Db, number: string) {
  const [row] = await db
    .select({ inv: invoices, cust: { id: customers.id, name: customers.name, tier: customers.tier } })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(eq(invoices.number, number));
  return row;
}

export async function requireLedgerInvoice(db: Db, number: string) {
  const row = await getLedgerInvoice(db, number);
  if (!row) throw notFound(`invoice ${number} not found`);
  return row;
}

export type LedgerInvoice = NonNullable<Awaited<ReturnType<typeof getLedgerInvoice>>>;

export function invoiceOut(r: LedgerInvoice, now: Date) {
  return {
    number: r.inv.number,
    customer: r.cust,
    status: r.inv.status,
    amount: moneyOf(r.inv.amountMinor, r.inv.currency),
    open: moneyOf(r.inv.openMinor, r.inv.currency),
    issueDate: r.inv.issueDate,
    dueDate: r.inv.dueDate,
    daysOverdue: daysOverdue(r.inv.dueDate, utcDate(now)),
  };
}

export async function latestAudit(db: Db, number: string, limit = 20) {
  const rows = await db.select().from(auditLog).where(eq(auditLog.invoiceNumber, number)).orderBy(desc(auditLog.id)).limit(limit);
  return rows.map((a) => ({
    at: a.at.toISOString(),
    action: a.action,
    actor: a.actor,
    approvedBy: a.approvedBy,
    reasoning: a.reasoning,
    policyVersion: a.policyVersion,
    details: a.details,
  }));
}
