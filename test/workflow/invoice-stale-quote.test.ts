/**
 * Issue 13, 9d, the part after the hand-off: an approved reminder can wait in the customer's
 * outreach queue (the batch window, the send window, the contact caps) for hours. A balance changed
 * in the ledger meanwhile without a paymentApplied message (an import) must not go out quoting the
 * old amount: the last gate hands the message back unsent, and the invoice drafts the step again,
 * so the supervising person sees the new amount.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { decideProposalUpdate } from '../../collections/messages';
import { outreachStateQuery } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { outreachWorkflowId } from '../../temporal/workflow-ids';
import { auditFor, nextProposal, outboxFor, serverToday, startInvoice, state, terminate, waitForOutbox } from '../support/invoice';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
  // An hour's batch window: the approved reminder waits in outreach, as it does overnight or behind a cap.
  await stack.seed.policy(stack.db, { batchWindowMinutes: 60, sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false } });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: a balance changed while the approved reminder waited in outreach', () => {
  it('is handed back unsent and proposed again with the new amount (issue 13, defect 9d)', async () => {
    await stack.seed.customer(stack.db, { id: 'QS' });
    const h = await startInvoice(stack, { number: 'QS-1', customerId: 'QS', amountMinor: 100_000, dueInDays: 3 });
    // Another invoice of QS with a draft waiting for a person: outreach keeps the whole batch window for it.
    const other = await startInvoice(stack, { number: 'QS-2', customerId: 'QS', amountMinor: 40_000, dueInDays: 3 });
    try {
      await nextProposal(stack, other);
      const first = await nextProposal(stack, h);
      expect(first.body).toContain('Invoice QS-1: $1,000.00');
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }] });
      // Queued in outreach, inside its batch window (no server time passes while we poll in real time).
      const outreach = stack.env.client.workflow.getHandle(outreachWorkflowId('QS'));
      await waitFor(async () => (await outreach.query(outreachStateQuery).catch(() => null))?.queued.includes('invoice-QS-1/heads-up'), {
        tries: 600,
        what: 'the approved reminder queued in outreach-QS',
      });
      // A payments import posts cash to the ledger; no paymentApplied reaches the workflow.
      await stack.db
        .insert(schema.payments)
        .values({ id: 'PAY-QS-1', customerId: 'QS', amountMinor: 30_000, currency: 'USD', receivedOn: await serverToday(stack) });
      await createBuiltinLedger(stack.db).postPaymentApplication({
        paymentId: 'PAY-QS-1',
        invoiceNumber: 'QS-1',
        amountMinor: 30_000,
        currency: 'USD',
        appliedBy: 'import',
      });

      const again = await nextProposal(stack, h, first.id);
      expect(again.id).toBe('invoice-QS-1/heads-up/r1');
      expect(again.body).toContain('Invoice QS-1: $700.00');
      expect(await outboxFor(stack, 'QS')).toHaveLength(0);
      const [stale] = await auditFor(stack, 'QS-1', 'reminder_stale');
      expect(stale).toMatchObject({ approvedBy: 'alice' });
      expect(stale!.reasoning).toBe(
        'the ledger changed while the message waited to be sent: QS-1 now shows 70000 open, not the 100000 the approved text quotes',
      );
      const actions = (await state(h)).actions.map((a) => a.kind);
      expect(actions).toContain('reminder_stale');
      expect(actions).toContain('step_reopened');

      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: again.id, decision: 'approve', by: 'alice' }] });
      const emails = await waitForOutbox(stack, 'QS');
      expect(emails).toHaveLength(1);
      expect(emails[0]!.idempotencyKey).toBe('outreach-QS/invoice-QS-1/heads-up/q1');
      expect(emails[0]!.body).toContain('Total now due: $700.00.');
      expect(emails[0]!.body).not.toContain('$1,000.00');
    } finally {
      await terminate(h, other);
    }
  });
});
