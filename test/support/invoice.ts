/**
 * Helpers for invoice-workflow tests on the time-skipping server: start an invoice workflow,
 * wait for its proposals and actions, post cash through the real ledger, inspect refusals.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import type { invoiceWorkflow } from '../../collections/workflow';
import { invoiceStateQuery, paymentAppliedUpdate, type InvoiceStateView, type ProposalView } from '../../collections/messages';
import type { SeedInvoice } from '../../dev/harness/seed';
import type { TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

export type InvoiceHandle = WorkflowHandle<typeof invoiceWorkflow>;

/** The server's calendar date (UTC): the time-skipping clock moves ahead of the test process. */
export async function serverToday(stack: TestStack, plusDays = 0): Promise<string> {
  return addDays(new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10), plusDays);
}

/** Seeds an invoice due `dueInDays` from the server's today and starts its workflow (after its first ledger read). */
export async function startInvoice(
  stack: TestStack,
  i: Omit<SeedInvoice, 'dueDate' | 'amountMinor'> & { dueInDays: number; amountMinor?: number },
): Promise<InvoiceHandle> {
  const { dueInDays, ...rest } = i;
  await stack.seed.invoice(stack.db, { amountMinor: 100_000, ...rest, dueDate: await serverToday(stack, dueInDays) });
  const handle = await stack.env.client.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
    workflowId: `invoice-${i.number}`,
    taskQueue: stack.taskQueue,
    args: [{ invoiceNumber: i.number, customerId: i.customerId }],
  });
  // Message validators compare with what the workflow read from the ledger: wait for that read.
  await waitFor(async () => (await handle.query(invoiceStateQuery)).currency !== 'XXX', { what: `${i.number} loaded` });
  return handle;
}

export async function state(h: InvoiceHandle): Promise<InvoiceStateView> {
  return h.query(invoiceStateQuery);
}

/**
 * The next pending proposal other than `notId`, advancing the server clock while waiting. It counts
 * once its row is in the proposals table, as an approver would see it: the workflow shows it a
 * moment earlier, while the activity that records it runs.
 */
export async function nextProposal(stack: TestStack, h: InvoiceHandle, notId?: string, advance = '3 hours'): Promise<ProposalView> {
  return waitFor(
    async () => {
      const p = (await state(h)).pendingProposal;
      if (!p || p.id === notId) return null;
      const [row] = await stack.db.select({ id: schema.proposals.id }).from(schema.proposals).where(eq(schema.proposals.id, p.id));
      return row ? p : null;
    },
    { env: stack.env, advance, what: `proposal on ${h.workflowId}${notId ? ` after ${notId}` : ''}` },
  );
}

/** Waits until the workflow's recent actions include one of `kind` (optionally matching `detail`). */
export async function actionSeen(
  stack: TestStack,
  h: InvoiceHandle,
  kind: string,
  advance = '6 hours',
  detail?: RegExp,
): Promise<InvoiceStateView> {
  return waitFor(
    async () => {
      const s = await state(h);
      return s.actions.some((a) => a.kind === kind && (!detail || detail.test(a.detail))) ? s : null;
    },
    { env: stack.env, advance, what: `action ${kind} on ${h.workflowId}` },
  );
}

export async function outboxFor(stack: TestStack, customerId: string) {
  return stack.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, customerId));
}

/**
 * Waits for `count` emails to the customer, each with its delivery finished: the activity writes
 * the outbox row first and the reminder_sent audit rows last, so a test that reads both waits for both.
 */
export async function waitForOutbox(stack: TestStack, customerId: string, count = 1) {
  return waitFor(
    async () => {
      const rows = await outboxFor(stack, customerId);
      if (rows.length < count) return null;
      const audited = await stack.db
        .select({ key: sql<string>`${schema.auditLog.details}->>'outboxKey'` })
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.customerId, customerId), eq(schema.auditLog.action, 'reminder_sent')));
      const keys = new Set(audited.map((a) => a.key));
      return rows.every((r) => keys.has(r.idempotencyKey)) ? rows : null;
    },
    { env: stack.env, advance: '2 hours', what: `${count} email(s) to ${customerId}` },
  );
}

export async function auditFor(stack: TestStack, invoiceNumber: string, action?: string) {
  const rows = await stack.db
    .select()
    .from(schema.auditLog)
    .where(
      action
        ? and(eq(schema.auditLog.invoiceNumber, invoiceNumber), eq(schema.auditLog.action, action))
        : eq(schema.auditLog.invoiceNumber, invoiceNumber),
    );
  return rows.sort((a, b) => a.id - b.id);
}

export async function proposalRow(stack: TestStack, id: string) {
  const [row] = await stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, id));
  if (!row) throw new Error(`no proposal row ${id}`);
  return row;
}

export async function proposalsFor(stack: TestStack, invoiceNumber: string) {
  return stack.db.select().from(schema.proposals).where(eq(schema.proposals.invoiceNumber, invoiceNumber));
}

export async function invoiceRow(stack: TestStack, invoiceNumber: string) {
  const [row] = await stack.db.select().from(schema.invoices).where(eq(schema.invoices.number, invoiceNumber));
  if (!row) throw new Error(`no invoice row ${invoiceNumber}`);
  return row;
}

/** Cash arrives the way cash application posts it: payment row → ledger allocation → paymentApplied Update. */
export async function pay(
  stack: TestStack,
  h: InvoiceHandle,
  p: { paymentId: string; invoiceNumber: string; customerId: string; amountMinor: number; currency?: string },
) {
  const currency = p.currency ?? 'USD';
  await stack.db
    .insert(schema.payments)
    .values({ id: p.paymentId, customerId: p.customerId, amountMinor: p.amountMinor, currency, receivedOn: await serverToday(stack) });
  await createBuiltinLedger(stack.db).postPaymentApplication({
    paymentId: p.paymentId,
    invoiceNumber: p.invoiceNumber,
    amountMinor: p.amountMinor,
    currency,
    appliedBy: 'test',
  });
  return h.executeUpdate(paymentAppliedUpdate, {
    args: [{ paymentId: p.paymentId, amountMinor: p.amountMinor, currency, by: 'cash-application' }],
  });
}

/** Awaits an Update expected to be refused by its validator; returns the ApplicationFailure it carried. */
export async function refusal(update: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await update.then(
    (v) => {
      throw new Error(`expected the update to be refused, but it returned ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  if (!(err.cause instanceof ApplicationFailure))
    throw new Error(`update failed with a cause that is not an ApplicationFailure: ${String(err.cause)}`);
  return err.cause;
}

/** Update ids the workflow history records as accepted (a refused Update leaves none). */
export async function acceptedUpdateIds(h: InvoiceHandle): Promise<string[]> {
  const history = await h.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId)
    .filter((id): id is string => typeof id === 'string');
}

export async function terminate(...handles: InvoiceHandle[]): Promise<void> {
  for (const h of handles) {
    try {
      await h.terminate('test finished');
    } catch {
      // already closed
    }
  }
}

/** History events of a type, by the attributes they carry: `activityTaskCompleted` → activityTaskCompletedEventAttributes. */
export const eventsOfType = <E extends object>(events: E[], type: string): E[] =>
  events.filter((e) => (e as Record<string, unknown>)[`${type}EventAttributes`] != null);
