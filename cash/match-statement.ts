/**
 * Matching one stored statement: index the ledger's open invoices and their customers once, then
 * decide each credit not yet decided (cash/decide.ts) and write the decision to its row. Resumable:
 * a retry (or a new run) skips what is already decided, so a worker killed halfway picks up where
 * the rows say it stopped. `onProgress` lets the activity heartbeat on a big statement.
 */
import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { autonomyGate } from '../domain/autonomy';
import type { Policy } from '../domain/policy';
import type { CustomerRecord, InvoiceRecord, LedgerPort } from '../ledger/port';
import { decideCredit, type CashStatus } from './decide';
import { createMatcher, type CustomerIdentity, type OpenInvoice } from './matching';

export interface MatchSummary {
  decided: Record<CashStatus | 'ignored', number>;
  /** Transactions of the statement now applied: the ones to post (posting is idempotent). */
  toPost: number[];
  /** Returns (debits marked as returns) to reverse the credit they return. */
  returns: number[];
}

export async function matchStatement(
  db: Db,
  ledger: LedgerPort,
  policy: Policy,
  statementKey: string,
  onProgress: (phase: string, done: number, total: number) => void = () => undefined,
): Promise<MatchSummary> {
  const t = schema.bankTransactions;
  const pending = await db
    .select()
    .from(t)
    .where(and(eq(t.statementKey, statementKey), eq(t.direction, 'credit'), eq(t.status, 'unapplied'), isNull(t.confidence)))
    .orderBy(asc(t.seq));
  const decided: MatchSummary['decided'] = { applied: 0, proposed: 0, unapplied: 0, ignored: 0 };

  if (pending.length > 0) {
    const invoices = await allOpenInvoices(ledger, (n) => onProgress('reading open invoices', n, 0));
    const customers = new Map<string, CustomerRecord>();
    for (const id of new Set(invoices.map((i) => i.customerId))) {
      const c = await ledger.getCustomer(id);
      if (c) customers.set(id, c);
      if (customers.size % 200 === 0) onProgress('reading customers', customers.size, 0);
    }
    const known = await knownAccounts(db);
    const identities: CustomerIdentity[] = [...customers.values()].map((c) => ({
      id: c.id,
      name: c.name,
      knownAccounts: known.get(c.id) ?? [],
    }));
    const matcher = createMatcher(invoices.map(toOpenInvoice), identities, {
      autoApplyMinConfidence: policy.cash.autoApplyMinConfidence,
      proposeMinConfidence: policy.cash.proposeMinConfidence,
      tolerance: policy.cash.tolerance,
    });
    const remaining = new Map(invoices.map((i) => [i.number, i.openMinor]));

    for (const [k, row] of pending.entries()) {
      if (!row.booked) {
        await db
          .update(t)
          .set({
            status: 'ignored',
            reasons: ['Not booked by the bank (pending or information only): nothing to apply yet'],
            updatedAt: new Date(),
          })
          .where(eq(t.id, row.id));
        decided.ignored++;
        continue;
      }
      const result = matcher.match({
        id: String(row.id),
        amountMinor: row.amountMinor as never,
        currency: row.currency,
        bookingDate: row.bookingDate,
        payerName: row.payerName,
        payerAccount: row.payerAccount,
        remittance: row.remittance,
        structuredRefs: row.structuredRefs,
        endToEndId: row.endToEndId,
      });
      const customer = result.customerId ? customers.get(result.customerId) : undefined;
      const allocated = result.allocations.reduce((s, a) => s + (a.amountMinor as number), 0);
      const gate = customer
        ? autonomyGate(
            {
              action: 'cash_match',
              tier: customer.tier,
              segment: customer.segment,
              currency: row.currency,
              amountMinor: allocated,
              noTouch: customer.noTouch,
              riskScore: customer.riskScore,
            },
            policy.autonomy,
          )
        : null;
      const d = decideCredit({
        result,
        currency: row.currency,
        remittance: row.remittance,
        gate,
        autoApplyMinConfidence: policy.cash.autoApplyMinConfidence,
        remaining,
      });
      if (d.status !== 'unapplied')
        for (const a of d.allocations) remaining.set(a.invoiceNumber, (remaining.get(a.invoiceNumber) ?? 0) - a.amountMinor);
      await db
        .update(t)
        .set({
          status: d.status,
          confidence: d.confidence,
          customerId: d.customerId,
          allocations: d.allocations,
          candidates: result.candidates,
          shortPayment: d.shortPayment,
          reasons: d.reasons,
          policyVersion: policy.version,
          decidedBy: d.status === 'applied' ? 'autonomous' : null,
          decidedAt: d.status === 'applied' ? new Date() : null,
          updatedAt: new Date(),
        })
        .where(and(eq(t.id, row.id), isNull(t.confidence)));
      decided[d.status]++;
      if ((k + 1) % 100 === 0) onProgress('matching', k + 1, pending.length);
    }
    onProgress('matching', pending.length, pending.length);
  }

  const toPost = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.statementKey, statementKey), eq(t.status, 'applied'), eq(t.decidedBy, 'autonomous')))
    .orderBy(asc(t.seq));
  const returns = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.statementKey, statementKey), eq(t.direction, 'debit'), eq(t.isReturn, true), isNull(t.returnsTransactionId)))
    .orderBy(asc(t.seq));
  return { decided, toPost: toPost.map((r) => r.id), returns: returns.map((r) => r.id) };
}

async function allOpenInvoices(ledger: LedgerPort, onPage: (n: number) => void): Promise<InvoiceRecord[]> {
  const out: InvoiceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listOpenInvoices({ cursor, limit: 1000 });
    out.push(...page.invoices);
    cursor = page.nextCursor;
    onPage(out.length);
  } while (cursor);
  return out;
}

function toOpenInvoice(i: InvoiceRecord): OpenInvoice {
  return {
    number: i.number,
    customerId: i.customerId,
    currency: i.currency,
    openMinor: i.openMinor as never,
    amountMinor: i.amountMinor as never,
    issueDate: i.issueDate,
    dueDate: i.dueDate,
    poNumber: i.poNumber,
    paymentReference: null,
  };
}

/** Payer accounts learned from credits applied before: the strongest payer evidence the matcher has. */
async function knownAccounts(db: Db): Promise<Map<string, string[]>> {
  const t = schema.bankTransactions;
  const rows = await db
    .selectDistinct({ customerId: t.customerId, account: t.payerAccount })
    .from(t)
    .where(and(eq(t.status, 'applied'), isNotNull(t.customerId), isNotNull(t.payerAccount)));
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.customerId!, [...(out.get(r.customerId!) ?? []), r.account!]);
  return out;
}
