/**
 * The bank transactions as people and scripts read them (`ar cash list --json`, GET /api/cash):
 * amounts as decimal strings in their currency, allocations by invoice number.
 */
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import type { BankTxStatus } from '../db/cash-schema';
import { toDecimal } from '../domain/money';

export interface CashListItem {
  id: number;
  statement: string;
  entryRef: string | null;
  bookingDate: string;
  valueDate: string | null;
  amount: string;
  currency: string;
  direction: 'credit' | 'debit';
  payer: string | null;
  payerAccount: string | null;
  remittance: string;
  status: BankTxStatus;
  confidence: number | null;
  customerId: string | null;
  allocations: { invoiceNumber: string; amount: string }[];
  reasons: string[];
}

export interface CashListFilter {
  id?: number;
  status?: BankTxStatus;
  statement?: string;
  limit?: number;
}

type Row = typeof schema.bankTransactions.$inferSelect;

export function toCashListItem(r: Row): CashListItem {
  return {
    id: r.id,
    statement: r.statementKey,
    entryRef: r.entryRef,
    bookingDate: r.bookingDate,
    valueDate: r.valueDate,
    amount: toDecimal(r.amountMinor, r.currency),
    currency: r.currency,
    direction: r.direction,
    payer: r.payerName,
    payerAccount: r.payerAccount,
    remittance: r.remittance,
    status: r.status,
    confidence: r.confidence,
    customerId: r.customerId,
    allocations: r.allocations.map((a) => ({ invoiceNumber: a.invoiceNumber, amount: toDecimal(a.amountMinor, r.currency) })),
    reasons: r.reasons,
  };
}

export async function listCash(db: Db, filter: CashListFilter = {}): Promise<CashListItem[]> {
  const t = schema.bankTransactions;
  const where: SQL[] = [];
  if (filter.id !== undefined) where.push(eq(t.id, filter.id));
  if (filter.status) where.push(eq(t.status, filter.status));
  if (filter.statement) where.push(eq(t.statementKey, filter.statement));
  const rows = await db
    .select()
    .from(t)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(t.statementKey), asc(t.seq))
    .limit(filter.limit ?? 10_000);
  return rows.map(toCashListItem);
}
