/** Disputes with their invoice's open balance and customer, for the disputes list and resolution. */
import { and, asc, count, eq, ne, type SQL } from 'drizzle-orm';
import { schema, type Db } from '../../db/client';
import { after, cursorText, type KeysetKey } from './keyset';

const { disputes, invoices, customers } = schema;

function base(db: Db) {
  return db
    .select({
      d: disputes,
      inv: { currency: invoices.currency, openMinor: invoices.openMinor },
      cust: { id: customers.id, name: customers.name },
      key: cursorText(disputes.openedAt),
    })
    .from(disputes)
    .innerJoin(invoices, eq(invoices.number, disputes.invoiceNumber))
    .innerJoin(customers, eq(customers.id, invoices.customerId));
}

export type DisputeRow = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

export interface DisputeFilter {
  status: 'open' | 'resolved_invalid' | 'resolved_credit' | 'resolved_write_off' | 'resolved' | 'all';
  owner?: string;
  invoice?: string;
}

export async function getDispute(db: Db, id: string): Promise<DisputeRow | undefined> {
  const [row] = await base(db).where(eq(disputes.id, id));
  return row;
}

/** A page in (openedAt, id) order after a keyset key; limit+1 rows tell whether more follow. */
export async function listDisputes(
  db: Db,
  filter: DisputeFilter,
  page: { limit: number; after?: KeysetKey },
): Promise<{ rows: DisputeRow[]; total: number }> {
  const filters: SQL[] = [];
  if (filter.status === 'resolved') filters.push(ne(disputes.status, 'open'));
  else if (filter.status !== 'all') filters.push(eq(disputes.status, filter.status));
  if (filter.owner) filters.push(eq(disputes.owner, filter.owner));
  if (filter.invoice) filters.push(eq(disputes.invoiceNumber, filter.invoice));
  const where = and(...filters);
  const [rows, [total]] = await Promise.all([
    base(db)
      .where(page.after ? and(where, after(disputes.openedAt, disputes.id, page.after)) : where)
      .orderBy(asc(disputes.openedAt), asc(disputes.id))
      .limit(page.limit + 1),
    db.select({ n: count() }).from(disputes).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
