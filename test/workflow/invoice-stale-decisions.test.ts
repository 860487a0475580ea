import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../collections/message-schemas';
import { decideProposalUpdate, disputeOpenedUpdate, disputeResolvedUpdate } from '../../collections/messages';
import {
  acceptedUpdateIds,
  nextProposal,
  outboxFor,
  pay,
  proposalRow,
  refusal,
  startInvoice,
  terminate,
  waitForOutbox,
  type InvoiceHandle,
} from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const decide = (h: InvoiceHandle, d: unknown, updateId: string) =>
  h.executeUpdate(decideProposalUpdate, { args: [d as Decision], updateId });

describe('invoice workflow: stale, duplicate and malformed decisions are refused', () => {
  it('refuses them before they reach the workflow history', async () => {
    await stack.seed.customer(stack.db, { id: 'VA' });
    const h = await startInvoice(stack, { number: 'VA-1', customerId: 'VA', dueInDays: 3 });
    try {
      const first = await nextProposal(stack, h);
      const refused: string[] = [];
      const refuse = async (d: unknown, id: string) => {
        refused.push(id);
        return refusal(decide(h, d, id));
      };

      // The rules are unit tests of InvoiceCase; here: one malformed and one stale id, refused before history.
      const unknownField = await refuse({ proposalId: first.id, decision: 'approve', by: 'alice', urgent: true }, 'bad-unknown-field');
      expect(unknownField.type).toBe('InvalidDecision');
      expect(unknownField.message).toContain('urgent');
      const unknown = await refuse({ proposalId: 'invoice-VA-1/overdue-7', decision: 'approve', by: 'alice' }, 'stale-unknown');
      expect(unknown.type).toBe('StaleProposal');
      expect((await proposalRow(stack, first.id)).status).toBe('pending');

      // The real decision, then the same decision again (a second approver, a double click).
      const ok = await decide(h, { proposalId: first.id, decision: 'approve', by: 'alice' }, 'ok-approve-1');
      expect(ok.outcome).toBe('approved');
      const twice = await refuse({ proposalId: first.id, decision: 'approve', by: 'bob' }, 'dup-approve');
      expect(twice.type).toBe('ProposalNotPending');
      expect(twice.message).toBe(`proposal ${first.id} was already approved by alice`);
      const contrary = await refuse({ proposalId: first.id, decision: 'reject', by: 'bob', reason: 'changed my mind' }, 'dup-reject');
      expect(contrary.type).toBe('ProposalNotPending');
      expect(await proposalRow(stack, first.id)).toMatchObject({ status: 'approved', decidedBy: 'alice' });
      await waitForOutbox(stack, 'VA');

      // Once the next proposal is up, the old id is still answered with who decided it.
      const second = await nextProposal(stack, h, first.id);
      const late = await refuse({ proposalId: first.id, decision: 'approve', by: 'bob' }, 'late-old-id');
      expect(late.message).toBe(`proposal ${first.id} was already approved by alice`);
      expect((await proposalRow(stack, second.id)).status).toBe('pending');
      expect(await outboxFor(stack, 'VA')).toHaveLength(1);

      // History: only the accepted decision; no trace of any refused one.
      const accepted = await acceptedUpdateIds(h);
      expect(accepted).toEqual(['ok-approve-1']);
      for (const id of refused) expect(accepted).not.toContain(id);
    } finally {
      await terminate(h);
    }
  });

  it('a superseded proposal cannot be decided once its re-draft is up; edits are refused on a write-off', async () => {
    await stack.seed.customer(stack.db, { id: 'VB' });
    const h = await startInvoice(stack, { number: 'VB-1', customerId: 'VB', dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      await pay(stack, h, { paymentId: 'PAY-VB-1', invoiceNumber: 'VB-1', customerId: 'VB', amountMinor: 1_000 });
      const redraft = await nextProposal(stack, h, first.id);
      expect(redraft.id).toBe(`${first.id}/r1`);
      const superseded = await refusal(decide(h, { proposalId: first.id, decision: 'approve', by: 'alice' }, 'superseded-approve'));
      expect(superseded.type).toBe('ProposalNotPending');
      expect(superseded.message).toContain('superseded');
      expect((await proposalRow(stack, first.id)).status).toBe('superseded');
      expect((await proposalRow(stack, redraft.id)).status).toBe('pending');

      // A write-off proposal is decided as drafted: edits are refused.
      await h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-VB-1', reason: 'goods never arrived', by: 'erin' }] });
      await h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'write_off', by: 'erin' }] });
      const wo = await nextProposal(stack, h, redraft.id);
      expect(wo.id).toBe('invoice-VB-1/write-off-DSP-VB-1');
      const edited = await refusal(decide(h, { proposalId: wo.id, decision: 'approve', by: 'frank', edits: { subject: 'x' } }, 'wo-edits'));
      expect(edited.type).toBe('InvalidDecision');
      expect(edited.message).toBe('edits: only a reminder draft can be edited');
      expect((await proposalRow(stack, wo.id)).status).toBe('pending');

      const accepted = await acceptedUpdateIds(h);
      expect(accepted).not.toContain('superseded-approve');
      expect(accepted).not.toContain('wo-edits');
    } finally {
      await terminate(h);
    }
  });
});
