/**
 * A bank return: a debit that sends back a credit we received (R-transactions, RtrInf). It
 * reverses that credit's applications in the ledger, so the invoices it paid are owed again.
 * The credit is found by its EndToEndId, else by its bank reference named in the return's text,
 * always with the same amount and currency. Idempotent: the port reverses an allocation once, and
 * a return that already names its credit is not looked at again.
 */
import { and, eq, ne, or, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { writeAudit } from '../db/audit';
import type { LedgerPort } from '../ledger/port';
import { cashWorkflowId } from '../temporal/workflow-ids';
import { cashPaymentId } from './keys';

export interface ReturnResult {
  returnId: number;
  /** The credit it returns, when one was found. */
  creditId: number | null;
  /** Invoices whose application was reversed. */
  reopened: string[];
}

export async function reverseReturn(db: Db, ledger: LedgerPort, returnId: number): Promise<ReturnResult> {
  const t = schema.bankTransactions;
  const [ret] = await db.select().from(t).where(eq(t.id, returnId));
  if (!ret?.isReturn || ret.direction !== 'debit') return { returnId, creditId: null, reopened: [] };
  const text = [ret.remittance, ret.additionalInfo ?? '', ...ret.structuredRefs].join(' ');
  const named = ret.endToEndId ? eq(t.endToEndId, ret.endToEndId) : sql`false`;
  const mentioned = sql`${t.entryRef} is not null and length(${t.entryRef}) >= 6 and strpos(${text}, ${t.entryRef}) > 0`;
  const [credit] = await db
    .select()
    .from(t)
    .where(
      and(
        eq(t.direction, 'credit'),
        eq(t.amountMinor, ret.amountMinor),
        eq(t.currency, ret.currency),
        ne(t.id, ret.id),
        or(named, mentioned),
      ),
    )
    .orderBy(t.id)
    .limit(1);
  if (!credit) {
    await db
      .update(t)
      .set({
        reasons: [...ret.reasons, 'A return, but no credit of this amount with its EndToEndId or reference is stored: nothing reversed'],
      })
      .where(eq(t.id, ret.id));
    return { returnId, creditId: null, reopened: [] };
  }
  const reopened: string[] = [];
  const by = `bank return ${ret.entryRef ?? `#${ret.seq}`}`;
  for (const a of credit.allocations) {
    const paymentId = cashPaymentId(cashWorkflowId(credit.statementKey), credit.seq, a.invoiceNumber, credit.applyRound);
    const r = await ledger.reversePaymentApplication({
      paymentId,
      invoiceNumber: a.invoiceNumber,
      reason: ret.returnReason ?? 'returned by the bank',
      reversedBy: by,
    });
    if (r.reversed) reopened.push(a.invoiceNumber);
    await writeAudit(db, {
      idempotencyKey: `cash-return:${paymentId}`,
      workflowId: cashWorkflowId(ret.statementKey),
      invoiceNumber: a.invoiceNumber,
      action: 'cash_reversed',
      actor: 'cash-application',
      reasoning: `Bank return of credit ${credit.entryRef ?? `#${credit.seq}`}${ret.returnReason ? `: ${ret.returnReason}` : ''}; its application is reversed and the invoice is owed again`,
      approvedBy: 'autonomous',
      details: { returnId, creditId: credit.id, paymentId, amountMinor: a.amountMinor, currency: credit.currency },
    });
  }
  await db.transaction(async (tx) => {
    if (credit.status !== 'ignored') {
      // The money went back: nothing is left to apply, now or by hand.
      await tx
        .update(t)
        .set({
          status: 'ignored',
          allocations: [],
          applyRound: credit.applyRound + 1,
          reasons: [...credit.reasons, `Returned by the bank in ${ret.entryRef ?? `#${ret.seq}`}: its application was reversed`],
          updatedAt: new Date(),
        })
        .where(eq(t.id, credit.id));
    }
    await tx
      .update(t)
      .set({
        returnsTransactionId: credit.id,
        reasons: [...ret.reasons, `Returns credit ${credit.entryRef ?? `#${credit.seq}`} (transaction ${credit.id})`],
        updatedAt: new Date(),
      })
      .where(eq(t.id, ret.id));
  });
  return { returnId, creditId: credit.id, reopened };
}
