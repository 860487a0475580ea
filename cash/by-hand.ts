/**
 * A person's decisions on a bank transaction (the admin endpoint calls these): apply it with the
 * allocations they choose (approving a proposal as it is, or changed, or applying an unapplied
 * credit by hand), reject a proposal to the unapplied queue, or unapply a credit applied by
 * mistake (its ledger applications are reversed). Recorded with the person's name in the row and
 * the audit trail; postings keep the derived payment ids, so a repeated request posts nothing twice.
 */
import { and, eq } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { writeAudit } from '../db/audit';
import { toDecimal } from '../domain/money';
import type { LedgerPort } from '../ledger/port';
import { cashWorkflowId } from '../temporal/workflow-ids';
import { cashPaymentId } from './keys';
import { postTransaction, type PostResult } from './post';

export class CashDecisionError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'conflict' | 'invalid',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CashDecisionError';
  }
}

type Row = typeof schema.bankTransactions.$inferSelect;

/** Only the row as it was read: two people deciding the same credit at once cannot both win. */
function unchanged(row: Row) {
  const t = schema.bankTransactions;
  return and(eq(t.id, row.id), eq(t.status, row.status), eq(t.applyRound, row.applyRound));
}

async function load(db: Db, id: number): Promise<Row> {
  const [row] = await db.select().from(schema.bankTransactions).where(eq(schema.bankTransactions.id, id));
  if (!row) throw new CashDecisionError(`bank transaction ${id} not found`, 'not_found');
  return row;
}

/** Validates a person's allocations against the credit and the ledger, with messages that name the field. */
async function checkAllocations(
  ledger: LedgerPort,
  row: Row,
  allocations: { invoiceNumber: string; amountMinor: number }[],
): Promise<void> {
  const money = (m: number) => `${toDecimal(m, row.currency)} ${row.currency}`;
  const seen = new Set<string>();
  let total = 0;
  for (const [i, a] of allocations.entries()) {
    if (seen.has(a.invoiceNumber))
      throw new CashDecisionError(`invoice ${a.invoiceNumber} is allocated twice`, 'invalid', `allocations.${i}.invoiceNumber`);
    seen.add(a.invoiceNumber);
    const inv = await ledger.getInvoice(a.invoiceNumber);
    if (!inv) throw new CashDecisionError(`invoice ${a.invoiceNumber} not found`, 'invalid', `allocations.${i}.invoiceNumber`);
    if (inv.currency !== row.currency)
      throw new CashDecisionError(
        `invoice ${a.invoiceNumber} is in ${inv.currency}, the credit in ${row.currency}: currencies never mix`,
        'invalid',
        `allocations.${i}.invoiceNumber`,
      );
    if (inv.status !== 'open' && inv.status !== 'disputed')
      throw new CashDecisionError(
        `invoice ${a.invoiceNumber} is ${inv.status}: it takes no payments`,
        'invalid',
        `allocations.${i}.invoiceNumber`,
      );
    if (a.amountMinor > inv.openMinor)
      throw new CashDecisionError(
        `${money(a.amountMinor)} exceeds the open balance ${money(inv.openMinor)} of ${a.invoiceNumber}`,
        'invalid',
        `allocations.${i}.amount`,
      );
    total += a.amountMinor;
  }
  if (total > row.amountMinor)
    throw new CashDecisionError(
      `the allocations add up to ${money(total)}, more than the credit of ${money(row.amountMinor)}`,
      'invalid',
      'allocations',
    );
}

export async function applyByHand(
  db: Db,
  ledger: LedgerPort,
  input: { transactionId: number; allocations?: { invoiceNumber: string; amountMinor: number }[]; by: string; note?: string },
): Promise<{ row: Row; posted: PostResult }> {
  const row = await load(db, input.transactionId);
  if (row.direction !== 'credit')
    throw new CashDecisionError(`bank transaction ${row.id} is a debit: debits are never applied`, 'conflict');
  if (row.status === 'applied')
    throw new CashDecisionError(
      `bank transaction ${row.id} is already applied${row.decidedBy ? ` (by ${row.decidedBy})` : ''}`,
      'conflict',
    );
  if (row.status === 'ignored')
    throw new CashDecisionError(`bank transaction ${row.id} is ignored: ${row.reasons.at(-1) ?? ''}`, 'conflict');
  const allocations = input.allocations ?? row.allocations;
  if (allocations.length === 0)
    throw new CashDecisionError('allocations: name at least one invoice to apply the credit to', 'invalid', 'allocations');
  await checkAllocations(ledger, row, allocations);
  const same = JSON.stringify(allocations) === JSON.stringify(row.allocations);
  const what = row.status === 'proposed' ? (same ? 'Proposal approved' : 'Proposal approved with changed allocations') : 'Applied by hand';
  const listed = allocations.map((a) => `${a.invoiceNumber} ${toDecimal(a.amountMinor, row.currency)}`).join(', ');
  const taken = await db
    .update(schema.bankTransactions)
    .set({
      status: 'applied',
      allocations,
      // A deduction dispute follows the matcher's short payment only for the allocation it judged.
      shortPayment: same ? row.shortPayment : null,
      decidedBy: input.by,
      decidedAt: new Date(),
      reasons: [...row.reasons, `${what} by ${input.by}: ${listed}${input.note ? ` (${input.note})` : ''}`],
      updatedAt: new Date(),
    })
    .where(unchanged(row))
    .returning({ id: schema.bankTransactions.id });
  if (taken.length === 0) throw new CashDecisionError(`bank transaction ${row.id} was decided by someone else meanwhile`, 'conflict');
  await writeAudit(db, {
    idempotencyKey: `cash-decision:${row.id}:${row.applyRound}:apply`,
    workflowId: cashWorkflowId(row.statementKey),
    customerId: row.customerId ?? undefined,
    action: 'cash_match_decided',
    actor: input.by,
    reasoning: `${what}: ${listed}`,
    policyVersion: row.policyVersion ?? undefined,
    approvedBy: input.by,
    details: { transactionId: row.id, allocations, proposed: row.allocations, confidence: row.confidence },
  });
  const posted = await postTransaction(db, ledger, row.id);
  return { row: await load(db, row.id), posted };
}

/** A proposal rejected, or an applied credit taken back: it goes to the unapplied queue. */
export async function unapply(
  db: Db,
  ledger: LedgerPort,
  input: { transactionId: number; by: string; reason?: string },
): Promise<{ row: Row; reopened: string[] }> {
  const row = await load(db, input.transactionId);
  if (row.status !== 'applied' && row.status !== 'proposed')
    throw new CashDecisionError(
      `bank transaction ${row.id} is ${row.status}: only an applied or proposed credit can be unapplied`,
      'conflict',
    );
  const reopened: string[] = [];
  if (row.status === 'applied') {
    for (const a of row.allocations) {
      const paymentId = cashPaymentId(cashWorkflowId(row.statementKey), row.seq, a.invoiceNumber, row.applyRound);
      const r = await ledger.reversePaymentApplication({
        paymentId,
        invoiceNumber: a.invoiceNumber,
        reason: input.reason ?? 'unapplied',
        reversedBy: input.by,
      });
      if (r.reversed) reopened.push(a.invoiceNumber);
    }
  }
  const what = row.status === 'applied' ? 'Unapplied' : 'Proposal rejected';
  await db
    .update(schema.bankTransactions)
    .set({
      status: 'unapplied',
      allocations: [],
      shortPayment: null,
      applyRound: row.status === 'applied' ? row.applyRound + 1 : row.applyRound,
      decidedBy: input.by,
      decidedAt: new Date(),
      reasons: [...row.reasons, `${what} by ${input.by}${input.reason ? `: ${input.reason}` : ''}`],
      updatedAt: new Date(),
    })
    .where(unchanged(row));
  await writeAudit(db, {
    idempotencyKey: `cash-decision:${row.id}:${row.applyRound}:unapply`,
    workflowId: cashWorkflowId(row.statementKey),
    customerId: row.customerId ?? undefined,
    action: row.status === 'applied' ? 'cash_unapplied' : 'cash_match_rejected',
    actor: input.by,
    reasoning: `${what}${input.reason ? `: ${input.reason}` : ''}`,
    policyVersion: row.policyVersion ?? undefined,
    approvedBy: input.by,
    details: { transactionId: row.id, allocations: row.allocations, reopened },
  });
  return { row: await load(db, row.id), reopened };
}
