import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { decideProposalUpdate, promiseToPayUpdate } from '../../collections/messages';
import {
  actionSeen,
  auditFor,
  nextProposal,
  outboxFor,
  proposalsFor,
  serverToday,
  startInvoice,
  state,
  terminate,
  type InvoiceHandle,
} from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const LADDER = ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30', 'handoff'];

async function handedOff(h: InvoiceHandle) {
  return waitFor(
    async () => {
      const s = await state(h);
      return s.status === 'handed_off' ? s : null;
    },
    { env: stack.env, advance: '1 day', what: `${h.workflowId} handed off` },
  );
}

describe('invoice workflow: no-touch', () => {
  it('never proposes or sends for a no-touch customer or invoice; skips every step and hands off to a person', async () => {
    await stack.seed.customer(stack.db, { id: 'NA', noTouch: true });
    await stack.seed.customer(stack.db, { id: 'NB' });
    const a = await startInvoice(stack, { number: 'NA-1', customerId: 'NA', amountMinor: 500_000, dueInDays: 1 });
    const b = await startInvoice(stack, { number: 'NB-1', customerId: 'NB', amountMinor: 500_000, dueInDays: 1, noTouch: true });
    try {
      for (const [h, invoice, customer, why] of [
        [a, 'NA-1', 'NA', 'no-touch customer'],
        [b, 'NB-1', 'NB', 'no-touch invoice'],
      ] as const) {
        const s = await handedOff(h);
        expect(s.pendingProposal).toBeNull();
        expect(await proposalsFor(stack, invoice)).toHaveLength(0);
        expect(await outboxFor(stack, customer)).toHaveLength(0);
        expect(await auditFor(stack, invoice, 'reminder_sent')).toHaveLength(0);

        const skipped = await auditFor(stack, invoice, 'step_skipped');
        expect(skipped.map((r) => r.idempotencyKey)).toEqual(LADDER.map((k) => `${h.workflowId}/${k}/skipped`));
        expect(new Set(skipped.map((r) => r.reasoning))).toEqual(new Set([why]));
        expect(s.actions.filter((x) => x.kind === 'step_skipped').map((x) => x.detail)).toEqual(LADDER.map((k) => `${k}: ${why}`));

        // A person takes over: the hand-off is on the audit trail with its owner.
        const handoff = await auditFor(stack, invoice, 'handed_off');
        expect(handoff).toHaveLength(1);
        expect(handoff[0]).toMatchObject({ actor: 'system', details: { owner: 'collections' } });
        expect(handoff[0]!.reasoning).toContain('0 reminder(s) sent');
        expect(s.stage).toBe('handoff');
      }
    } finally {
      await terminate(a, b);
    }
  });

  it('a broken promise on a no-touch invoice skips the "promise missed" reminder once and dunning moves on', async () => {
    await stack.seed.customer(stack.db, { id: 'NC', noTouch: true });
    const h = await startInvoice(stack, { number: 'NC-1', customerId: 'NC', amountMinor: 500_000, dueInDays: -2 });
    try {
      const date = await serverToday(stack, 1);
      await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-NC-1', date, by: 'ivy' }] });
      await actionSeen(stack, h, 'promise_broken');
      const s = await actionSeen(stack, h, 'step_skipped', '1 hour', /^promise-missed-PR-NC-1:/);
      await stack.env.sleep('1 hour');
      const later = await state(h);
      expect(later.actions.filter((x) => x.kind === 'step_skipped' && x.detail.startsWith('promise-missed-PR-NC-1:'))).toHaveLength(1);
      expect(s.actions.filter((x) => x.kind === 'promise_broken')).toHaveLength(1);
      expect(later.nextStep?.key).not.toBe('promise-missed-PR-NC-1');
      expect(await proposalsFor(stack, 'NC-1')).toHaveLength(0);
      expect(await outboxFor(stack, 'NC')).toHaveLength(0);
      await handedOff(h);
    } finally {
      await terminate(h);
    }
  });

  it('an approved draft is not sent if the account became no-touch before the decision', async () => {
    await stack.seed.customer(stack.db, { id: 'NT' });
    const h = await startInvoice(stack, { number: 'NT-1', customerId: 'NT', amountMinor: 300_000, dueInDays: 5 });
    try {
      const p = await nextProposal(stack, h);
      // A person flags the account in the ledger while the draft waits for a decision.
      await stack.db.update(schema.customers).set({ noTouch: true }).where(eq(schema.customers.id, 'NT'));
      const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
      expect(outcome.outcome).toBe('approved');
      await actionSeen(stack, h, 'step_skipped', '1 hour', /approved, but not sent: no-touch customer/);
      await stack.env.sleep('2 hours');
      expect(await outboxFor(stack, 'NT')).toHaveLength(0);
      const audit = await auditFor(stack, 'NT-1', 'step_skipped');
      expect(audit.map((a) => a.reasoning)).toContain('approved by alice, but not sent: no-touch customer');
      expect(audit.find((a) => a.reasoning?.startsWith('approved by alice'))?.approvedBy).toBe('alice');
    } finally {
      await terminate(h);
    }
  });
});
