/**
 * Raw signals, as anyone with a Temporal client can send them (`temporal workflow signal --input
 * null`): a payload that breaks its schema is ignored and logged, never fails a workflow task, and
 * `ledgerClosed` closes an invoice only when a re-read of the ledger agrees.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { outreachWorkflowId } from '../../temporal/workflow-ids';
import { actionSeen, nextProposal, startInvoice } from '../support/invoice';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

async function failedTasks(workflowId: string): Promise<number> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
}

describe('invoice workflow: raw signals', () => {
  it('ignores malformed payloads, re-reads on ledgerChanged, and closes on ledgerClosed only when the ledger agrees', async () => {
    await stack.seed.customer(stack.db, { id: 'SG' });
    const h = await startInvoice(stack, { number: 'SG-1', customerId: 'SG', amountMinor: 40_000, dueInDays: 3 });
    const p = await nextProposal(stack, h);
    const raw = stack.env.client.workflow.getHandle(h.workflowId);

    for (const bad of [null, 'whatever', 42, { status: 5 }, { status: 'paid', extra: true }]) await raw.signal('ledgerClosed', bad);
    for (const bad of [null, 'whatever', { requestId: 'x' }]) await raw.signal('reminderDelivered', bad);
    // A well-formed ledgerClosed while the ledger still shows the invoice open.
    await raw.signal('ledgerClosed', { status: 'paid' });
    const s = await actionSeen(stack, h, 'ledger_close_ignored');
    expect(s.status).toBe('awaiting_approval');
    expect(s.pendingProposal?.id).toBe(p.id);
    expect(await failedTasks(h.workflowId)).toBe(0);

    // A payment an ERP recorded: ledgerChanged re-reads now (a bad payload is ignored), and the log says re-read, not "close ignored".
    for (const bad of [null, { reason: '' }, { reason: 'x', status: 'paid' }]) await raw.signal('ledgerChanged', bad);
    await stack.db.update(schema.invoices).set({ openMinor: 15_000 }).where(eq(schema.invoices.number, 'SG-1'));
    await raw.signal('ledgerChanged', { reason: 'a payment recorded in the ledger' });
    const reread = await actionSeen(stack, h, 'ledger_reread');
    expect(reread.openMinor).toBe(15_000);
    expect(reread.actions.filter((a) => a.kind === 'ledger_reread')).toHaveLength(1);
    expect(reread.actions.at(-1)?.detail).toBe('re-read the ledger (a payment recorded in the ledger): open with 15000 open');
    expect(await failedTasks(h.workflowId)).toBe(0);

    // The ledger really closes it: the same signal now ends the workflow, withdrawing the proposal.
    await stack.db.update(schema.invoices).set({ status: 'paid', openMinor: 0 }).where(eq(schema.invoices.number, 'SG-1'));
    await raw.signal('ledgerClosed', { status: 'paid' });
    expect(await h.result()).toMatchObject({ invoiceNumber: 'SG-1', status: 'paid', remindersSent: 0 });
    const [row] = await stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, p.id));
    expect(row?.status).toBe('withdrawn');
    expect(await failedTasks(h.workflowId)).toBe(0);
  });
});

describe('outreach workflow: raw signals', () => {
  it('queues nothing from a malformed request and survives a malformed withdrawal', async () => {
    const workflowId = outreachWorkflowId('SG-OUT');
    const handle = await stack.env.client.workflow.signalWithStart('outreachWorkflow', {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [{ customerId: 'SG-OUT' }],
      signal: 'requestReminder',
      signalArgs: [null],
    });
    await handle.signal('requestReminder', { requestId: 'r-1', subject: 'no body, no invoice' });
    await handle.signal('withdrawReminder', null);
    await handle.signal('withdrawReminder', { requestId: 7 });
    const view = await handle.query<{ queued: string[] }>('state');
    expect(view.queued).toEqual([]);
    expect(await failedTasks(workflowId)).toBe(0);
    await handle.terminate('test done');
  });
});
