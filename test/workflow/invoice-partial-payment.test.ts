import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { decideProposalUpdate, paymentAppliedUpdate, policyChangedSignal } from '../../collections/messages';
import { waitFor } from '../../dev/harness/wait';
import {
  auditFor,
  invoiceRow,
  nextProposal,
  outboxFor,
  pay,
  proposalRow,
  serverToday,
  startInvoice,
  state,
  terminate,
  waitForOutbox,
} from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: partial payment', () => {
  it('a balance changed in the ledger without a message is re-proposed after approval, not sent quoting the old amount (issue 13, defect 9d)', async () => {
    await stack.seed.customer(stack.db, { id: 'QI' });
    const h = await startInvoice(stack, { number: 'QI-1', customerId: 'QI', amountMinor: 100_000, dueInDays: 3 });
    try {
      const first = await nextProposal(stack, h);
      expect(first.body).toContain('Invoice QI-1: $1,000.00');
      // A payments import posts cash to the ledger; no paymentApplied reaches the workflow.
      await stack.db
        .insert(schema.payments)
        .values({ id: 'PAY-QI-1', customerId: 'QI', amountMinor: 30_000, currency: 'USD', receivedOn: await serverToday(stack) });
      await createBuiltinLedger(stack.db).postPaymentApplication({
        paymentId: 'PAY-QI-1',
        invoiceNumber: 'QI-1',
        amountMinor: 30_000,
        currency: 'USD',
        appliedBy: 'import',
      });
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }] });
      const again = await nextProposal(stack, h, first.id);
      expect(again.id).toBe('invoice-QI-1/heads-up/r1');
      expect(again.body).toContain('Invoice QI-1: $700.00');
      expect(await outboxFor(stack, 'QI')).toHaveLength(0);
      expect((await state(h)).actions.find((a) => a.kind === 'proposal_redrafted')?.detail).toBe(
        `${first.id}: approved, but not sent: the ledger now shows 70000 open, not 100000; a fresh draft goes to a person`,
      );
      const [audit] = await auditFor(stack, 'QI-1', 'proposal_redrafted');
      expect(audit).toMatchObject({ approvedBy: 'alice' });
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: again.id, decision: 'approve', by: 'alice' }] });
      const [email] = await waitForOutbox(stack, 'QI');
      expect(email!.body).toContain('Total now due: $700.00.');
      expect(email!.body).not.toContain('$1,000.00');
    } finally {
      await terminate(h);
    }
  });

  it('supersedes the pending draft, re-drafts it with the new balance, dunns on the rest and closes when paid', async () => {
    await stack.seed.customer(stack.db, { id: 'QA' });
    const h = await startInvoice(stack, { number: 'QA-1', customerId: 'QA', amountMinor: 100_000, dueInDays: 3 });
    const first = await nextProposal(stack, h);
    expect(first.id).toBe('invoice-QA-1/heads-up');
    expect(first.body).toContain('Invoice QA-1: $1,000.00');

    const balance = await pay(stack, h, { paymentId: 'PAY-QA-1', invoiceNumber: 'QA-1', customerId: 'QA', amountMinor: 40_000 });
    expect(balance.openMinor).toBe(60_000);
    expect(balance.status).not.toBe('paid');

    const redraft = await nextProposal(stack, h, first.id);
    expect(redraft.id).toBe('invoice-QA-1/heads-up/r1');
    expect(redraft.stepKey).toBe('heads-up');
    expect(redraft.body).toContain('Invoice QA-1: $600.00');
    expect(redraft.body).toContain('Total now due: $600.00.');
    expect(await proposalRow(stack, first.id)).toMatchObject({ status: 'superseded', amountMinor: 100_000 });
    expect(await proposalRow(stack, redraft.id)).toMatchObject({ status: 'pending', amountMinor: 60_000 });
    expect((await state(h)).openMinor).toBe(60_000);
    // The old draft can no longer be approved.
    await expect(
      h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }] }),
    ).rejects.toThrow();

    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: redraft.id, decision: 'approve', by: 'alice' }] });
    const [email] = await waitForOutbox(stack, 'QA');
    expect(email!.body).toContain('Total now due: $600.00.');

    // Dunning goes on for the rest.
    const next = await nextProposal(stack, h, redraft.id);
    expect(next.stepKey).toBe('overdue-1');
    expect(next.body).toContain('$600.00');

    const closing = await pay(stack, h, { paymentId: 'PAY-QA-2', invoiceNumber: 'QA-1', customerId: 'QA', amountMinor: 60_000 });
    expect(closing).toEqual({ openMinor: 0, status: 'paid' });
    expect(await h.result()).toEqual({ invoiceNumber: 'QA-1', status: 'paid', openMinor: 0, remindersSent: 1 });
    expect((await proposalRow(stack, next.id)).status).toBe('withdrawn');
    expect(await outboxFor(stack, 'QA')).toHaveLength(1);
    expect(await invoiceRow(stack, 'QA-1')).toMatchObject({ status: 'paid', openMinor: 0 });
    expect(await auditFor(stack, 'QA-1', 'ledger_mismatch')).toHaveLength(0);
  });

  // Re-drafts are numbered per step: a unit test of InvoiceCase (test/unit/invoice-case.test.ts).

  it('counts a payment once when the workflow read the ledger between the posting and the message', async () => {
    await stack.seed.customer(stack.db, { id: 'QR' });
    // Due in 20 days: the workflow sleeps until its first step.
    const h = await startInvoice(stack, { number: 'QR-1', customerId: 'QR', amountMinor: 100_000, dueInDays: 20 });
    try {
      // Cash application posts the allocation to the ledger first…
      await stack.db
        .insert(schema.payments)
        .values({ id: 'PAY-QR-1', customerId: 'QR', amountMinor: 30_000, currency: 'USD', receivedOn: await serverToday(stack) });
      await createBuiltinLedger(stack.db).postPaymentApplication({
        paymentId: 'PAY-QR-1',
        invoiceNumber: 'QR-1',
        amountMinor: 30_000,
        currency: 'USD',
        appliedBy: 'test',
      });
      // …the workflow happens to re-read the ledger (a policy change wakes it)…
      await h.signal(policyChangedSignal);
      await waitFor(async () => (await state(h)).openMinor === 70_000, { what: 'the re-read' });
      // …and only then does the paymentApplied message arrive.
      const balance = await h.executeUpdate(paymentAppliedUpdate, {
        args: [{ paymentId: 'PAY-QR-1', amountMinor: 30_000, currency: 'USD', by: 'cash-application' }],
      });
      expect(balance.openMinor).toBe(70_000);
      expect((await state(h)).openMinor).toBe(70_000);
    } finally {
      await terminate(h);
    }
  });
});
