import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { addDays, zonedTimeToUtc } from '../../domain/calendar';
import { decideProposalUpdate, pauseUpdate, promiseToPayUpdate, resumeUpdate } from '../../collections/messages';
import { actionSeen, nextProposal, pay, proposalRow, proposalsFor, serverToday, startInvoice, state, terminate } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

async function promiseRow(id: string) {
  const [row] = await stack.db.select().from(schema.promises).where(eq(schema.promises.id, id));
  return row;
}

describe('invoice workflow: promise to pay', () => {
  it('kept: the promised amount arrives before date + grace, and dunning resumes on the remainder', async () => {
    await stack.seed.customer(stack.db, { id: 'RK' });
    const h = await startInvoice(stack, { number: 'RK-1', customerId: 'RK', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      expect(first.stepKey).toBe('overdue-1');
      const date = await serverToday(stack, 5);
      const v = await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-RK-1', date, amountMinor: 40_000, by: 'dave' }] });
      expect(v.status).toBe('promised');
      expect(v.promise).toEqual({ id: 'PR-RK-1', date, amountMinor: 40_000, holdUntil: addDays(date, 3) });
      expect(v.pendingProposal).toBeNull();
      expect(await promiseRow('PR-RK-1')).toMatchObject({
        invoiceNumber: 'RK-1',
        promisedDate: date,
        amountMinor: 40_000,
        currency: 'USD',
        status: 'open',
        loggedBy: 'dave',
      });
      // The pending draft is moot while the promise holds.
      await waitFor(async () => (await proposalRow(stack, first.id)).status === 'superseded', { what: 'proposal superseded' });
      expect((await proposalRow(stack, first.id)).decisionNote).toBe(`${first.id}: promise to pay by ${date}`);

      // Part of the hold passes: nothing is proposed.
      await stack.env.sleep('2 days');
      expect((await state(h)).pendingProposal).toBeNull();
      expect((await proposalsFor(stack, 'RK-1')).filter((p) => p.status === 'pending')).toHaveLength(0);

      const bal = await pay(stack, h, { paymentId: 'PAY-RK-1', invoiceNumber: 'RK-1', customerId: 'RK', amountMinor: 40_000 });
      expect(bal).toEqual({ openMinor: 60_000, status: 'promised' });

      const s = await actionSeen(stack, h, 'promise_kept');
      expect(s.actions.find((a) => a.kind === 'promise_kept')?.detail).toBe('40000 USD paid since the promise; 60000 still open');
      expect((await promiseRow('PR-RK-1'))?.status).toBe('kept');

      const resumed = await nextProposal(stack, h, first.id);
      expect(resumed.body).toContain('Total now due: $600.00.');
      expect((await proposalRow(stack, resumed.id)).amountMinor).toBe(60_000);
      expect((await state(h)).status).toBe('awaiting_approval');

      await pay(stack, h, { paymentId: 'PAY-RK-2', invoiceNumber: 'RK-1', customerId: 'RK', amountMinor: 60_000 });
      expect(await h.result()).toMatchObject({ status: 'paid', openMinor: 0 });
    } finally {
      await terminate(h);
    }
  });

  it('kept: paid in full during the hold closes the invoice and the promise as kept', async () => {
    await stack.seed.customer(stack.db, { id: 'RF' });
    const h = await startInvoice(stack, { number: 'RF-1', customerId: 'RF', amountMinor: 80_000, dueInDays: -2 });
    try {
      await nextProposal(stack, h);
      const date = await serverToday(stack, 4);
      await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-RF-1', date, by: 'dave' }] });
      await stack.env.sleep('1 day');
      const bal = await pay(stack, h, { paymentId: 'PAY-RF-1', invoiceNumber: 'RF-1', customerId: 'RF', amountMinor: 80_000 });
      expect(bal).toEqual({ openMinor: 0, status: 'paid' });
      expect(await h.result()).toEqual({ invoiceNumber: 'RF-1', status: 'paid', openMinor: 0, remindersSent: 0 });
      expect((await promiseRow('PR-RF-1'))?.status).toBe('kept');
      const s = await state(h);
      expect(s.promise).toBeNull();
      expect(s.actions.some((a) => a.kind === 'promise_kept')).toBe(true);
    } finally {
      await terminate(h);
    }
  });

  it('broken: nothing paid by date + grace → the promise is broken and a firm "promise missed" reminder is proposed', async () => {
    await stack.seed.customer(stack.db, { id: 'RB' });
    const h = await startInvoice(stack, { number: 'RB-1', customerId: 'RB', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      const date = await serverToday(stack, 2);
      await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-RB-1', date, amountMinor: 100_000, by: 'dave' }] });

      const s = await actionSeen(stack, h, 'promise_broken');
      expect(s.actions.find((a) => a.kind === 'promise_broken')?.detail).toBe(
        `nothing paid by ${date}; a "promise missed" reminder follows`,
      );
      expect((await promiseRow('PR-RB-1'))?.status).toBe('broken');

      const missed = await nextProposal(stack, h, first.id);
      expect(missed.id).toBe('invoice-RB-1/promise-missed-PR-RB-1');
      expect(missed.stepKey).toBe('promise-missed-PR-RB-1');
      expect(missed.tone).toBe('firm');
      expect(missed.subject).toBe('Overdue: Invoice RB-1');
      expect(missed.reasoning).toContain(`the promise to pay by ${date} was missed`);
      expect(await proposalRow(stack, missed.id)).toMatchObject({ status: 'pending', tone: 'firm', amountMinor: 100_000 });
      expect((await state(h)).status).toBe('awaiting_approval');

      // Approved, it goes out, and dunning carries on after it.
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: missed.id, decision: 'approve', by: 'erin' }] });
      const after = await nextProposal(stack, h, missed.id, '6 hours');
      expect(after.stepKey).not.toMatch(/^promise-missed/);
    } finally {
      await terminate(h);
    }
  });

  it('the hold ends at the start of its day in the customer’s timezone, not at 00:00 UTC (issue 13, defect 9b)', async () => {
    await stack.seed.customer(stack.db, { id: 'RZ', timezone: 'Pacific/Auckland' });
    const h = await startInvoice(stack, { number: 'RZ-1', customerId: 'RZ', amountMinor: 100_000, dueInDays: -2 });
    try {
      await nextProposal(stack, h);
      const date = await serverToday(stack, 2);
      const v = await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-RZ-1', date, amountMinor: 100_000, by: 'dave' }] });
      const holdUntil = v.promise!.holdUntil;
      const localStart = zonedTimeToUtc(holdUntil, 0, 0, 'Pacific/Auckland');
      const planned = await waitFor(
        async () => {
          const s = await state(h);
          return s.nextStep?.key === 'promise-check' ? s.nextStep : null;
        },
        { what: 'the promise check planned' },
      );
      expect(planned.at).toBe(localStart.toISOString());
      // Auckland's day begins half a day before UTC's: the check runs then, long before 00:00 UTC.
      await stack.env.sleep(localStart.getTime() - (await stack.env.currentTimeMs()) + 60_000);
      const s = await waitFor(
        async () => {
          const x = await state(h);
          return x.actions.some((a) => a.kind === 'promise_broken') ? x : null;
        },
        { what: 'the promise checked' },
      );
      const checkedAt = Date.parse(s.actions.find((a) => a.kind === 'promise_broken')!.at);
      expect(checkedAt).toBeGreaterThanOrEqual(localStart.getTime());
      expect(checkedAt).toBeLessThan(Date.parse(`${holdUntil}T00:00:00Z`));
    } finally {
      await terminate(h);
    }
  });

  it('a withdrawn "promise missed" proposal is not proposed again under the same id', async () => {
    await stack.seed.customer(stack.db, { id: 'RW' });
    const h = await startInvoice(stack, { number: 'RW-1', customerId: 'RW', amountMinor: 100_000, dueInDays: -2 });
    try {
      const first = await nextProposal(stack, h);
      await h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-RW-1', date: await serverToday(stack, 1), by: 'dave' }] });
      const missed = await nextProposal(stack, h, first.id);
      expect(missed.id).toBe('invoice-RW-1/promise-missed-PR-RW-1');
      await h.executeUpdate(pauseUpdate, { args: [{ by: 'gina', reason: 'calling the customer' }] });
      await waitFor(async () => (await proposalRow(stack, missed.id)).status === 'withdrawn', { what: 'withdrawn' });
      await h.executeUpdate(resumeUpdate, { args: [{ by: 'gina' }] });
      const next = await nextProposal(stack, h, missed.id, '6 hours');
      expect(next.id).not.toBe(missed.id);
      expect(next.stepKey).not.toMatch(/^promise-missed/);
      // Every proposal the workflow shows is one a person can find pending in the database.
      expect((await proposalRow(stack, next.id)).status).toBe('pending');
    } finally {
      await terminate(h);
    }
  });
});
