/** Disputes: the open list with owners and deadlines, and their resolution (admin). */
import { z } from 'zod';
import { invoiceWorkflowId } from '../../../temporal/client';
import type { Db } from '../../../db/client';
import { getDispute, listDisputes, type DisputeRow } from '../../../ledger/read-models/disputes';
import { utcDate } from '../../../domain/calendar';
import { disputeResolvedSchema } from '../schemas';
import { disputeResolvedUpdate } from '../../../collections/messages';
import { decodeCursor, encodeCursor } from '../cursor';
import { moneyOf, parseAmount, pathParam, type AdminDeps } from '../deps';
import { conflict, fromZodError, notFound } from '../errors';
import type { ApiRouter } from '../route';
import { disputeOut, disputesOut, disputesQuery, errorOut, invoiceStateOut, resolveDisputeBody, type DisputesQuery } from '../schemas';
import { executeUpdate } from '../temporal';

const err = (description: string) => ({ description, schema: errorOut });
type Row = DisputeRow;

function toOut(r: Row, now: Date): z.infer<typeof disputeOut> {
  const d = r.d;
  return {
    id: d.id,
    invoiceNumber: d.invoiceNumber,
    customer: r.cust,
    reason: d.reason,
    note: d.note,
    owner: d.owner,
    deadline: d.deadline,
    overdue: d.status === 'open' && d.deadline !== null && d.deadline < utcDate(now),
    status: d.status,
    open: moneyOf(r.inv.openMinor, r.inv.currency),
    openedBy: d.openedBy,
    openedAt: d.openedAt.toISOString(),
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    resolution: d.resolution,
  };
}

async function list(db: Db, q: DisputesQuery, now: Date) {
  const limit = q.limit ?? 50;
  const { rows, total } = await listDisputes(
    db,
    { status: q.status, owner: q.owner, invoice: q.invoice },
    { limit, after: q.cursor ? decodeCursor(q.cursor) : undefined },
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toOut(r, now)),
    total,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.key, id: last.d.id }) : null,
  };
}

export function registerDisputeRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  api.add({
    method: 'get',
    path: '/api/disputes',
    tag: 'disputes',
    summary: 'List disputes (open by default) with owner and deadline, oldest first',
    permission: 'read',
    query: disputesQuery,
    responses: { 200: { description: 'A page of disputes', schema: disputesOut }, 400: err('A bad filter') },
    handler: async ({ query }) => list(db, query, now()),
  });

  api.add({
    method: 'post',
    path: '/api/disputes/:id/resolve',
    tag: 'disputes',
    summary: 'Resolve a dispute: invalid (dunning resumes), credit (credit_amount in the invoice currency) or write_off (admin)',
    permission: 'resolve_dispute',
    params: { id: 'Dispute id' },
    body: resolveDisputeBody,
    responses: {
      200: {
        description: "The dispute and the invoice workflow's state",
        schema: z.object({ dispute: disputeOut, state: invoiceStateOut }),
      },
      400: err('Bad input; nothing reached the workflow'),
      403: err('Only admins resolve disputes'),
      404: err('No such dispute'),
      409: err('The dispute is not open (error.dispute holds its state), or the workflow is not running'),
      422: err("The workflow's validator refused the resolution"),
    },
    handler: async ({ user, params, body }) => {
      const id = pathParam(params, 'id');
      const row = await getDispute(db, id);
      if (!row) throw notFound(`dispute ${id} not found`);
      if (row.d.status !== 'open') throw conflict(`dispute ${id} is already ${row.d.status}`, { dispute: toOut(row, now()) });
      const creditMinor = body.credit_amount === undefined ? undefined : parseAmount(body.credit_amount, row.inv.currency, 'credit_amount');
      const input = { outcome: body.outcome, creditMinor, note: body.note, by: user.name };
      const parsed = disputeResolvedSchema.safeParse(input);
      if (!parsed.success) throw fromZodError(parsed.error, input);
      const state = await executeUpdate(deps.temporal, invoiceWorkflowId(row.d.invoiceNumber), disputeResolvedUpdate, [parsed.data], {
        timeoutMs: deps.updateTimeoutMs,
      });
      const after_ = await getDispute(db, id);
      return { dispute: toOut(after_ ?? row, now()), state };
    },
  });
}
