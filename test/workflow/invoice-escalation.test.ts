import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate } from '../../collections/messages';
import { auditFor, nextProposal, outboxFor, proposalRow, startInvoice, state, terminate, waitForOutbox } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: an undecided proposal escalates', () => {
  it('escalates after proposalEscalationHours (48 by default) and can still be approved', async () => {
    await stack.seed.customer(stack.db, { id: 'EA' });
    const h = await startInvoice(stack, { number: 'EA-1', customerId: 'EA', dueInDays: 3 });
    try {
      const p = await nextProposal(stack, h);
      expect(p.escalated).toBe(false);
      expect((await proposalRow(stack, p.id)).escalatedAt).toBeNull();

      const escalated = await waitFor(
        async () => {
          const pp = (await state(h)).pendingProposal;
          return pp?.escalated ? pp : null;
        },
        { env: stack.env, advance: '6 hours', what: 'escalation' },
      );
      expect(escalated.id).toBe(p.id);
      expect((await proposalRow(stack, p.id)).escalatedAt).toBeInstanceOf(Date);
      const audit = await auditFor(stack, 'EA-1', 'proposal_escalated');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor: 'system',
        reasoning: 'undecided for 48 hours; escalated to ar-approvers',
        details: { owner: 'ar-approvers' },
      });
      expect((await state(h)).actions.find((a) => a.kind === 'proposal_escalated')?.detail).toBe(
        `${p.id} undecided after 48h; escalated to ar-approvers`,
      );
      // Escalation sends nothing and decides nothing.
      expect(await outboxFor(stack, 'EA')).toHaveLength(0);
      expect((await proposalRow(stack, p.id)).status).toBe('pending');

      const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'dana' }] });
      expect(outcome.outcome).toBe('approved');
      const [email] = await waitForOutbox(stack, 'EA');
      expect(email!.subject).toBe(p.subject);
      expect(await proposalRow(stack, p.id)).toMatchObject({ status: 'approved', decidedBy: 'dana' });
      expect((await auditFor(stack, 'EA-1', 'reminder_sent'))[0]?.approvedBy).toBe('dana');
      // Escalated once only.
      expect(await auditFor(stack, 'EA-1', 'proposal_escalated')).toHaveLength(1);
    } finally {
      await terminate(h);
    }
  });

  it('follows the policy in force: a shorter escalation time and another owner', async () => {
    const version = await stack.seed.policy(stack.db, {
      proposalEscalationHours: 4,
      owners: { approvals: 'night-desk', disputes: 'ar-disputes', collections: 'collections' },
    });
    await stack.seed.customer(stack.db, { id: 'EB' });
    const h = await startInvoice(stack, { number: 'EB-1', customerId: 'EB', dueInDays: 3 });
    try {
      const p = await nextProposal(stack, h);
      expect(p.policyVersion).toBe(version);
      await waitFor(async () => (await state(h)).pendingProposal?.escalated, { env: stack.env, advance: '1 hour', what: 'escalation' });
      const [audit] = await auditFor(stack, 'EB-1', 'proposal_escalated');
      expect(audit).toMatchObject({ reasoning: 'undecided for 4 hours; escalated to night-desk', details: { owner: 'night-desk' } });
      await h.executeUpdate(decideProposalUpdate, {
        args: [{ proposalId: p.id, decision: 'reject', by: 'night-desk', reason: 'customer is on holiday' }],
      });
      expect(await proposalRow(stack, p.id)).toMatchObject({
        status: 'rejected',
        decidedBy: 'night-desk',
        decisionNote: 'customer is on holiday',
      });
    } finally {
      await terminate(h);
    }
  });
});
