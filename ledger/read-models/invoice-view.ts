/** An invoice's ledger facts with its customer's name and tier: the invoice page and the checks before a message. */
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../../db/client';
import type { InvoiceRecord } from '../port';

const { invoices, customers } = schema;

export interface InvoiceView {
  inv: InvoiceRecord;
  cust: { id: string; name: string; tier: 'strategic' | 'standard' | 'small' };
}

export async function getInvoiceView(db: Db, number: string): Promise<InvoiceView | undefined> {
  const [row] = await db
    .select({
      inv: {
        number: invoices.number,
        customerId: invoices.customerId,
        currency: invoices.currency,
        amountMinor: invoices.amountMinor,
        openMinor: invoices.openMinor,
        issueDate: invoices.issueDate,
        dueDate: invoices.dueDate,
        terms: invoices.terms,
        poNumber: invoices.poNumber,
        status: invoices.status,
        noTouch: invoices.noTouch,
      },
      cust: { id: customers.id, name: customers.name, tier: customers.tier },
    })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(eq(invoices.number, number));
  return row;
}
