/**
 * Cash application over HTTP: the bank transactions by status (the unapplied queue is
 * status=unapplied), applying one (approving a proposal, changing its allocations, or applying an
 * unapplied credit by hand) and unapplying one (rejecting a proposal, or taking back a credit
 * applied by mistake). viewer reads; approver decides within their limit; admin all.
 */
import { applyByHand, CashDecisionError, unapply } from '../../../cash/by-hand';
import { listCash, type CashListItem } from '../../../cash/list';
import { notifyInvoice, type NoticeOutcome } from '../../../cash/notify';
import { policyChangedSignal } from '../../../collections/messages';
import { invoiceWorkflowId } from '../../../temporal/workflow-ids';
import { requireWithinLimit } from '../../../access/roles';
import { createBuiltinLedger } from '../../../ledger/builtin';
import { parseAmount, pathParam, type AdminDeps } from '../deps';
import { badRequest, conflict, notFound, unprocessable } from '../errors';
import { errorOut } from '../schemas';
import type { ApiRouter } from '../route';
import { applyCashBody, cashDecisionOut, cashListOut, cashQuery, unapplyCashBody } from '../cash-schemas';

const err = (description: string) => ({ description, schema: errorOut });

function transactionId(params: Record<string, string>): number {
  const v = pathParam(params, 'id');
  if (!/^\d{1,15}$/.test(v)) throw badRequest('id', v, 'must be a bank transaction id (a whole number, as GET /api/cash lists it)');
  return Number(v);
}

function fromDecisionError(e: unknown): never {
  if (!(e instanceof CashDecisionError)) throw e;
  if (e.code === 'not_found') throw notFound(e.message);
  if (e.code === 'conflict') throw conflict(e.message);
  throw unprocessable(e.message, e.field ? { field: e.field } : {});
}

export function registerCashRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { db } = deps;
  const ledger = deps.ledger ?? createBuiltinLedger(db);

  api.add({
    method: 'get',
    path: '/api/cash',
    tag: 'cash',
    summary: 'List bank transactions (status: applied|proposed|unapplied|ignored; statement: a statement key)',
    description: 'The unapplied queue is status=unapplied. Amounts are decimal strings in the currency; confidence is null for debits.',
    permission: 'read',
    query: cashQuery,
    responses: { 200: { description: 'Bank transactions, by statement and position', schema: cashListOut }, 400: err('A bad filter') },
    handler: async ({ query }) => {
      const items = await listCash(db, query);
      return { items, total: items.length };
    },
  });

  api.add({
    method: 'post',
    path: '/api/cash/:id/apply',
    tag: 'cash',
    summary: 'Apply a bank credit: approve its proposal as it is (no allocations), or with the allocations given',
    description:
      'allocations: [{invoiceNumber, amount}] in the credit’s currency; their sum must not exceed the credit, each not the invoice’s open balance. ' +
      'Posts each allocation to the ledger (idempotent) and tells each invoice workflow (paymentApplied).',
    permission: 'decide',
    params: { id: 'Bank transaction id' },
    body: applyCashBody,
    responses: {
      200: {
        description: 'Applied: the transaction, the ledger postings and what each invoice workflow answered',
        schema: cashDecisionOut,
      },
      400: err('Bad input; nothing was posted'),
      403: err('Not an approver, or the amount is over your approval limit'),
      404: err('No such bank transaction'),
      409: err('Already applied, ignored, or a debit'),
      422: err('An allocation does not fit: unknown or closed invoice, another currency, more than open or than the credit'),
    },
    handler: async ({ user, params, body }) => {
      const id = transactionId(params);
      const [current] = await listCash(db, { id });
      if (!current) throw notFound(`bank transaction ${id} not found`);
      const allocations = body.allocations?.map((a, i) => ({
        invoiceNumber: a.invoiceNumber,
        amountMinor: parseAmount(a.amount, current.currency, `allocations.${i}.amount`),
      }));
      const total = (
        allocations ?? current.allocations.map((a) => ({ amountMinor: parseAmount(a.amount, current.currency, 'amount') }))
      ).reduce((s, a) => s + a.amountMinor, 0);
      requireWithinLimit(user, { currency: current.currency, minor: total });
      const r = await applyByHand(db, ledger, { transactionId: id, allocations, by: user.name, note: body.note }).catch(fromDecisionError);
      const invoices: NoticeOutcome[] = [];
      for (const n of r.posted.notices) invoices.push(await notifyInvoice(deps.temporal, n));
      return {
        transaction: await item(id),
        ledger: { posted: r.posted.posted, alreadyPosted: r.posted.alreadyPosted, refused: r.posted.refused },
        invoices,
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/cash/:id/unapply',
    tag: 'cash',
    summary: 'Send a bank credit to the unapplied queue: reject its proposal, or reverse its applications in the ledger',
    permission: 'decide',
    params: { id: 'Bank transaction id' },
    body: unapplyCashBody,
    responses: {
      200: { description: 'Unapplied: the transaction, and the invoices owed again', schema: cashDecisionOut },
      400: err('Bad input'),
      403: err('Not an approver, or the amount is over your approval limit'),
      404: err('No such bank transaction'),
      409: err('Not applied or proposed'),
    },
    handler: async ({ user, params, body }) => {
      const id = transactionId(params);
      const [current] = await listCash(db, { id });
      if (!current) throw notFound(`bank transaction ${id} not found`);
      requireWithinLimit(user, { currency: current.currency, minor: parseAmount(current.amount, current.currency, 'amount') });
      const r = await unapply(db, ledger, { transactionId: id, by: user.name, reason: body.reason }).catch(fromDecisionError);
      const invoices: NoticeOutcome[] = [];
      // A running invoice workflow re-reads its balance; a closed one is restarted by `ar sync`.
      for (const number of r.reopened) {
        try {
          await deps.temporal.workflow.getHandle(invoiceWorkflowId(number)).signal(policyChangedSignal);
          invoices.push({ invoiceNumber: number, told: true, detail: 'owed again: the workflow re-reads the ledger' });
        } catch {
          invoices.push({ invoiceNumber: number, told: false, detail: 'owed again; no running workflow' });
        }
      }
      return { transaction: await item(id), invoices };
    },
  });

  async function item(id: number): Promise<CashListItem> {
    const [t] = await listCash(db, { id });
    return t!;
  }
}
