import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { decideProposalUpdate, disputeOpenedUpdate, disputeResolvedUpdate } from '../../collections/messages';
import {
  auditFor,
  invoiceRow,
  nextProposal,
  outboxFor,
  proposalRow,
  proposalsFor,
  serverToday,
  startInvoice,
  state,
  terminate,
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

async function disputeRow(id: string) {
  const [row] = await stack.db.select().from(schema.disputes).where(eq(schema.disputes.id, id));
  return row;
}

describe('invoice workflow: disputes', () => {
  it('pauses dunning, escalates at the deadline, and resumes when found invalid', async () => {
    await stack.seed.customer(stack.db, { id: 'SA' });
    const h = await startInvoice(stack, { number: 'SA-1', customerId: 'SA', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      const deadline = await serverToday(stack, 10);
      const v = await h.executeUpdate(disputeOpenedUpdate, {
        args: [{ disputeId: 'DSP-SA-1', reason: 'wrong quantity delivered', note: 'ordered 10, got 8', by: 'erin' }],
      });
      expect(v.status).toBe('disputed');
      expect(v.dispute).toEqual({ id: 'DSP-SA-1', reason: 'wrong quantity delivered', owner: 'ar-disputes', deadline });
      expect(v.pendingProposal).toBeNull();
      expect(await disputeRow('DSP-SA-1')).toMatchObject({
        invoiceNumber: 'SA-1',
        owner: 'ar-disputes',
        deadline,
        status: 'open',
        openedBy: 'erin',
        note: 'ordered 10, got 8',
      });
      expect((await invoiceRow(stack, 'SA-1')).status).toBe('disputed');
      await waitFor(async () => (await proposalRow(stack, first.id)).status === 'withdrawn', { what: 'proposal withdrawn' });
      expect((await proposalRow(stack, first.id)).decisionNote).toBe(`${first.id}: dispute opened: wrong quantity delivered`);

      // The deadline passes with the dispute unresolved: escalated, and still nothing proposed.
      const [escalation] = await waitFor(
        async () => {
          const rows = await auditFor(stack, 'SA-1', 'dispute_escalated');
          return rows.length ? rows : null;
        },
        { env: stack.env, advance: '12 hours', what: 'dispute escalation' },
      );
      expect(escalation).toMatchObject({
        actor: 'system',
        reasoning: `dispute DSP-SA-1 unresolved at its deadline ${deadline}`,
        details: { owner: 'ar-disputes' },
      });
      await stack.env.sleep('3 days');
      expect(await auditFor(stack, 'SA-1', 'dispute_escalated')).toHaveLength(1);
      expect((await proposalsFor(stack, 'SA-1')).map((p) => p.id)).toEqual([first.id]);
      expect((await state(h)).pendingProposal).toBeNull();
      expect(await outboxFor(stack, 'SA')).toHaveLength(0);

      const resolved = await h.executeUpdate(disputeResolvedUpdate, {
        args: [{ outcome: 'invalid', note: 'delivery note shows 10', by: 'erin' }],
      });
      expect(resolved).toMatchObject({ status: 'open', dispute: null, openMinor: 100_000 });
      expect(await disputeRow('DSP-SA-1')).toMatchObject({ status: 'resolved_invalid' });
      expect((await invoiceRow(stack, 'SA-1')).status).toBe('open');

      const next = await nextProposal(stack, h, first.id);
      expect(next.stepKey).not.toBe('overdue-1');
      expect(next.body).toContain('Total now due: $1,000.00.');
    } finally {
      await terminate(h);
    }
  });

  it('resolved with a credit: the balance drops and dunning continues on the rest', async () => {
    await stack.seed.customer(stack.db, { id: 'SB' });
    const h = await startInvoice(stack, { number: 'SB-1', customerId: 'SB', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      await h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-SB-1', reason: 'damaged goods', by: 'erin' }] });
      const v = await h.executeUpdate(disputeResolvedUpdate, {
        args: [{ outcome: 'credit', creditMinor: 30_000, note: 'two units damaged', by: 'erin' }],
      });
      expect(v).toMatchObject({ status: 'open', openMinor: 70_000, dispute: null });
      const credits = await stack.db.select().from(schema.creditNotes).where(eq(schema.creditNotes.invoiceNumber, 'SB-1'));
      expect(credits).toHaveLength(1);
      expect(credits[0]).toMatchObject({
        id: 'credit-DSP-SB-1',
        amountMinor: 30_000,
        currency: 'USD',
        customerId: 'SB',
        reason: 'two units damaged',
      });
      expect(await invoiceRow(stack, 'SB-1')).toMatchObject({ status: 'open', openMinor: 70_000 });
      expect(await disputeRow('DSP-SB-1')).toMatchObject({ status: 'resolved_credit', resolution: { by: 'erin', creditMinor: 30_000 } });

      const next = await nextProposal(stack, h, first.id);
      expect(next.body).toContain('Total now due: $700.00.');
      expect((await proposalRow(stack, next.id)).amountMinor).toBe(70_000);
    } finally {
      await terminate(h);
    }
  });

  it('resolved with a credit of the whole balance: the invoice closes', async () => {
    await stack.seed.customer(stack.db, { id: 'SC' });
    const h = await startInvoice(stack, { number: 'SC-1', customerId: 'SC', amountMinor: 50_000, dueInDays: 3 });
    await h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-SC-1', reason: 'service not delivered', by: 'erin' }] });
    const v = await h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'credit', creditMinor: 50_000, by: 'erin' }] });
    expect(v.openMinor).toBe(0);
    expect(await h.result()).toEqual({ invoiceNumber: 'SC-1', status: 'closed', openMinor: 0, remindersSent: 0 });
    const credits = await stack.db.select().from(schema.creditNotes).where(eq(schema.creditNotes.invoiceNumber, 'SC-1'));
    expect(credits.map((c) => c.amountMinor)).toEqual([50_000]);
    expect((await invoiceRow(stack, 'SC-1')).openMinor).toBe(0);
    expect((await disputeRow('DSP-SC-1'))?.status).toBe('resolved_credit');
    expect(await outboxFor(stack, 'SC')).toHaveLength(0);
  });

  it('resolved as a write-off: a person approves the write-off proposal, and the invoice is written off', async () => {
    await stack.seed.customer(stack.db, { id: 'SD' });
    const h = await startInvoice(stack, { number: 'SD-1', customerId: 'SD', amountMinor: 120_000, dueInDays: -2 });
    const first = await nextProposal(stack, h);
    await h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-SD-1', reason: 'customer insolvent', by: 'erin' }] });
    await h.executeUpdate(disputeResolvedUpdate, {
      args: [{ outcome: 'write_off', note: 'administrator confirms no dividend', by: 'erin' }],
    });

    const wo = await nextProposal(stack, h, first.id);
    expect(wo.id).toBe('invoice-SD-1/write-off-DSP-SD-1');
    expect(wo.stepKey).toBe('write-off');
    expect(wo.reasoning).toContain('120000 USD would be written off');
    expect(await proposalRow(stack, wo.id)).toMatchObject({ actionKind: 'write_off', status: 'pending', amountMinor: 120_000 });
    // Not written off until a person says so.
    expect(await stack.db.select().from(schema.writeOffs)).toHaveLength(0);
    expect((await disputeRow('DSP-SD-1'))?.status).toBe('open');

    const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: wo.id, decision: 'approve', by: 'frank' }] });
    expect(outcome.detail).toBe('write-off approved; posting to the ledger');
    expect(await h.result()).toEqual({ invoiceNumber: 'SD-1', status: 'written_off', openMinor: 0, remindersSent: 0 });

    const rows = await stack.db.select().from(schema.writeOffs).where(eq(schema.writeOffs.invoiceNumber, 'SD-1'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      amountMinor: 120_000,
      currency: 'USD',
      approvedBy: 'frank',
      reason: 'administrator confirms no dividend',
    });
    expect(await invoiceRow(stack, 'SD-1')).toMatchObject({ status: 'written_off', openMinor: 0 });
    expect(await disputeRow('DSP-SD-1')).toMatchObject({ status: 'resolved_write_off' });
    expect(await proposalRow(stack, wo.id)).toMatchObject({ status: 'approved', decidedBy: 'frank' });
    expect(await outboxFor(stack, 'SD')).toHaveLength(0);
  });
});
