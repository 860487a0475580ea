import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { decideProposalUpdate, invoiceStateQuery, paymentAppliedUpdate } from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { DEFAULT_POLICY } from '../../domain/policy';
import { actionSeen, nextProposal, startInvoice, state, terminate, waitForOutbox } from '../support/invoice';

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
    const handle = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-INV-1',
      taskQueue,
      args: [{ invoiceNumber: 'INV-1', customerId: 'C1' }],
    });

    const first = await waitFor(async () => (await handle.query(invoiceStateQuery)).pendingProposal, {
      env,
      advance: '6 hours',
      what: 'first proposal',
    });
    expect(first.stepKey).toBe('heads-up');
    expect(first.reasoning).toMatch(/due in \d+ days?/); // "1 day" when the local date is a day behind UTC
    expect(await db.select().from(schema.emailOutbox)).toHaveLength(0);

    const outcome = await handle.executeUpdate(decideProposalUpdate, {
      args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }],
    });
    expect(outcome.outcome).toBe('approved');
    const sent = await waitFor(async () => (await db.select().from(schema.emailOutbox))[0], {
      env,
      advance: '30 minutes',
      what: 'outbox row',
    });
    expect(sent.invoiceNumbers).toEqual(['INV-1']);
    expect(sent.subject).toContain('INV-1');
    // The audit row follows the outbox row (the next activity).
    const audit = await waitFor(
      async () => (await db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent')))[0],
      { env, advance: '1 minute', what: 'the reminder_sent audit row' },
    );
    expect(audit?.approvedBy).toBe('alice');
    expect(audit?.policyVersion).toBe(1);

    const second = await waitFor(
      async () => {
        const p = (await handle.query(invoiceStateQuery)).pendingProposal;
        return p && p.id !== first.id ? p : null;
      },
      { env, advance: '12 hours', what: 'second proposal' },
    );
    expect(second.stepKey).toBe('overdue-1');

    await db.insert(schema.payments).values({ id: 'PAY-1', customerId: 'C1', amountMinor: 150_000, currency: 'USD', receivedOn: today });
    await createBuiltinLedger(db).postPaymentApplication({
      paymentId: 'PAY-1',
      invoiceNumber: 'INV-1',
      amountMinor: 150_000,
      currency: 'USD',
      appliedBy: 'test',
    });
    const bal = await handle.executeUpdate(paymentAppliedUpdate, {
      args: [{ paymentId: 'PAY-1', amountMinor: 150_000, currency: 'USD', by: 'test' }],
    });
    expect(bal).toEqual({ openMinor: 0, status: 'paid' });
    const result = await handle.result();
    expect(result.status).toBe('paid');
    const [p2] = await db.select().from(schema.proposals).where(eq(schema.proposals.id, second.id));
    expect(p2?.status).toBe('withdrawn');
    expect(await db.select().from(schema.emailOutbox)).toHaveLength(1);
  });

  it('an invoice imported past its hand-off date gets a reminder first, then the grace days to answer it', async () => {
    const { db } = stack;
    await stack.seed.customer(db, { id: 'C-LATE', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'LATE-1', customerId: 'C-LATE', amountMinor: 80_000, dueInDays: -60 });
    const first = await nextProposal(stack, h);
    expect(first.stepKey).toBe('final-30'); // never a hand-off before any contact
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: first.id, decision: 'approve', by: 'alice' }] });
    await waitForOutbox(stack, 'C-LATE');
    const sent = await actionSeen(stack, h, 'reminder_logged', '30 minutes');
    const contact = sent.actions.find((a) => a.kind === 'reminder_logged')!;
    // The hand-off is due by the ladder (+45 days), but waits the policy's grace after the reminder.
    const planned = await waitFor(
      async () => {
        const s = await state(h);
        return s.nextStep?.key === 'handoff' ? s : null;
      },
      { env: stack.env, advance: '1 minute', what: 'the hand-off planned' },
    );
    expect(planned.status).not.toBe('handed_off');
    const graceMs = DEFAULT_POLICY.handoffGraceDays * 86_400_000;
    expect(Date.parse(planned.nextStep!.at) - Date.parse(contact.at)).toBeGreaterThanOrEqual(graceMs - 86_400_000);
    // Then a person takes over.
    const handed = await waitFor(
      async () => {
        const s = await state(h);
        return s.status === 'handed_off' ? s : null;
      },
      { env: stack.env, advance: '1 day', what: 'the hand-off' },
    );
    expect(handed.actions.filter((a) => a.kind === 'reminder_logged')).toHaveLength(1);
    await terminate(h);
  });
  it('a rejected final-30 is not contact: no hand-off until a reminder was sent, then the grace days (issue 13, defect 8)', async () => {
    const { db } = stack;
    await stack.seed.customer(db, { id: 'C-REJ', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'REJ-1', customerId: 'C-REJ', amountMinor: 80_000, dueInDays: -60 });
    try {
      const first = await nextProposal(stack, h);
      expect(first.stepKey).toBe('final-30');
      await h.executeUpdate(decideProposalUpdate, {
        args: [{ proposalId: first.id, decision: 'reject', by: 'carol', reason: 'not this wording' }],
      });
      // Not handed off: a hand-off notice is drafted (the next day) for a person to decide.
      const notice = await nextProposal(stack, h, first.id);
      expect(notice.stepKey).toBe('handoff-notice-1');
      expect(notice.reasoning).toMatch(/no reminder has reached the customer yet/);
      const s = await state(h);
      expect(s.status).not.toBe('handed_off');
      expect(s.actions.some((a) => a.kind === 'handed_off')).toBe(false);
      expect(Date.parse(notice.proposedAt) - Date.parse(s.actions.find((a) => a.kind === 'proposal_rejected')!.at)).toBeGreaterThan(
        3_600_000,
      );
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: notice.id, decision: 'approve', by: 'alice' }] });
      await waitForOutbox(stack, 'C-REJ');
      const sent = await actionSeen(stack, h, 'reminder_logged', '30 minutes');
      const contact = sent.actions.find((a) => a.kind === 'reminder_logged')!;
      const planned = await waitFor(
        async () => {
          const v = await state(h);
          return v.nextStep?.key === 'handoff' ? v : null;
        },
        { env: stack.env, advance: '1 minute', what: 'the hand-off planned' },
      );
      const graceMs = DEFAULT_POLICY.handoffGraceDays * 86_400_000;
      expect(Date.parse(planned.nextStep!.at) - Date.parse(contact.at)).toBeGreaterThanOrEqual(graceMs - 86_400_000);
      const handed = await waitFor(
        async () => {
          const v = await state(h);
          return v.status === 'handed_off' ? v : null;
        },
        { env: stack.env, advance: '1 day', what: 'the hand-off' },
      );
      expect(handed.actions.filter((a) => a.kind === 'reminder_logged')).toHaveLength(1);
    } finally {
      await terminate(h);
    }
  });
});
