/** Reading proposals with their invoice and customer, for the approvals list and decisions. */
import { and, asc, count, eq, gte, ilike, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { schema } from '../../db/client';
import { utcDate } from '../../domain/calendar';
import { daysOverdue } from '../../collections/dunning';
import { after, cursorText, decodeCursor, encodeCursor } from './cursor';
import { moneyOf, parseAmount } from './deps';
import type { ApprovalsQuery, ProposalOut } from './schemas';

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

type Row = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];
export type ProposalRow = Row['p'];

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
        : { by: p.decidedBy, at: p.decidedAt?.toISOString() ?? null, note: p.decisionNote, editedSubject: p.editedSubject, editedBody: p.editedBody },
  };
}

export async function getProposal(db: Db, id: string): Promise<Row | undefined> {
  const [row] = await base(db).where(eq(proposals.id, id));
  return row;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listProposals(
  db: Db,
  q: ApprovalsQuery,
  now: Date,
): Promise<{ items: ProposalOut[]; total: number; nextCursor: string | null; page?: number }> {
  const filters: SQL[] = [];
  if (q.status !== 'all') filters.push(eq(proposals.status, q.status));
  if (q.customer) filters.push(or(eq(customers.id, q.customer), ilike(customers.name, `%${escapeLike(q.customer)}%`))!);
  if (q.tier) filters.push(eq(customers.tier, q.tier));
  if (q.currency) {
    filters.push(eq(proposals.currency, q.currency));
    if (q.min_amount !== undefined) filters.push(gte(proposals.amountMinor, parseAmountOrZero(q.min_amount, q.currency, 'min_amount')));
    if (q.max_amount !== undefined) filters.push(lte(proposals.amountMinor, parseAmountOrZero(q.max_amount, q.currency, 'max_amount')));
  }
  const limit = q.limit ?? 50;
  const where = and(...filters);
  const pageWhere = q.cursor ? and(where, after(proposals.createdAt, proposals.id, decodeCursor(q.cursor))) : where;

  let query = base(db).where(pageWhere).orderBy(asc(proposals.createdAt), asc(proposals.id)).limit(limit + 1).$dynamic();
  if (q.page) query = query.offset((q.page - 1) * limit);
  const [rows, [totalRow]] = await Promise.all([
    query,
    db
      .select({ n: count() })
      .from(proposals)
      .innerJoin(invoices, eq(invoices.number, proposals.invoiceNumber))
      .innerJoin(customers, eq(customers.id, proposals.customerId))
      .where(where),
  ]);
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  const more = rows.length > limit;
  return {
    items: pageRows.map((r) => toProposalOut(r, now)),
    total: totalRow?.n ?? 0,
    nextCursor: more && last && !q.page ? encodeCursor({ at: last.key, id: last.p.id }) : null,
    ...(q.page ? { page: q.page } : {}),
  };
}

/** Filter bounds may be zero ("from 0.00"). */
function parseAmountOrZero(text: string, currency: string, field: string): number {
  return /^0+(\.0+)?$/.test(text) ? 0 : parseAmount(text, currency, field);
}
