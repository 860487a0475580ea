/**
 * A publish wakes only the invoices whose plan it changes (policy/fanout-scope.ts); every other
 * invoice reads the new version when it wakes for its step. One that planned under an older
 * version plans again before it acts: a ladder moved later is not acted on at the old time.
 * Time-skipping server, real worker, PostgreSQL; no signal reaches the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { publishPolicy } from '../../policy/store';
import { nextProposal, startInvoice, state } from '../support/invoice';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const DAY = 86_400_000;

describe('invoice workflow: a newer policy read on waking', () => {
  it('re-plans a step the new version moved later, instead of acting at the old time', async () => {
    const { env, db, seed } = stack;
    await seed.customer(db, { id: 'PW1', tier: 'standard' });
    const h = await startInvoice(stack, { number: 'PW-1', customerId: 'PW1', dueInDays: 10 });
    const planned = await waitFor(
      async () => {
        const s = await state(h);
        return s.nextStep?.key === 'heads-up' ? s : null;
      },
      { what: 'PW-1 asleep until its heads-up' },
    );
    expect(planned.policyVersion).toBe(1);
    const oldAt = Date.parse(planned.nextStep!.at);

    // v2 moves the standard ladder eight days later. Published with no fan-out: nothing tells the workflow.
    const standard = DEFAULT_POLICY.ladders.standard.map((s) => ({ ...s, offsetDays: s.offsetDays + 8 }));
    const v2 = await publishPolicy(
      db,
      { ...DEFAULT_POLICY, ladders: { ...DEFAULT_POLICY.ladders, standard } },
      { note: 'later heads-up', createdBy: 'test' },
    );

    // Past the old wake-up: the workflow woke, read v2, and sleeps again until the new time.
    await env.sleep(oldAt - (await env.currentTimeMs()) + 2 * 3_600_000);
    const replanned = await waitFor(
      async () => {
        const s = await state(h);
        return s.policyVersion === v2.version && s.nextStep ? s : null;
      },
      { what: 'PW-1 re-planned on v2' },
    );
    expect(replanned.pendingProposal).toBeNull();
    expect(replanned.nextStep!.key).toBe('heads-up');
    expect(Date.parse(replanned.nextStep!.at) - oldAt).toBeGreaterThanOrEqual(5 * DAY);

    // And the heads-up comes at the new time, drafted under v2.
    const p = await nextProposal(stack, h, undefined, '12 hours');
    expect(p.stepKey).toBe('heads-up');
    expect(p.policyVersion).toBe(v2.version);
    expect(Date.parse(p.proposedAt)).toBeGreaterThanOrEqual(Date.parse(replanned.nextStep!.at));
  });
});
