import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { decideProposalUpdate, invoiceStateQuery, paymentAppliedUpdate } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: supervised ladder to paid', () => {
  it('proposes, sends only after approval, and closes when paid', async () => {
    const { env, db, seed, taskQueue } = stack;
    const today = new Date(Date.now()).toISOString().slice(0, 10);
    await seed.customer(db, { id: 'C1', tier: 'standard' });
    await seed.invoice(db, { number: 'INV-1', customerId: 'C1', amountMinor: 150_000, dueDate: addDays(today, 10) });
    const handle = await env.client.workflow.start('invoiceWorkflow', { workflowId: 'invoice-INV-1', taskQueue, args: [{ invoiceNumber: 'INV-1', customerId: 'C1' }] });

    const first = await waitFor(async () => (await handle.query(invoiceStateQuery)).pendingProposal, { env, advance: '6 hours', what: 'first proposal' });
    expect(first.stepKey).toBe('heads-up');
    expect(first.reasoning).toMatch(/due in \d+ days/);
    expect(await db.select().from(schema.emailOutbox)).toHaveLength(0);

    const outcome = await handle.executeUpdate(decideProposalUpdate, { args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }] });
    expect(outcome.outcome).toBe('approved');
    const sent = await waitFor(async () => (await db.select().from(schema.emailOutbox))[0], { env, advance: '30 minutes', what: 'outbox row' });
    expect(sent.invoiceNumbers).toEqual(['INV-1']);
    expect(sent.subject).toContain('INV-1');
    // The audit row follows the outbox row (the next activity).
    const audit = await waitFor(async () => (await db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent')))[0], { env, advance: '1 minute', what: 'the reminder_sent audit row' });
    expect(audit?.approvedBy).toBe('alice');
    expect(audit?.policyVersion).toBe(1);

    const second = await waitFor(async () => {
      const p = (await handle.query(invoiceStateQuery)).pendingProposal;
      return p && p.id !== first.id ? p : null;
    }, { env, advance: '12 hours', what: 'second proposal' });
    expect(second.stepKey).toBe('overdue-1');

    await db.insert(schema.payments).values({ id: 'PAY-1', customerId: 'C1', amountMinor: 150_000, currency: 'USD', receivedOn: today });
    await createBuiltinLedger(db).postPaymentApplication({ paymentId: 'PAY-1', invoiceNumber: 'INV-1', amountMinor: 150_000, currency: 'USD', appliedBy: 'test' });
    const bal = await handle.executeUpdate(paymentAppliedUpdate, { args: [{ paymentId: 'PAY-1', amountMinor: 150_000, currency: 'USD', by: 'test' }] });
    expect(bal).toEqual({ openMinor: 0, status: 'paid' });
    const result = await handle.result();
    expect(result.status).toBe('paid');
    const [p2] = await db.select().from(schema.proposals).where(eq(schema.proposals.id, second.id));
    expect(p2?.status).toBe('withdrawn');
    expect(await db.select().from(schema.emailOutbox)).toHaveLength(1);
  });
});
