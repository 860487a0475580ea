/**
 * What a bank statement does to an invoice's reminders, on the Temporal dev server and
 * PostgreSQL: paid in full from a statement, the invoice's workflow closes and nothing more is
 * ever sent for it (even a reminder already approved and waiting in outreach); paid in part, the
 * rest stays open and the next reminder is drafted again, quoting the new balance. Nothing mocked.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate, invoiceStateQuery } from '../../collections/messages';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { schema } from '../../db/client';
import { startCashWorkflows, waitForCashWorkflows } from '../../cash/start';
import { importBankFile } from '../../cash/store';
import { createBuiltinLedger } from '../../ledger/builtin';
import { outreachStateQuery } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { camt053 } from '../support/bank-files';

let stack: TestStack;

/** Long overdue: the first reminder step is due at once. */
const DUE = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  stack = await startTestStack();
  await stack.seed.policy(stack.db, {
    sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
    autonomy: [{ action: 'cash_match', tiers: ['standard'], mode: 'autonomous', reviewSampleRate: 0 }],
  });
  await stack.seed.customer(stack.db, { id: 'R1', name: 'Rowan GmbH', email: 'ap@r1.example' });
  await stack.seed.invoice(stack.db, { number: 'INV-R1', customerId: 'R1', amountMinor: 125_000, currency: 'EUR', dueDate: DUE });
  // A second invoice of R1 whose draft nobody decides: while it waits for a person, outreach holds
  // INV-R1's approved reminder for the whole batch window (an hour) so both could go out together.
  await stack.seed.invoice(stack.db, { number: 'INV-R1B', customerId: 'R1', amountMinor: 30_000, currency: 'EUR', dueDate: DUE });
  await stack.seed.customer(stack.db, { id: 'R2', name: 'Spruce Ltd', email: 'ap@r2.example' });
  await stack.seed.invoice(stack.db, { number: 'INV-R2', customerId: 'R2', amountMinor: 100_000, currency: 'EUR', dueDate: DUE });
  await syncInvoiceWorkflows(stack.env.client, stack.db, createBuiltinLedger(stack.db), { taskQueue: stack.taskQueue });
});
afterAll(async () => {
  await stack?.close();
});

async function applyStatement(id: string, entries: Parameters<typeof camt053>[2]): Promise<void> {
  const imported = await importBankFile(stack.db, Buffer.from(camt053(id, 'EUR', entries)), { fileName: `${id}.xml`, importedBy: 'test' });
  const starts = await startCashWorkflows(stack.env.client, stack.taskQueue, imported.statements);
  const progress = await waitForCashWorkflows(
    stack.env.client,
    starts.filter((s) => s.started).map((s) => s.workflowId),
  );
  expect(progress[0]).toMatchObject({ phase: 'done', decided: { applied: 1 }, posted: 1, invoicesTold: 1 });
}

const handle = (n: string) => stack.env.client.workflow.getHandle(`invoice-${n}`);
const pending = (n: string) =>
  waitFor(async () => (await handle(n).query(invoiceStateQuery)).pendingProposal, { tries: 300, what: `a draft for ${n}` });
const outboxFor = async (n: string) =>
  (await stack.db.select().from(schema.emailOutbox)).filter((r) => (r.invoiceNumbers as string[]).includes(n));
/** The proposal's row: the workflow shows a draft in its state a moment before its activity stores it. */
const proposal = (id: string) =>
  waitFor(async () => (await stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, id)))[0], { what: `proposal ${id}` });

describe('cash application and reminders', () => {
  it('paid in full from a statement: the workflow closes, and the approved reminder waiting in outreach is never sent', async () => {
    const draft = await pending('INV-R1');
    expect((await proposal(draft.id)).amountMinor).toBe(125_000);
    await pending('INV-R1B');
    const decided = await handle('INV-R1').executeUpdate(decideProposalUpdate, {
      args: [{ proposalId: draft.id, decision: 'approve', by: 'alice' }],
    });
    expect(decided.outcome).toBe('approved');
    // Outreach batches on the real clock (an hour, INV-R1B's draft still waiting): the approved reminder is queued, not yet sent.
    const outreach = stack.env.client.workflow.getHandle('outreach-R1');
    const queuedKey = `invoice-INV-R1/${draft.stepKey}`;
    // The customer's outreach workflow starts with its first message: not found until then.
    const queued = () =>
      outreach.query(outreachStateQuery).then(
        (s) => s.queued.includes(queuedKey),
        () => null,
      );
    await waitFor(async () => (await queued()) || null, { what: 'the reminder queued' });
    expect(await outboxFor('INV-R1')).toHaveLength(0);

    await applyStatement('STMT-R-FULL', [
      { ref: 'R-FULL', amount: '1250.00', direction: 'credit', payer: 'Rowan GmbH', remittance: 'Invoice INV-R1' },
    ]);

    const result = await handle('INV-R1').result();
    expect(result).toMatchObject({ status: 'paid', openMinor: 0 });
    expect((await handle('INV-R1').describe()).status.name).toBe('COMPLETED');
    // The queued reminder is withdrawn from outreach, and the outbox never gets a row for the invoice.
    await waitFor(async () => ((await queued()) === false ? true : null), { what: 'the reminder withdrawn from outreach' });
    expect(await outboxFor('INV-R1')).toHaveLength(0);
    // No draft after the payment either: the only proposal ever made for it is the approved one.
    const all = await stack.db.select().from(schema.proposals).where(eq(schema.proposals.invoiceNumber, 'INV-R1'));
    expect(all.map((p) => p.id)).toEqual([draft.id]);
  });

  it('paid in part from a statement: the rest stays open and the reminder is drafted again for the new balance', async () => {
    const first = await pending('INV-R2');
    const before = await proposal(first.id);
    expect(before.amountMinor).toBe(100_000);
    expect(before.body).toContain('1,000.00');

    await applyStatement('STMT-R-PART', [
      { ref: 'R-PART', amount: '400.00', direction: 'credit', payer: 'Spruce Ltd', remittance: 'Partial payment INV-R2' },
    ]);

    const [inv] = await stack.db.select().from(schema.invoices).where(eq(schema.invoices.number, 'INV-R2'));
    expect(inv).toMatchObject({ openMinor: 60_000, status: 'open' });
    expect((await handle('INV-R2').describe()).status.name).toBe('RUNNING');
    // The draft quoting 1,000.00 is superseded; the new one asks for the 600.00 still open.
    expect(await waitFor(async () => ((await proposal(first.id)).status === 'superseded' ? true : null), { what: 'superseded' })).toBe(
      true,
    );
    const second = await waitFor(
      async () => {
        const p = (await handle('INV-R2').query(invoiceStateQuery)).pendingProposal;
        return p && p.id !== first.id ? p : null;
      },
      { tries: 300, what: 'a fresh draft for INV-R2' },
    );
    const row = await proposal(second.id);
    expect(row.amountMinor).toBe(60_000);
    expect(row.body).toContain('600.00');
    expect(row.body).not.toContain('1,000.00');
    expect(row.subject).not.toContain('1,000.00');
    expect((await handle('INV-R2').query(invoiceStateQuery)).openMinor).toBe(60_000);
    expect(await outboxFor('INV-R2')).toHaveLength(0);
  });
});
