import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseUpdate, resumeUpdate } from '../../collections/messages';
import { auditFor, nextProposal, outboxFor, proposalRow, proposalsFor, startInvoice, state, terminate } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: pause and resume', () => {
  it('pausing withdraws the pending proposal and proposes nothing until resumed', async () => {
    await stack.seed.customer(stack.db, { id: 'TA' });
    const h = await startInvoice(stack, { number: 'TA-1', customerId: 'TA', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      const v = await h.executeUpdate(pauseUpdate, { args: [{ by: 'gina', reason: 'account manager is talking to the customer' }] });
      expect(v.pausedBy).toBe('gina');
      expect(v.pendingProposal).toBeNull();
      expect(v.actions.find((a) => a.kind === 'paused')).toMatchObject({
        by: 'gina',
        detail: 'account manager is talking to the customer',
      });
      await waitFor(async () => (await proposalRow(stack, first.id)).status === 'withdrawn', { what: 'proposal withdrawn' });
      expect((await proposalRow(stack, first.id)).decisionNote).toContain('paused by gina');

      // Weeks pass, well beyond several ladder steps: nothing is proposed or sent.
      for (let i = 0; i < 4; i++) await stack.env.sleep('5 days');
      const paused = await state(h);
      expect(paused.pausedBy).toBe('gina');
      expect(paused.pendingProposal).toBeNull();
      expect(paused.nextStep).toBeNull();
      expect((await proposalsFor(stack, 'TA-1')).map((p) => p.id)).toEqual([first.id]);
      expect(await outboxFor(stack, 'TA')).toHaveLength(0);
      expect(await auditFor(stack, 'TA-1', 'step_skipped')).toHaveLength(0);

      const resumed = await h.executeUpdate(resumeUpdate, { args: [{ by: 'gina' }] });
      expect(resumed.pausedBy).toBeNull();
      expect(resumed.actions.some((a) => a.kind === 'resumed' && a.by === 'gina')).toBe(true);
      const next = await nextProposal(stack, h, first.id);
      // Resumed where the ladder stands now (about three weeks overdue), not with the missed steps in a burst.
      expect(next.stepKey).toBe('overdue-14');
      expect(next.tone).toBe('firm');
    } finally {
      await terminate(h);
    }
  });

  it('a pause before any proposal holds the first step back until resumed', async () => {
    await stack.seed.customer(stack.db, { id: 'TB' });
    const h = await startInvoice(stack, { number: 'TB-1', customerId: 'TB', amountMinor: 100_000, dueInDays: 5 });
    try {
      await h.executeUpdate(pauseUpdate, { args: [{ by: 'gina', reason: 'credit review' }] });
      await stack.env.sleep('4 days');
      expect((await state(h)).pendingProposal).toBeNull();
      expect(await proposalsFor(stack, 'TB-1')).toHaveLength(0);
      await h.executeUpdate(resumeUpdate, { args: [{ by: 'hal' }] });
      const p = await nextProposal(stack, h);
      expect(p.stepKey).toBe('heads-up');
    } finally {
      await terminate(h);
    }
  });
});
