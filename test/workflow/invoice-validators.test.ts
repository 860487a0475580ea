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

describe('invoice workflow: message validators are wired to the InvoiceCase refusals', () => {
  it('refuses with a typed, non-retryable failure, without touching state or history', async () => {
    await stack.seed.customer(stack.db, { id: 'WA' });
    const h = await startInvoice(stack, { number: 'WA-1', customerId: 'WA', amountMinor: 100_000, dueInDays: 10 });
    try {
      const refused: string[] = [];
      const expectRefused = async (
        update: (updateId: string) => Promise<unknown>,
        updateId: string,
        type: string,
        message: string | RegExp,
      ) => {
        refused.push(updateId);
        const failure = await refusal(update(updateId));
        expect(failure.type, updateId).toBe(type);
        if (typeof message === 'string') expect(failure.message, updateId).toBe(message);
        else expect(failure.message, updateId).toMatch(message);
        expect(failure.nonRetryable).toBe(true);
      };
      const payment = (p: unknown) => (updateId: string) =>
        h.executeUpdate(paymentAppliedUpdate, { args: [p as PaymentApplied], updateId });

      // The rules themselves are unit tests of InvoiceCase (test/unit/invoice-case.test.ts); this
      // checks the wiring: a typed, non-retryable refusal reaches the client and never the history.
      await expectRefused(
        payment({ paymentId: 'PAY-WA-EUR', amountMinor: 10_000, currency: 'EUR', by: 'cash-application' }),
        'pay-eur',
        'InvalidPayment',
        'currency: "EUR" does not match the invoice currency USD',
      );
      const yesterday = await serverToday(stack, -1);
      const today = await serverToday(stack);
      // The validator reads the workflow's clock.
      await expectRefused(
        (updateId) => h.executeUpdate(promiseToPayUpdate, { args: [{ promiseId: 'PR-WA-1', date: yesterday, by: 'dave' }], updateId }),
        'promise-past',
        'InvalidPromise',
        `date: "${yesterday}" is in the past (today is ${today} in UTC)`,
      );
      await expectRefused(
        (updateId) => h.executeUpdate(resumeUpdate, { args: [{ by: 'gina' }], updateId }),
        'resume-not-paused',
        'NotPaused',
        'invoice WA-1 is not paused',
      );
      await expectRefused(
        (updateId) => h.executeUpdate(pauseUpdate, { args: [{ by: 'gina', reason: '' }], updateId }),
        'pause-no-reason',
        'InvalidPause',
        /^reason: "" /,
      );
      await expectRefused(
        (updateId) => h.executeUpdate(disputeResolvedUpdate, { args: [{ outcome: 'invalid', by: 'erin' }], updateId }),
        'resolve-no-dispute',
        'NoDispute',
        'invoice WA-1 has no open dispute',
      );
      await h.executeUpdate(disputeOpenedUpdate, {
        args: [{ disputeId: 'DSP-WA-1', reason: 'price differs from the quote', by: 'erin' }],
        updateId: 'dispute-1',
      });
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
