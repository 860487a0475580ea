/**
 * The approvals inbox: proposals (the system's own records) with their invoice's ledger facts and
 * customer. One query, paged and filtered, because the inbox is; for the built-in ledger it joins
 * the ledger tables (an ERP adapter would keep a local copy of these facts to join).
 */
import { and, asc, count, eq, gte, ilike, lte, or, type SQL } from 'drizzle-orm';
import { schema, type Db } from '../../db/client';
import type { ProposalStatus } from '../../db/schema';
import { after, cursorText, type KeysetKey } from './keyset';

const { proposals, invoices, customers } = schema;

const columns = {
  p: proposals,
  inv: {
    number: invoices.number,
    currency: invoices.currency,
    amountMinor: invoices.amountMinor,
    openMinor: invoices.openMinor,
    dueDate: invoices.dueDate,
    status: invoices.status,
  },
  cust: { id: customers.id, name: customers.name, tier: customers.tier },
  key: cursorText(proposals.createdAt),
};

function base(db: Db) {
  return db
    .select(columns)
    .from(proposals)
    .innerJoin(invoices, eq(invoices.number, proposals.invoiceNumber))
    .innerJoin(customers, eq(customers.id, proposals.customerId));
}

export type ApprovalRow = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

export interface ApprovalFilter {
  status: ProposalStatus | 'all';
  /** Customer id (exact) or part of the customer's name (case-insensitive). */
  customer?: string;
  tier?: 'strategic' | 'standard' | 'small';
  /** Amount bounds apply only with a currency (amounts in different currencies never compare). */
  currency?: string;
  minAmountMinor?: number;
  maxAmountMinor?: number;
}

export async function getApproval(db: Db, id: string): Promise<ApprovalRow | undefined> {
  const [row] = await base(db).where(eq(proposals.id, id));
  return row;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A page in (createdAt, id) order: after a keyset key, or at an offset; limit+1 rows tell whether more follow. */
export async function listApprovals(
  db: Db,
  filter: ApprovalFilter,
  page: { limit: number; after?: KeysetKey; offset?: number },
): Promise<{ rows: ApprovalRow[]; total: number }> {
  const filters: SQL[] = [];
  if (filter.status !== 'all') filters.push(eq(proposals.status, filter.status));
  if (filter.customer) filters.push(or(eq(customers.id, filter.customer), ilike(customers.name, `%${escapeLike(filter.customer)}%`))!);
  if (filter.tier) filters.push(eq(customers.tier, filter.tier));
  if (filter.currency) {
    filters.push(eq(proposals.currency, filter.currency));
    if (filter.minAmountMinor !== undefined) filters.push(gte(proposals.amountMinor, filter.minAmountMinor));
    if (filter.maxAmountMinor !== undefined) filters.push(lte(proposals.amountMinor, filter.maxAmountMinor));
  }
  const where = and(...filters);
  const pageWhere = page.after ? and(where, after(proposals.createdAt, proposals.id, page.after)) : where;
  let query = base(db)
    .where(pageWhere)
    .orderBy(asc(proposals.createdAt), asc(proposals.id))
    .limit(page.limit + 1)
    .$dynamic();
  if (page.offset) query = query.offset(page.offset);
  const [rows, [totalRow]] = await Promise.all([
    query,
    db
      .select({ n: count() })
      .from(proposals)
      .innerJoin(invoices, eq(invoices.number, proposals.invoiceNumber))
      .innerJoin(customers, eq(customers.id, proposals.customerId))
      .where(where),
  ]);
  return { rows, total: totalRow?.n ?? 0 };
}
