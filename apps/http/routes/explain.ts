/** GET /api/invoices/:number/explain: `ar explain` over HTTP, for viewers and the page. */
import { z } from 'zod';
import { explainInvoice } from '../../../insights/explain';
import { bundledWorkflows, NoSuchWorkflowError } from '../../../temporal/replay';
import type { AdminDeps } from '../deps';
import { pathParam } from '../deps';
import { notFound } from '../errors';
import type { ApiRouter } from '../route';
import { errorOut } from '../schemas';

const explainQuery = z
  .object({
    step: z.string().min(1).max(100).optional(),
    replay: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  })
  .strict();

const explainOut = z
  .object({
    workflowId: z.string(),
    invoiceNumber: z.string().nullable(),
    customerId: z.string().nullable(),
    runs: z.number().int(),
    actions: z.array(z.object({ stepKey: z.string(), outcome: z.string() }).loose()),
    events: z.array(z.object({ at: z.string(), what: z.string(), by: z.string().nullable() })),
    closed: z.object({ status: z.string(), at: z.string() }).nullable(),
    replay: z.object({ deterministic: z.boolean(), events: z.number().int(), error: z.string().nullable() }).nullable(),
  })
  .loose();

export function registerExplainRoute(api: ApiRouter, deps: AdminDeps): void {
  api.add({
    method: 'get',
    path: '/api/invoices/:number/explain',
    tag: 'invoices',
    summary: 'Why each customer-facing action of the invoice happened, then, by whom, under which policy (the answer of `ar explain`)',
    description:
      'From the workflow history (every run) and the audit trail. replay=false skips the replay of the history through the current code (the first replay in a process bundles the workflow code, a few seconds). step narrows to one ladder step.',
    permission: 'read',
    params: { number: 'Invoice number' },
    query: explainQuery,
    responses: {
      200: { description: 'The explanation', schema: explainOut },
      400: { description: 'A bad option', schema: errorOut },
      404: { description: 'No workflow for this invoice', schema: errorOut },
    },
    handler: async ({ params, query }) => {
      const number = pathParam(params, 'number');
      const workflows =
        query.replay === 'false' ? undefined : async () => bundledWorkflows((await import('../../worker/create-worker')).WORKFLOWS_PATH);
      try {
        return await explainInvoice({ client: deps.temporal, db: deps.db, workflows }, number, { step: query.step });
      } catch (err) {
        if (err instanceof NoSuchWorkflowError) throw notFound(`invoice ${number} has no workflow`);
        throw err;
      }
    },
  });
}
