import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputeResolved, PaymentApplied } from '../../collections/message-schemas';
import {
  disputeOpenedUpdate,
  disputeResolvedUpdate,
  pauseUpdate,
  paymentAppliedUpdate,
  promiseToPayUpdate,
  resumeUpdate,
} from '../../collections/messages';
import { acceptedUpdateIds, refusal, serverToday, startInvoice, state, terminate } from '../support/invoice';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: message validators refuse bad or out-of-turn messages', () => {
  it('refuses payments, promises, disputes and resumes that do not fit, without touching state or history', async () => {
    await stack.seed.customer(stack.db, { id: 'WA' });
    const h = await startInvoice(stack, { number: 'WA-1', customerId: 'WA', amountMinor: 100_000, dueInDays: 10 });
    try {
      const refused: string[] = [];
      const expectRefused = async (update: (updateId: string) => Promise<unknown>, updateId: string, type: string, message: string | RegExp) => {
        refused.push(updateId);
        const failure = await refusal(update(updateId));
        expect(failure.type, updateId).toBe(type);
        if (typeof message === 'string') expect(failure.message, updateId).toBe(message);
        else expect(failure.message, updateId).toMatch(message);
        expect(failure.nonRetryable).toBe(true);
      };
      const payment = (p: unknown) => (updateId: string) => h.executeUpdate(paymentAppliedUpdate, { args: [p as PaymentApplied], updateId });

      // Payments.
      await expectRefused(payment({ paymentId: 'PAY-WA-EUR', amountMinor: 10_000, currency: 'EUR', by: 'cash-application' }), 'pay-eur', 'InvalidPayment', 'currency: "EUR" does not match the invoice currency USD');
      await expectRefused(payment({ paymentId: 'PAY-WA-0', amountMinor: 0, currency: 'USD', by: 'cash-application' }), 'pay-zero', 'InvalidPayment', 'amountMinor: 0 must be greater than zero');
      await expectRefused(payment({ paymentId: 'PAY-WA-F', amountMinor: 10.5, currency: 'USD', by: 'cash-application' }), 'pay-float', 'InvalidPayment', 'amountMinor: 10.5 must be a whole number of minor units');
      await expectRefused(payment({ paymentId: 'PAY-WA-L', amountMinor: 100, currency: 'usd', by: 'cash-application' }), 'pay-lowercase', 'InvalidPayment', /currency: "usd" must be an ISO 4217 code/);

      // Promises.
      const yesterday = await serverToday(stack, -1);
      const today = await serverToday(stack);
      await expectRefused(
        (updateId) => h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-WA-1', date: yesterday, by: 'dave' }], updateId }),
        'promise-past',
        'InvalidPromise',
        `date: "${yesterday}" is in the past (today is ${today} in UTC)`,
      );
      await expectRefused(
        (updateId) => h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-WA-2', date: '2026-02-30', by: 'dave' }], updateId }),
        'promise-bad-date',
        'InvalidPromise',
        /date: "2026-02-30" must be a calendar date/,
      );
      await expectRefused(
        (updateId) => h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-WA-3', date: today, amountMinor: 100_001, by: 'dave' }], updateId }),
        'promise-too-much',
        'InvalidPromise',
        'amountMinor: 100001 exceeds the open balance 100000',
      );

      // Resume when not paused; a second pause.
      await expectRefused((updateId) => h.executeUpdate(resumeUpdate, { args: [{ by: 'gina' }], updateId }), 'resume-not-paused', 'NotPaused', 'invoice WA-1 is not paused');
      await expectRefused((updateId) => h.executeUpdate(pauseUpdate, { args: [{ by: 'gina', reason: '' }], updateId }), 'pause-no-reason', 'InvalidPause', /^reason: "" /);

      // Dispute resolution with no dispute open.
      await expectRefused(
        (updateId) => h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'invalid', by: 'erin' }], updateId }),
        'resolve-no-dispute',
        'NoDispute',
        'invoice WA-1 has no open dispute',
      );

      // A dispute opens; a second one is refused, and so is a promise while disputed.
      await h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-WA-1', reason: 'price differs from the quote', by: 'erin' }], updateId: 'dispute-1' });
      await expectRefused(
        (updateId) => h.executeUpdate(disputeOpenedUpdate, { args: [{ disputeId: 'DSP-WA-2', reason: 'also late', by: 'erin' }], updateId }),
        'dispute-second',
        'AlreadyDisputed',
        'invoice WA-1 already has open dispute DSP-WA-1',
      );
      await expectRefused(
        (updateId) => h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-WA-4', date: today, by: 'dave' }], updateId }),
        'promise-while-disputed',
        'InvoiceDisputed',
        'invoice WA-1 is in dispute; resolve the dispute first',
      );
      await expectRefused(
        (updateId) => h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'credit', by: 'erin' } as DisputeResolved], updateId }),
        'credit-without-amount',
        'InvalidResolution',
        'creditMinor: missing a credit needs creditMinor',
      );
      await expectRefused(
        (updateId) => h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'credit', creditMinor: 200_000, by: 'erin' }], updateId }),
        'credit-too-much',
        'InvalidResolution',
        'creditMinor: 200000 exceeds the open balance 100000',
      );

      // Nothing refused changed the workflow: the one dispute, the full balance, not paused.
      const s = await state(h);
      expect(s).toMatchObject({ status: 'disputed', openMinor: 100_000, pausedBy: null, promise: null, dispute: { id: 'DSP-WA-1' } });
      expect(s.actions.filter((a) => a.kind === 'payment_applied' || a.kind === 'promise_logged')).toHaveLength(0);

      const accepted = await acceptedUpdateIds(h);
      expect(accepted).toEqual(['dispute-1']);
      for (const id of refused) expect(accepted).not.toContain(id);
    } finally {
      await terminate(h);
    }
  });
});
