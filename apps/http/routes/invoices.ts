/**
 * One invoice: its live state, and what people tell its workflow (promises, disputes, pauses,
 * manual payments). The invoice must exist in the ledger; amounts are parsed in its currency.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { invoiceWorkflowId } from '../../../temporal/client';
import { disputeOpenedSchema, pauseSchema, paymentAppliedSchema, promiseToPaySchema, resumeSchema } from '../schemas';
import { addDays, utcDate } from '../../../domain/calendar';
import { toDecimal } from '../../../domain/money';
import { currentPolicy } from '../../../policy/store';
import { createBuiltinLedger } from '../../../ledger/builtin';
import { LedgerError } from '../../../ledger/port';
import {
  disputeOpenedUpdate,
  invoiceStateQuery,
  pauseUpdate,
  paymentAppliedUpdate,
  promiseToPayUpdate,
  resumeUpdate,
} from '../../../collections/messages';
import { idempotencyKey, moneyOf, parseAmount, pathParam, type AdminDeps } from '../deps';
import { badRequest, conflict, fromZodError, HttpError, notFound, unprocessable } from '../errors';
import { getLedgerInvoice, invoiceOut, latestAudit, requireLedgerInvoice } from '../invoices';
import type { ApiRouter } from '../route';
import {
  disputeBody,
  errorOut,
  invoiceOut as invoiceOutSchema,
  invoiceStateOut,
  openInvoicesOut,
  openInvoicesQuery,
  pauseBody,
  paymentBody,
  paymentOut,
  promiseBody,
  resumeBody,
} from '../schemas';
import { executeUpdate, queryIfRunning, WorkflowNotRunning } from '../temporal';

const err = (description: string) => ({ description, schema: errorOut });

/** Validates a workflow message with its domain schema (a 400 naming the field if it fails). */
function message<T>(s: z.ZodType<T>, input: unknown): T {
  const r = s.safeParse(input);
  if (!r.success) throw fromZodError(r.error, input);
  return r.data;
}

const stateResponses = (extra: Record<number, { description: string; schema: typeof errorOut }> = {}) => ({
  200: { description: "The invoice workflow's state after the message", schema: z.object({ state: invoiceStateOut }).loose() },
  400: err('Bad input; nothing reached the workflow'),
  403: err('Your role may not do this'),
  404: err('No such invoice'),
  409: err('The workflow is not running, or its state conflicts with the message'),
  422: err("The workflow's validator refused the message"),
  ...extra,
});

export function registerInvoiceRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { db, temporal } = deps;
  const ledger = deps.ledger ?? createBuiltinLedger(db);
  const now = () => deps.now?.() ?? new Date();
  const update = <Ret, A>(number: string, def: UpdateDefinition<Ret, [A]>, args: [A]) =>
    executeUpdate(temporal, invoiceWorkflowId(number), def, args, { timeoutMs: deps.updateTimeoutMs });

  api.add({
    method: 'get',
    path: '/api/invoices',
    tag: 'invoices',
    summary: 'Search still-owed (open or disputed) invoices by number, PO, customer id or name',
    description:
      'q matches anywhere, case-insensitively; a number also matches written without its dashes or spaces. ' +
      'An exact number comes first, then the oldest due date. The cash page uses it to apply a credit by hand.',
    permission: 'read',
    query: openInvoicesQuery,
    responses: { 200: { description: 'Matching open invoices', schema: openInvoicesOut }, 400: err('A bad filter') },
    handler: async ({ query }) => {
      const found = await ledger.searchOpenInvoices({ text: query.q, currency: query.currency, limit: query.limit ?? 20 });
      const items = found.map((i) => ({
        number: i.number,
        customerId: i.customerId,
        customerName: i.customerName,
        currency: i.currency,
        amount: toDecimal(i.amountMinor, i.currency),
        openAmount: toDecimal(i.openMinor, i.currency),
        openMinor: i.openMinor,
        dueDate: i.dueDate,
        status: i.status,
      }));
      return { items, total: items.length };
    },
  });

  api.add({
    method: 'get',
    path: '/api/invoices/:number',
    tag: 'invoices',
    summary: "An invoice's live workflow state, with the ledger row and latest audit entries",
    description:
      'state is the running workflow\'s answer to its "state" query; for a closed or absent workflow source is "ledger" and state is null.',
    permission: 'read',
    params: { number: 'Invoice number' },
    responses: { 200: { description: 'The invoice', schema: invoiceOutSchema }, 404: err('No such invoice') },
    handler: async ({ params }) => {
      const number = pathParam(params, 'number');
      const [row, audit] = await Promise.all([getLedgerInvoice(db, number), latestAudit(db, number)]);
      let state = null;
      let warning: string | undefined;
      try {
        state = await queryIfRunning(temporal, invoiceWorkflowId(number), invoiceStateQuery);
      } catch (e) {
        // Temporal down: the ledger still answers; say so rather than fail the read.
        if (!(e instanceof HttpError) || (e.status !== 503 && e.status !== 504)) throw e;
        warning = e.body.message;
      }
      if (!row && !state) throw notFound(`invoice ${number} not found`);
      return {
        source: state ? 'workflow' : 'ledger',
        invoice: row ? invoiceOut(row, now()) : null,
        state,
        audit,
        ...(warning ? { warning } : {}),
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/invoices/:number/promise',
    tag: 'invoices',
    summary: 'Log a promise to pay by a date (optionally of an amount in the invoice currency)',
    permission: 'log',
    params: { number: 'Invoice number' },
    body: promiseBody,
    responses: stateResponses(),
    handler: async ({ user, params, body }) => {
      const number = pathParam(params, 'number');
      const { inv } = await requireLedgerInvoice(db, number);
      const amountMinor = body.amount === undefined ? undefined : parseAmount(body.amount, inv.currency, 'amount');
      // The policy's bound, by UTC; the workflow checks it again by the customer's own calendar day.
      const { maxPromiseDaysAhead } = await currentPolicy(db);
      const latest = addDays(utcDate(now()), maxPromiseDaysAhead + 1);
      if (body.date > latest)
        throw badRequest(
          'date',
          body.date,
          `must be at most ${maxPromiseDaysAhead} days ahead (${latest} at the latest; policy maxPromiseDaysAhead)`,
        );
      const msg = message(promiseToPaySchema, { promiseId: `promise-${number}-${body.date}`, date: body.date, amountMinor, by: user.name });
      const state = await update(number, promiseToPayUpdate, [msg]);
      return { promiseId: msg.promiseId, state };
    },
  });

  api.add({
    method: 'post',
    path: '/api/invoices/:number/dispute',
    tag: 'invoices',
    summary: 'Open a dispute on an invoice (dunning stops while it is open)',
    permission: 'log',
    params: { number: 'Invoice number' },
    headers: { 'Idempotency-Key': 'Optional; the same key opens the same dispute once' },
    body: disputeBody,
    responses: stateResponses(),
    handler: async ({ c, user, params, body }) => {
      const number = pathParam(params, 'number');
      const key = idempotencyKey(c.req.header('idempotency-key'));
      await requireLedgerInvoice(db, number);
      const msg = message(disputeOpenedSchema, {
        disputeId: `dispute-${number}-${key ?? randomUUID().slice(0, 8)}`,
        reason: body.reason,
        note: body.note,
        by: user.name,
      });
      const state = await update(number, disputeOpenedUpdate, [msg]);
      return { disputeId: msg.disputeId, state };
    },
  });

  api.add({
    method: 'post',
    path: '/api/invoices/:number/pause',
    tag: 'invoices',
    summary: 'Pause all automatic work on an invoice (admin)',
    permission: 'pause',
    params: { number: 'Invoice number' },
    body: pauseBody,
    responses: stateResponses(),
    handler: async ({ user, params, body }) => {
      const number = pathParam(params, 'number');
      await requireLedgerInvoice(db, number);
      const state = await update(number, pauseUpdate, [message(pauseSchema, { by: user.name, reason: body.reason })]);
      return { state };
    },
  });

  api.add({
    method: 'post',
    path: '/api/invoices/:number/resume',
    tag: 'invoices',
    summary: 'Resume a paused invoice (admin)',
    permission: 'pause',
    params: { number: 'Invoice number' },
    body: resumeBody,
    responses: stateResponses(),
    handler: async ({ user, params }) => {
      const number = pathParam(params, 'number');
      await requireLedgerInvoice(db, number);
      const state = await update(number, resumeUpdate, [message(resumeSchema, { by: user.name })]);
      return { state };
    },
  });

  api.add({
    method: 'post',
    path: '/api/invoices/:number/payments',
    tag: 'invoices',
    summary: 'Record a manual payment against the invoice: posted to the ledger, then told to the workflow',
    description:
      'Send an Idempotency-Key header to make retries safe: the payment id is derived from it, the ledger posts it once, ' +
      'and the workflow ignores a payment it has already seen.',
    permission: 'log',
    params: { number: 'Invoice number' },
    headers: { 'Idempotency-Key': 'Recommended; the payment id is manual-<key>' },
    body: paymentBody,
    responses: {
      200: { description: 'Posted; workflow is null when no workflow runs for the invoice', schema: paymentOut },
      400: err('Bad input; nothing was posted'),
      403: err('Your role may not log payments'),
      404: err('No such invoice'),
      409: err('The invoice is closed, or the Idempotency-Key was used for a different payment'),
      422: err('The amount exceeds the open balance'),
    },
    handler: async ({ c, user, params, body }) => {
      const number = pathParam(params, 'number');
      const key = idempotencyKey(c.req.header('idempotency-key'));
      const { inv } = await requireLedgerInvoice(db, number);
      const currency = inv.currency;
      const amountMinor = parseAmount(body.amount, currency, 'amount');
      const paymentId = `manual-${key ?? randomUUID()}`;

      let posted: Awaited<ReturnType<typeof ledger.receivePayment>>;
      try {
        // One ledger call records the receipt and applies it, or does neither: no orphan receipt on a refusal.
        posted = await ledger.receivePayment({
          paymentId,
          customerId: inv.customerId,
          invoiceNumber: number,
          receivedOn: body.date,
          currency,
          amountMinor,
          reference: body.reference ?? null,
          appliedBy: user.name,
        });
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        if (e.code === 'not_found') throw notFound(e.message);
        if (e.code === 'conflict')
          throw conflict(`Idempotency-Key: ${JSON.stringify(key)} was already used for a different payment (${paymentId})`);
        // Say why in the caller's terms: the invoice as read before the post.
        if (inv.status !== 'open' && inv.status !== 'disputed') throw conflict(`invoice ${number} is ${inv.status}; it takes no payments`);
        if (amountMinor > inv.openMinor) {
          throw unprocessable(
            `amount: ${JSON.stringify(body.amount)} exceeds the open balance ${toDecimal(inv.openMinor, currency)} ${currency}`,
            {
              field: 'amount',
              value: body.amount,
              rule: `must not exceed the open balance ${toDecimal(inv.openMinor, currency)}`,
            },
          );
        }
        throw unprocessable(e.message);
      }

      let workflow = null;
      try {
        workflow = await update(number, paymentAppliedUpdate, [
          message(paymentAppliedSchema, { paymentId, amountMinor, currency, by: user.name }),
        ]);
      } catch (e) {
        if (!(e instanceof WorkflowNotRunning)) {
          // Posted in the ledger but not yet told to the workflow: a retry with the same key finishes the job.
          if (e instanceof HttpError)
            throw new HttpError(e.status, {
              ...e.body,
              paymentId,
              ledgerPosted: true,
              message: `payment ${paymentId} was posted to the ledger, but ${e.body.message}`,
            });
          throw e;
        }
      }
      return {
        paymentId,
        ledger: { open: moneyOf(posted.openMinor, currency), status: posted.status, applied: posted.applied },
        workflow,
      };
    },
  });
}
