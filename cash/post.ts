/**
 * Posting one bank transaction's allocations to the ledger through the ERP port. Each allocation
 * is its own receipt under a derived payment id (cash/keys.ts), so a retry, a re-run of the
 * statement's workflow or a person applying by hand posts nothing twice (the port answers
 * applied=false). Every posting gets an audit row with the reasoning, policy version and approver.
 */
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { writeAudit } from '../db/audit';
import { toDecimal } from '../domain/money';
import { LedgerError, type LedgerPort } from '../ledger/port';
import { cashWorkflowId } from '../temporal/workflow-ids';
import { cashPaymentId, deductionDisputeId } from './keys';

/** What an invoice workflow is told once the ledger has the allocation. */
export interface InvoiceNotice {
  invoiceNumber: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  by: string;
  /** A short payment that becomes a deduction dispute on this invoice. */
  dispute?: { disputeId: string; reason: string; note: string };
}

export interface PostResult {
  transactionId: number;
  posted: number;
  alreadyPosted: number;
  refused: string[];
  notices: InvoiceNotice[];
}

export async function postTransaction(db: Db, ledger: LedgerPort, transactionId: number): Promise<PostResult> {
  const [tx] = await db.select().from(schema.bankTransactions).where(eq(schema.bankTransactions.id, transactionId));
  const out: PostResult = { transactionId, posted: 0, alreadyPosted: 0, refused: [], notices: [] };
  if (tx?.status !== 'applied') return out;
  const workflowId = cashWorkflowId(tx.statementKey);
  const by = tx.decidedBy ?? 'autonomous';
  const kept: { invoiceNumber: string; amountMinor: number }[] = [];
  for (const a of tx.allocations) {
    const paymentId = cashPaymentId(workflowId, tx.seq, a.invoiceNumber, tx.applyRound);
    const inv = await ledger.getInvoice(a.invoiceNumber);
    try {
      if (!inv) throw new LedgerError(`invoice ${a.invoiceNumber} not found`, 'not_found');
      const r = await ledger.receivePayment({
        paymentId,
        customerId: inv.customerId,
        invoiceNumber: a.invoiceNumber,
        receivedOn: tx.bookingDate,
        currency: tx.currency,
        amountMinor: a.amountMinor,
        reference: tx.entryRef,
        appliedBy: by,
        source: 'bank',
        payer: tx.payerName,
      });
      if (r.applied) out.posted++;
      else out.alreadyPosted++;
    } catch (err) {
      // A refusal (the invoice was paid meanwhile, voided, another currency) cannot succeed on retry.
      if (!(err instanceof LedgerError) || err.code === 'conflict') throw err;
      out.refused.push(`${a.invoiceNumber}: ${err.message}`);
      continue;
    }
    kept.push(a);
    await writeAudit(db, {
      idempotencyKey: `cash-post:${paymentId}`,
      workflowId,
      invoiceNumber: a.invoiceNumber,
      customerId: inv.customerId,
      action: 'cash_applied',
      actor: by === 'autonomous' ? 'cash-application' : by,
      reasoning: tx.reasons.join(' '),
      policyVersion: tx.policyVersion ?? undefined,
      approvedBy: by,
      details: {
        transactionId,
        entryRef: tx.entryRef,
        paymentId,
        amountMinor: a.amountMinor,
        currency: tx.currency,
        confidence: tx.confidence,
      },
    });
    const notice: InvoiceNotice = { invoiceNumber: a.invoiceNumber, paymentId, amountMinor: a.amountMinor, currency: tx.currency, by };
    const sp = tx.shortPayment;
    const short = sp ? `${toDecimal(sp.shortMinor, tx.currency)} ${tx.currency}` : '';
    const where = `bank transaction ${tx.entryRef ?? `#${tx.seq}`}${tx.remittance ? ` ("${tx.remittance.slice(0, 200)}")` : ''}`;
    if (sp && sp.kind === 'deduction' && sp.invoiceNumber === a.invoiceNumber) {
      notice.dispute = {
        disputeId: deductionDisputeId(workflowId, tx.seq, a.invoiceNumber),
        reason: 'deduction',
        note: `Short payment of ${short} in ${where}`,
      };
    }
    // Bank charges within tolerance: writing them off is a person's decision (write_off is always human),
    // proposed through the dispute path so nobody chases the few cents meanwhile; resolve it as write_off.
    if (sp && sp.kind === 'fees' && sp.invoiceNumber === a.invoiceNumber) {
      notice.dispute = {
        disputeId: deductionDisputeId(workflowId, tx.seq, a.invoiceNumber).replace(/:deduction$/, ':fees'),
        reason: 'bank charges',
        note: `Paid ${short} short, within the tolerance for bank charges, in ${where}: write-off proposed (resolve the dispute as write_off)`,
      };
    }
    out.notices.push(notice);
  }
  if (out.refused.length > 0) {
    // What the ledger refused is not applied: the transaction says so, and what it kept is all it holds.
    await db
      .update(schema.bankTransactions)
      .set({
        allocations: kept,
        status: kept.length > 0 ? 'applied' : 'unapplied',
        reasons: [...tx.reasons, ...out.refused.map((r) => `The ledger refused an allocation: ${r}`)],
        updatedAt: new Date(),
      })
      .where(eq(schema.bankTransactions.id, transactionId));
  }
  return out;
}
