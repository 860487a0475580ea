/**
 * One customer account: pause or resume the work on all its open invoices at once (a collector's
 * "hold everything for Acme while we talk to them"). Each invoice workflow gets the same Update
 * the single-invoice route sends, so a pending proposal is withdrawn and nothing goes out until a
 * person resumes. The pause is stored on the customer too, so invoices that reach the ledger
 * while it holds start paused; resuming the account clears it.
 */
import { z } from 'zod';
import { invoiceWorkflowId } from '../../../temporal/client';
import { createBuiltinLedger } from '../../../ledger/builtin';
import { pauseSchema, resumeSchema } from '../schemas';
import { pauseUpdate, resumeUpdate } from '../../../collections/messages';
import { pathParam, type AdminDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import type { ApiRouter } from '../route';
import { accountPauseOut, errorOut, pauseBody, resumeBody } from '../schemas';
import { executeUpdate, WorkflowNotRunning } from '../temporal';

const err = (description: string) => ({ description, schema: errorOut });

type Outcome = z.infer<typeof accountPauseOut>['invoices'][number];

/** What already holds is not a failure of the account action: it is reported per invoice. */
const SETTLED: Record<string, Outcome['outcome']> = { AlreadyPaused: 'already_paused', NotPaused: 'not_paused' };

export function registerCustomerRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { temporal } = deps;
  const ledger = deps.ledger ?? createBuiltinLedger(deps.db);

  async function openInvoices(customerId: string): Promise<string[]> {
    const open = await ledger.listCustomerOpenInvoices(customerId);
    if (!open) throw notFound(`customer ${customerId} not found`);
    return open.map((i) => i.number);
  }

  /** Sends one Update per open invoice; Temporal being down stops the whole request (503). */
  async function forEachInvoice(customerId: string, send: (number: string) => Promise<unknown>, done: Outcome['outcome']) {
    const results: Outcome[] = [];
    for (const number of await openInvoices(customerId)) {
      try {
        await send(number);
        results.push({ invoiceNumber: number, outcome: done });
      } catch (e) {
        if (e instanceof WorkflowNotRunning) {
          results.push({ invoiceNumber: number, outcome: 'not_running', message: e.body.message });
          continue;
        }
        // Temporal unreachable: stop. Anything else is this invoice's answer; the others still get theirs.
        if (!(e instanceof HttpError) || e.status === 503 || e.status === 500) throw e;
        const outcome = e.status === 504 ? 'timed_out' : (SETTLED[String(e.body.failureType)] ?? 'refused');
        results.push({ invoiceNumber: number, outcome, message: e.body.message });
      }
    }
    return results;
  }

  const responses = {
    200: { description: 'What happened to each open invoice of the customer', schema: accountPauseOut },
    400: err('Bad input; nothing reached a workflow'),
    403: err('Your role may not pause or resume'),
    404: err('No such customer'),
    503: err('Temporal is unavailable; invoices listed before the failure may already be changed (repeat the request)'),
  };

  api.add({
    method: 'post',
    path: '/api/customers/:id/pause',
    tag: 'customers',
    summary: 'Pause all automatic work on every open invoice of a customer (admin)',
    description:
      'Repeating it is safe: invoices already paused are reported as already_paused. An invoice whose workflow refuses ' +
      '(refused, e.g. still loading right after a start) or does not answer in time (timed_out) is reported with the reason; repeat to retry it.',
    permission: 'pause',
    params: { id: 'Customer id' },
    body: pauseBody,
    responses,
    handler: async ({ user, params, body }) => {
      const customerId = pathParam(params, 'id');
      // The body passed pauseBody, which checks reason by the same rule the workflow's validator uses.
      const msg = pauseSchema.parse({ by: user.name, reason: body.reason });
      // Stored first: an invoice whose workflow starts meanwhile reads it at its first ledger read.
      if (!(await ledger.setAccountPause(customerId, { by: msg.by, reason: msg.reason })))
        throw notFound(`customer ${customerId} not found`);
      const results = await forEachInvoice(
        customerId,
        (n) => executeUpdate(temporal, invoiceWorkflowId(n), pauseUpdate, [msg], { timeoutMs: deps.updateTimeoutMs }),
        'paused',
      );
      return { customerId, invoices: results };
    },
  });

  api.add({
    method: 'post',
    path: '/api/customers/:id/resume',
    tag: 'customers',
    summary: 'Resume every paused open invoice of a customer (admin)',
    description: 'Repeating it is safe: invoices not paused are reported as not_paused; refused and timed_out as for pause.',
    permission: 'pause',
    params: { id: 'Customer id' },
    body: resumeBody,
    responses,
    handler: async ({ user, params }) => {
      const customerId = pathParam(params, 'id');
      const msg = resumeSchema.parse({ by: user.name });
      if (!(await ledger.setAccountPause(customerId, null))) throw notFound(`customer ${customerId} not found`);
      const results = await forEachInvoice(
        customerId,
        (n) => executeUpdate(temporal, invoiceWorkflowId(n), resumeUpdate, [msg], { timeoutMs: deps.updateTimeoutMs }),
        'resumed',
      );
      return { customerId, invoices: results };
    },
  });
}
