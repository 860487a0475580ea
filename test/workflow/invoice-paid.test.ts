import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFor, invoiceRow, nextProposal, outboxFor, pay, proposalRow, proposalsFor, startInvoice, state } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: paid while a proposal waits', () => {
  it('sends nothing, withdraws the proposal and completes as paid', async () => {
    await stack.seed.customer(stack.db, { id: 'PA' });
    const h = await startInvoice(stack, { number: 'PA-1', customerId: 'PA', amountMinor: 250_000, dueInDays: 3 });
    const p = await nextProposal(stack, h);
    expect((await state(h)).status).toBe('awaiting_approval');

    const balance = await pay(stack, h, { paymentId: 'PAY-PA-1', invoiceNumber: 'PA-1', customerId: 'PA', amountMinor: 250_000 });
    expect(balance).toEqual({ openMinor: 0, status: 'paid' });

    const result = await h.result();
    expect(result).toEqual({ invoiceNumber: 'PA-1', status: 'paid', openMinor: 0, remindersSent: 0 });

    expect(await proposalRow(stack, p.id)).toMatchObject({ status: 'withdrawn', decidedBy: null });
    expect((await proposalRow(stack, p.id)).decisionNote).toContain('paid in full');
    expect(await proposalsFor(stack, 'PA-1')).toHaveLength(1);
    expect(await outboxFor(stack, 'PA')).toHaveLength(0);
    expect(await auditFor(stack, 'PA-1', 'reminder_sent')).toHaveLength(0);
    expect(await auditFor(stack, 'PA-1', 'proposal_withdrawn')).toHaveLength(1);
    expect((await auditFor(stack, 'PA-1', 'invoice_closed'))[0]?.reasoning).toBe('closed as paid; 0 reminder(s) sent');
    expect(await auditFor(stack, 'PA-1', 'ledger_mismatch')).toHaveLength(0);
    expect(await invoiceRow(stack, 'PA-1')).toMatchObject({ status: 'paid', openMinor: 0 });

    const s = await state(h);
    expect(s.status).toBe('paid');
    expect(s.pendingProposal).toBeNull();
    expect(s.actions.map((a) => a.kind)).toEqual(expect.arrayContaining(['payment_applied', 'proposal_withdrawn', 'closed']));
  });

  it('a payment the workflow has already seen is not counted twice', async () => {
    await stack.seed.customer(stack.db, { id: 'PB' });
    const h = await startInvoice(stack, { number: 'PB-1', customerId: 'PB', amountMinor: 100_000, dueInDays: 3 });
    const first = await pay(stack, h, { paymentId: 'PAY-PB-1', invoiceNumber: 'PB-1', customerId: 'PB', amountMinor: 30_000 });
    expect(first.openMinor).toBe(70_000);
    // Cash application retried the same Update.
    const again = await h.executeUpdate('paymentApplied', { args: [{ paymentId: 'PAY-PB-1', amountMinor: 30_000, currency: 'USD', by: 'cash-application' }] });
    expect(again).toMatchObject({ openMinor: 70_000 });
    await pay(stack, h, { paymentId: 'PAY-PB-2', invoiceNumber: 'PB-1', customerId: 'PB', amountMinor: 70_000 });
    expect(await h.result()).toMatchObject({ status: 'paid', openMinor: 0 });
    expect(await invoiceRow(stack, 'PB-1')).toMatchObject({ status: 'paid', openMinor: 0 });
  });
});
