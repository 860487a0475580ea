/**
 * What a fault run left behind, counted from the database, the provider and Temporal: the
 * numbers the test asserts on and prints.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { invoiceStateQuery } from '../../collections/messages';
import { invoiceWorkflowId, outreachWorkflowId } from '../../temporal/workflow-ids';
import type { ReceivedEmail } from '../support/resend-server';

export interface FaultOutcome {
  /** Outbox rows (one per message the system decided to send). */
  emails: number;
  /** Messages the provider accepted: distinct Idempotency-Keys (a repeated key is not a second email). */
  providerEmails: number;
  providerCalls: number;
  duplicateEmailsByKey: number;
  duplicateEmailsByInvoiceStep: number;
  /** Recipients who were sent more than one message (each customer has one invoice and one step here). */
  duplicateEmailsAtProvider: number;
  duplicateLedgerWrites: number;
  /** Approved proposals with no email, or decided at the endpoint but not approved in the database. */
  lostDecisions: string[];
  stuckWorkflows: string[];
}

const rows = async <T>(db: Db, query: ReturnType<typeof sql>) => (await db.execute(query)).rows as T[];

export async function countOutcome(
  db: Db,
  client: Client,
  received: ReceivedEmail[],
  expect: { proposalIds: string[]; invoiceNumbers: string[]; customerOf: (invoice: string) => string },
): Promise<FaultOutcome> {
  const emails = (await rows<{ emails: number }>(db, sql`select count(*)::int as emails from email_outbox`))[0]?.emails ?? 0;
  const byKey = await rows<{ k: string }>(db, sql`select idempotency_key as k from email_outbox group by 1 having count(*) > 1`);
  // The key ends with the step (outreach-C/invoice-N/overdue-1): invoice × step from the rows themselves.
  const byInvoiceStep = await rows<{ n: number }>(
    db,
    sql`select count(*)::int - 1 as n from email_outbox, jsonb_array_elements_text(invoice_numbers) as inv
        group by inv, regexp_replace(idempotency_key, '^.*/', '') having count(*) > 1`,
  );
  const contactDupes = await rows<{ n: number }>(
    db,
    sql`select count(*)::int - 1 as n from contact_log group by invoice_number, channel having count(*) > 1`,
  );
  const auditDupes = await rows<{ n: number }>(
    db,
    sql`select count(*)::int - 1 as n from audit_log where action in ('reminder_sent', 'proposal_approved')
        group by action, invoice_number having count(*) > 1`,
  );
  const approved = new Set((await rows<{ id: string }>(db, sql`select id from proposals where status = 'approved'`)).map((r) => r.id));
  const emailed = new Set(
    (
      await rows<{ inv: string }>(db, sql`select jsonb_array_elements_text(invoice_numbers) as inv from email_outbox where status = 'sent'`)
    ).map((r) => r.inv),
  );
  const lostDecisions = [
    ...expect.proposalIds.filter((id) => !approved.has(id)).map((id) => `${id}: decided at the endpoint, not approved in the database`),
    ...expect.invoiceNumbers.filter((n) => !emailed.has(n)).map((n) => `${n}: approved, but no email was sent`),
  ];

  const keysByRecipient = new Map<string, Set<string>>();
  for (const r of received) {
    const to = r.body.to.join(',');
    if (!keysByRecipient.has(to)) keysByRecipient.set(to, new Set());
    keysByRecipient.get(to)!.add(r.idempotencyKey ?? `(no key) ${keysByRecipient.get(to)!.size}`);
  }
  const stuckWorkflows: string[] = [];
  for (const n of expect.invoiceNumbers) {
    const why = await stuckReason(client, invoiceWorkflowId(n), true);
    if (why) stuckWorkflows.push(`${invoiceWorkflowId(n)}: ${why}`);
    const outreach = await stuckReason(client, outreachWorkflowId(expect.customerOf(n)), false);
    if (outreach) stuckWorkflows.push(`${outreachWorkflowId(expect.customerOf(n))}: ${outreach}`);
  }
  return {
    emails,
    providerEmails: new Set(received.map((r) => r.idempotencyKey)).size,
    providerCalls: received.length,
    duplicateEmailsByKey: byKey.length,
    duplicateEmailsByInvoiceStep: byInvoiceStep.reduce((a, r) => a + r.n, 0),
    duplicateEmailsAtProvider: [...keysByRecipient.values()].reduce((a, keys) => a + keys.size - 1, 0),
    duplicateLedgerWrites: [...contactDupes, ...auditDupes].reduce((a, r) => a + r.n, 0),
    lostDecisions,
    stuckWorkflows,
  };
}

/**
 * Stuck: not running, no answer to a query, a workflow task failing again and again, an activity
 * still retrying after the run settled, or (invoice) still awaiting a decision that was taken.
 */
async function stuckReason(client: Client, workflowId: string, isInvoice: boolean): Promise<string | null> {
  const handle = client.workflow.getHandle(workflowId);
  let described: Awaited<ReturnType<typeof handle.describe>>;
  try {
    described = await handle.describe();
  } catch (err) {
    // No outreach workflow: the reminder went out at once from the invoice's hand-over (outreach/at-once.ts).
    if (!isInvoice && err instanceof WorkflowNotFoundError) return null;
    return `cannot be described: ${String(err).slice(0, 120)}`;
  }
  if (described.status.name !== 'RUNNING') return `status ${described.status.name}`;
  const task = described.raw.pendingWorkflowTask;
  if (task && (task.attempt ?? 0) > 2) return `workflow task on attempt ${task.attempt}`;
  const activities = described.raw.pendingActivities ?? [];
  if (activities.length) return `activity ${activities[0]!.activityType?.name} pending (attempt ${activities[0]!.attempt})`;
  if (!isInvoice) return null;
  try {
    const state = await handle.query(invoiceStateQuery);
    if (state.pendingProposal) return `still awaiting a decision on ${state.pendingProposal.id}`;
    if (!state.actions.some((a) => a.kind === 'reminder_sent')) return 'no reminder_sent in its actions';
  } catch (err) {
    return `no answer to a query: ${String(err).slice(0, 120)}`;
  }
  return null;
}
