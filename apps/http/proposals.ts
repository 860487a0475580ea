/** Proposals with their invoice and customer, shaped for the approvals list and decisions. */
import { utcDate } from '../../domain/calendar';
import { daysOverdue } from '../../collections/dunning';
import type { Db } from '../../db/client';
import { getApproval, listApprovals, type ApprovalRow } from '../../ledger/read-models/approvals';
import { decodeCursor, encodeCursor } from './cursor';
import { moneyOf, parseAmount } from './deps';
import type { ApprovalsQuery, ProposalOut } from './schemas';

type Row = ApprovalRow;

export function toProposalOut(r: Row, now: Date): ProposalOut {
  const p = r.p;
  return {
    id: p.id,
    status: p.status,
    actionKind: p.actionKind,
    stepKey: p.stepKey,
    workflowId: p.workflowId,
    draft: { subject: p.subject, body: p.body, tone: p.tone },
    reasoning: p.reasoning,
    policyVersion: p.policyVersion,
    amount: moneyOf(p.amountMinor, p.currency),
    invoice: {
      number: r.inv.number,
      amount: moneyOf(r.inv.amountMinor, r.inv.currency),
      open: moneyOf(r.inv.openMinor, r.inv.currency),
      dueDate: r.inv.dueDate,
      daysOverdue: daysOverdue(r.inv.dueDate, utcDate(now)),
      status: r.inv.status,
    },
    customer: { id: r.cust.id, name: r.cust.name, tier: r.cust.tier },
    createdAt: p.createdAt.toISOString(),
    ageSeconds: Math.max(0, Math.floor((now.getTime() - p.createdAt.getTime()) / 1000)),
    escalated: p.escalatedAt !== null,
    decision:
      p.status === 'pending'
        ? null
        : {
            by: p.decidedBy,
            at: p.decidedAt?.toISOString() ?? null,
            note: p.decisionNote,
            editedSubject: p.editedSubject,
            editedBody: p.editedBody,
            editCategory: p.editCategory,
            editNote: p.editNote,
          },
  };
}

export async function getProposal(db: Db, id: string): Promise<Row | undefined> {
  return getApproval(db, id);
}

export async function listProposals(
  db: Db,
  q: ApprovalsQuery,
  now: Date,
): Promise<{ items: ProposalOut[]; total: number; nextCursor: string | null; page?: number }> {
  const limit = q.limit ?? 50;
  const { rows, total } = await listApprovals(
    db,
    {
      status: q.status,
      customer: q.customer,
      tier: q.tier,
      currency: q.currency,
      minAmountMinor: q.currency && q.min_amount !== undefined ? parseAmountOrZero(q.min_amount, q.currency, 'min_amount') : undefined,
      maxAmountMinor: q.currency && q.max_amount !== undefined ? parseAmountOrZero(q.max_amount, q.currency, 'max_amount') : undefined,
    },
    { limit, after: q.cursor ? decodeCursor(q.cursor) : undefined, offset: q.page ? (q.page - 1) * limit : undefined },
  );
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  const more = rows.length > limit;
  return {
    items: pageRows.map((r) => toProposalOut(r, now)),
    total,
    nextCursor: more && last && !q.page ? encodeCursor({ at: last.key, id: last.p.id }) : null,
    ...(q.page ? { page: q.page } : {}),
  };
}

/** Filter bounds may be zero ("from 0.00"). */
function parseAmountOrZero(text: string, currency: string, field: string): number {
  return /^0+(\.0+)?$/.test(text) ? 0 : parseAmount(text, currency, field);
}
