/** The ledger's view of an invoice (facts, customer, latest audit entries): the fallback when no workflow runs. */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { schema } from '../../db/client';
import { utcDate } from '../../domain/calendar';
import { daysOverdue } from '../../collections/dunning';
import { getInvoiceView, type InvoiceView } from '../../ledger/read-models/invoice-view';
import { moneyOf } from './deps';
import { notFound } from './errors';

const { auditLog } = schema;

export const getLedgerInvoice = getInvoiceView;

export async function requireLedgerInvoice(db: Db, number: string): Promise<InvoiceView> {
  const row = await getInvoiceView(db, number);
  if (!row) throw notFound(`invoice ${number} not found`);
  return row;
}

export function invoiceOut(r: InvoiceView, now: Date) {
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
