import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate } from '../../collections/messages';
import { auditFor, nextProposal, outboxFor, proposalRow, startInvoice, state, terminate, waitForOutbox } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: a person decides each proposal', () => {
  it('approve: the drafted reminder is sent as proposed, with the approver on the record', async () => {
    await stack.seed.customer(stack.db, { id: 'DA' });
    const h = await startInvoice(stack, { number: 'DA-1', customerId: 'DA', dueInDays: 3 });
    try {
      const p = await nextProposal(stack, h);
      expect(p.stepKey).toBe('heads-up');
      expect(p.id).toBe('invoice-DA-1/heads-up');
      expect(await outboxFor(stack, 'DA')).toHaveLength(0);

      const outcome = await h.executeUpdate(decideProposalUpdate, {
        args: [{ proposalId: p.id, decision: 'approve', by: 'alice', note: 'looks right' }],
      });
      expect(outcome).toMatchObject({ proposalId: p.id, outcome: 'approved' });

      const [email] = await waitForOutbox(stack, 'DA');
      expect(email!.subject).toBe(p.subject);
      expect(email!.body).toBe(p.body);
      expect(email!.invoiceNumbers).toEqual(['DA-1']);
      const row = await proposalRow(stack, p.id);
      expect(row).toMatchObject({
        status: 'approved',
        decidedBy: 'alice',
        decisionNote: 'looks right',
        editedSubject: null,
        editedBody: null,
      });
      const [sent] = await auditFor(stack, 'DA-1', 'reminder_sent');
      expect(sent).toMatchObject({ approvedBy: 'alice', actor: 'alice', policyVersion: 1 });
      expect(sent!.details).toMatchObject({ edited: false, subject: p.subject, tone: 'friendly' });
    } finally {
      await terminate(h);
    }
  });

  it('approve with edits: the edited subject and body are what the customer gets', async () => {
    await stack.seed.customer(stack.db, { id: 'DE' });
    const h = await startInvoice(stack, { number: 'DE-1', customerId: 'DE', dueInDays: 3 });
    try {
      const p = await nextProposal(stack, h);
      const edits = {
        subject: 'A quick note about invoice DE-1',
        body: 'Hi Pat,\n\nJust a heads-up that DE-1 falls due soon.\n\nThanks,\nAR',
      };
      const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'bob', edits }] });
      expect(outcome.outcome).toBe('approved');

      const rows = await waitForOutbox(stack, 'DE');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ subject: edits.subject, body: edits.body, invoiceNumbers: ['DE-1'] });
      expect(await proposalRow(stack, p.id)).toMatchObject({
        status: 'approved',
        decidedBy: 'bob',
        editedSubject: edits.subject,
        editedBody: edits.body,
      });
      // The draft as proposed stays on the proposal for comparison.
      expect((await proposalRow(stack, p.id)).subject).toBe(p.subject);

      const [sent] = await auditFor(stack, 'DE-1', 'reminder_sent');
      expect(sent!.approvedBy).toBe('bob');
      expect(sent!.details).toMatchObject({ edited: true, subject: edits.subject });
      const [approved] = await auditFor(stack, 'DE-1', 'proposal_approved');
      expect(approved!.details).toMatchObject({ editedSubject: edits.subject, editedBody: edits.body });
      expect((await state(h)).actions.some((a) => a.kind === 'proposal_approved' && a.detail.endsWith('(edited)') && a.by === 'bob')).toBe(
        true,
      );
    } finally {
      await terminate(h);
    }
  });

  it('reject: nothing is sent for that step, and the next step is proposed in its turn', async () => {
    await stack.seed.customer(stack.db, { id: 'DR' });
    const h = await startInvoice(stack, { number: 'DR-1', customerId: 'DR', dueInDays: 3 });
    try {
      const first = await nextProposal(stack, h);
      expect(first.stepKey).toBe('heads-up');
      const reason = 'customer asked us not to send heads-ups';
      const outcome = await h.executeUpdate(decideProposalUpdate, {
        args: [{ proposalId: first.id, decision: 'reject', by: 'carol', reason }],
      });
      expect(outcome).toMatchObject({ proposalId: first.id, outcome: 'rejected' });
      expect(outcome.detail).toContain(reason);

      const second = await nextProposal(stack, h, first.id);
      expect(second.stepKey).toBe('overdue-1');
      expect(second.subject).toBe('Reminder: Invoice DR-1');

      expect(await proposalRow(stack, first.id)).toMatchObject({ status: 'rejected', decidedBy: 'carol', decisionNote: reason });
      expect(await outboxFor(stack, 'DR')).toHaveLength(0);
      expect(await auditFor(stack, 'DR-1', 'reminder_sent')).toHaveLength(0);
      const [rejected] = await auditFor(stack, 'DR-1', 'proposal_rejected');
      expect(rejected).toMatchObject({ actor: 'carol', reasoning: reason });
      const s = await state(h);
      expect(s.actions.find((a) => a.kind === 'proposal_rejected')).toMatchObject({ by: 'carol', detail: `${first.id}: ${reason}` });
    } finally {
      await terminate(h);
    }
  });
});
