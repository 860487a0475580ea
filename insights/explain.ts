/**
 * The explanation of one invoice (`ar explain`, GET /api/invoices/:number/explain): its workflow's
 * histories and audit rows, read as the story of each customer-facing action, and what a replay
 * of those histories through today's code says.
 */
import type { Client } from '@temporalio/client';
import { asc, eq, or } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { explainInvoiceHistories, type InvoiceExplanation } from '../temporal/invoice-explain';
import { fetchRunHistories, NoSuchWorkflowError, replay, type ReplayWorkflows } from '../temporal/replay';
import { invoiceWorkflowId } from '../temporal/workflow-ids';

export interface ExplainOutcome extends InvoiceExplanation {
  replay: { deterministic: boolean; events: number; error: string | null } | null;
}

/** An invoice number or an `invoice-…` workflow id: the workflow ids to try, in order. */
function candidates(subject: string): string[] {
  return subject.startsWith('invoice-') ? [subject, invoiceWorkflowId(subject)] : [invoiceWorkflowId(subject)];
}

export async function explainInvoice(
  deps: { client: Client; db: Db; workflows?: ReplayWorkflows | (() => Promise<ReplayWorkflows>) },
  subject: string,
  opts: { step?: string } = {},
): Promise<ExplainOutcome> {
  let found: { workflowId: string; histories: Awaited<ReturnType<typeof fetchRunHistories>> } | null = null;
  for (const workflowId of candidates(subject)) {
    try {
      found = { workflowId, histories: await fetchRunHistories(deps.client, workflowId) };
      break;
    } catch (err) {
      if (!(err instanceof NoSuchWorkflowError)) throw err;
    }
  }
  if (!found) throw new NoSuchWorkflowError(candidates(subject)[0]!);
  const { workflowId, histories } = found;
  const { auditLog } = schema;
  const invoiceNumber = workflowId.slice('invoice-'.length);
  const rows = await deps.db
    .select()
    .from(auditLog)
    .where(or(eq(auditLog.workflowId, workflowId), eq(auditLog.invoiceNumber, invoiceNumber)))
    .orderBy(asc(auditLog.id));
  const explanation = explainInvoiceHistories(
    workflowId,
    histories,
    rows.map((r) => ({ ...r, at: r.at.toISOString() })),
  );
  if (opts.step) explanation.actions = explanation.actions.filter((a) => a.stepKey === opts.step);
  return { ...explanation, replay: deps.workflows ? await replayAll(workflowId, histories, deps.workflows) : null };
}

/** Deterministic only if every run replays cleanly through the current workflow code. */
async function replayAll(
  workflowId: string,
  histories: Awaited<ReturnType<typeof fetchRunHistories>>,
  workflows: ReplayWorkflows | (() => Promise<ReplayWorkflows>),
): Promise<NonNullable<ExplainOutcome['replay']>> {
  const code = typeof workflows === 'function' ? await workflows() : workflows;
  let events = 0;
  for (const history of histories) {
    const r = await replay(history, workflowId, code);
    events += r.events;
    if (!r.deterministic) return { deterministic: false, events, error: r.error ?? 'non-deterministic' };
  }
  return { deterministic: true, events, error: null };
}
