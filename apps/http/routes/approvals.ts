/**
 * The approvals queue: list proposals, approve (optionally with edits) or reject them.
 * A decision goes to the proposal's workflow as the decideProposal Update, signed with the
 * deciding user's name; the workflow records it in the audit trail and answers with the outcome.
 */
import type { Decision } from '../../../collections/message-schemas';
import { decideProposalUpdate, type DecisionOutcome } from '../../../collections/messages';
import type { AdminDeps } from '../deps';
import { pathParam } from '../deps';
import { conflict, fromZodError, HttpError, notFound } from '../errors';
import { getProposal, listProposals, toProposalOut } from '../proposals';
import type { AuthUser } from '../../../access/roles';
import { can, requireWithinLimit, withinLimit } from '../../../access/roles';
import { decodeCursor, encodeCursor } from '../cursor';
import type { ApiRouter } from '../route';
import {
  approvalsOut,
  approvalsQuery,
  approveBody,
  decisionOutcomeOut,
  decisionSchema,
  errorOut,
  rejectBody,
  type ApprovalsQuery,
  type ProposalOut,
} from '../schemas';
import { executeUpdate } from '../temporal';
import { cashApprovalsOut } from '../cash-schemas';
import { toCashListItem } from '../../../cash/list';
import { schema } from '../../../db/client';
import { toDecimal } from '../../../domain/money';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';

const err = (description: string) => ({ description, schema: errorOut });

/** Cash-match proposals: bank credits the matcher proposed, with what a person needs to decide them. */
async function listCashMatchProposals(deps: AdminDeps, user: AuthUser, query: ApprovalsQuery) {
  const { db } = deps;
  const rows = await db
    .select()
    .from(schema.bankTransactions)
    .where(eq(schema.bankTransactions.status, 'proposed'))
    .orderBy(asc(schema.bankTransactions.id));
  const items = rows
    .filter((r) => !query.currency || r.currency === query.currency)
    .filter((r) => query.decidable !== 'me' || (can(user, 'decide') && withinLimit(user, { currency: r.currency, minor: r.amountMinor })))
    .map((r) => ({
      id: String(r.id),
      kind: 'cash_match' as const,
      transaction: toCashListItem(r),
      candidates: (
        r.candidates as {
          customerId: string;
          allocations: { invoiceNumber: string; amountMinor: number }[];
          score: number;
          basis: string;
        }[]
      ).map((c) => ({
        customerId: c.customerId,
        allocations: c.allocations.map((a) => ({ invoiceNumber: a.invoiceNumber, amount: toDecimal(a.amountMinor, r.currency) })),
        score: c.score,
        basis: c.basis,
      })),
      evidence: r.reasons,
    }));
  const limit = query.limit ?? 50;
  return { items: items.slice(0, limit), total: items.length, nextCursor: null };
}

/**
 * A decision whose Update got no answer may still have reached the workflow. Sending it again is
 * safe: the workflow applies a proposal's decision once, and a repeat is answered 409 with the
 * decision it already took (who decided and what).
 */
const DECISION_MAY_HAVE_ARRIVED =
  'The decision may have been delivered to the workflow before the connection failed; retrying it is safe: a decision is applied once, and a repeat answers 409 with the decision already taken';

async function decide(deps: AdminDeps, user: AuthUser, id: string, fields: Omit<Decision, 'proposalId' | 'by'>): Promise<DecisionOutcome> {
  const now = deps.now?.() ?? new Date();
  const row = await getProposal(deps.db, id);
  if (!row) throw notFound(`proposal ${id} not found`);
  if (row.p.status !== 'pending') {
    throw conflict(`proposal ${id} is already ${row.p.status}${row.p.decidedBy ? ` (by ${row.p.decidedBy})` : ''}`, {
      proposal: toProposalOut(row, now),
    });
  }
  requireWithinLimit(user, { currency: row.p.currency, minor: row.p.amountMinor });

  const input = { proposalId: id, by: user.name, ...fields };
  const parsed = decisionSchema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error, input);

  try {
    return await executeUpdate(deps.temporal, row.p.workflowId, decideProposalUpdate, [parsed.data], {
      timeoutMs: deps.updateTimeoutMs,
      ifUndelivered: DECISION_MAY_HAVE_ARRIVED,
    });
  } catch (e) {
    // Someone else decided first, or the proposal was superseded: answer with the state now.
    if (e instanceof HttpError && e.status === 409) {
      const current = await getProposal(deps.db, id);
      const out = current ? toProposalOut(current, deps.now?.() ?? new Date()) : null;
      // Say what happened to it when the ledger already knows; keep the workflow's own words as detail.
      const message =
        out && out.status !== 'pending'
          ? `proposal ${id} is already ${out.status}${out.decision?.by ? ` (by ${out.decision.by})` : ''}`
          : e.body.message;
      throw conflict(message, { ...e.body, message, detail: e.body.message, proposal: out });
    }
    throw e;
  }
}

/** Can this user decide this proposal: the decide permission, and the amount within their limit in its currency? */
function decidableBy(user: AuthUser, item: ProposalOut): boolean {
  return can(user, 'decide') && withinLimit(user, { currency: item.amount.currency, minor: item.amount.minor });
}

/**
 * `decidable=me`: the list filtered to what the user may decide, with total, page and cursor over
 * the filtered list. A post-filter over the list query (walked in pages of 200), so it costs a
 * scan of every proposal matching the other filters; the limits belong in the query's WHERE.
 */
async function listDecidable(deps: AdminDeps, user: AuthUser, query: ApprovalsQuery, now: Date) {
  const { decidable: _decidable, page, cursor, limit: requested, ...filters } = query;
  const limit = requested ?? 50;
  const mine: ProposalOut[] = [];
  let next: string | undefined;
  do {
    const chunk = await listProposals(deps.db, { ...filters, limit: 200, cursor: next }, now);
    mine.push(...chunk.items.filter((item) => decidableBy(user, item)));
    next = chunk.nextCursor ?? undefined;
  } while (next);
  let start = page ? (page - 1) * limit : 0;
  if (cursor) {
    const k = decodeCursor(cursor);
    const after = mine.findIndex((item) => item.createdAt > k.at || (item.createdAt === k.at && item.id > k.id));
    start = after < 0 ? mine.length : after;
  }
  const items = mine.slice(start, start + limit);
  const last = items[items.length - 1];
  return {
    items,
    total: mine.length,
    nextCursor: !page && last && start + limit < mine.length ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
    ...(page ? { page } : {}),
  };
}

export function registerApprovalRoutes(api: ApiRouter, deps: AdminDeps): void {
  api.add({
    method: 'get',
    path: '/api/approvals',
    tag: 'approvals',
    summary: 'List proposals (pending by default), oldest first',
    description:
      'Filters: customer (id, or part of the name), tier, currency, min_amount/max_amount (decimal strings in `currency`, which they require). ' +
      'decidable=me: only what the signed-in user may decide (role, approval limit in the currency). ' +
      'Paginate with limit + cursor (nextCursor of the previous page) or limit + page. ' +
      'kind=cash_match: the bank credits proposed for a person (the transaction, the top candidates, the evidence; currency and decidable=me filter them); ' +
      'decide them with POST /api/cash/:id/apply (approve, or change the allocations) or /unapply (reject to the unapplied queue).',
    permission: 'read',
    query: approvalsQuery,
    responses: {
      200: {
        description: 'A page of proposals (with kind=cash_match: the cash-match proposals)',
        schema: z.union([approvalsOut, cashApprovalsOut]),
      },
      400: err('A bad filter'),
    },
    handler: async ({ user, query }) =>
      query.kind === 'cash_match'
        ? listCashMatchProposals(deps, user, query)
        : query.decidable === 'me'
          ? listDecidable(deps, user, query, deps.now?.() ?? new Date())
          : listProposals(deps.db, query, deps.now?.() ?? new Date()),
  });

  const decisionResponses = {
    200: { description: "The workflow's outcome", schema: decisionOutcomeOut },
    400: err('Bad input; nothing reached the workflow'),
    403: err('Not an approver, or the amount is over your approval limit'),
    404: err('No such proposal'),
    409: err('Already decided, superseded or withdrawn (error.proposal holds its current state), or its workflow is not running'),
    422: err("The workflow's validator refused the decision"),
  };

  api.add({
    method: 'post',
    path: '/api/approvals/:id/approve',
    tag: 'approvals',
    summary: 'Approve a proposal, optionally with edits to the subject and body (and what they changed: editCategory)',
    permission: 'decide',
    params: { id: 'Proposal id' },
    body: approveBody,
    responses: decisionResponses,
    handler: async ({ user, params, body }) =>
      decide(deps, user, pathParam(params, 'id'), {
        decision: 'approve',
        note: body.note,
        edits: body.edits,
        editCategory: body.editCategory,
        editNote: body.editNote,
      }),
  });

  api.add({
    method: 'post',
    path: '/api/approvals/:id/reject',
    tag: 'approvals',
    summary: 'Reject a proposal with a reason; nothing is sent',
    permission: 'decide',
    params: { id: 'Proposal id' },
    body: rejectBody,
    responses: decisionResponses,
    handler: async ({ user, params, body }) =>
      decide(deps, user, pathParam(params, 'id'), { decision: 'reject', reason: body.reason, note: body.note }),
  });
}
