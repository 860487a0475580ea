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

  // A payment seen twice is counted once: a unit test of InvoiceCase (test/unit/invoice-case.test.ts).
});
