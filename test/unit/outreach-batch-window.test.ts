import { describe, expect, it } from 'vitest';
import { batchWaitUntil, DUE_GRACE_MS, type OthersDue } from '../../outreach/batch-window';

const START = Date.parse('2026-03-10T10:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(START + minutes * MIN).toISOString();
const others = (over: Partial<OthersDue> = {}): OthersDue => ({ dueAt: [], awaitingApproval: 0, unknown: false, ...over });

describe('the batch window waits only as long as another reminder is due', () => {
  it('sends at once when no other reminder of the customer falls due inside the window', () => {
    expect(batchWaitUntil(START, 60, others())).toBe(START);
    expect(batchWaitUntil(START, 60, others({ dueAt: [at(61), at(60 * 24 * 7)] }))).toBe(START);
  });

  it('waits until the last reminder due inside the window, plus the time it takes to arrive, never past the window', () => {
    expect(batchWaitUntil(START, 60, others({ dueAt: [at(10), at(25), at(90)] }))).toBe(START + 25 * MIN + DUE_GRACE_MS);
    expect(batchWaitUntil(START, 60, others({ dueAt: [at(59.5)] }))).toBe(START + 60 * MIN);
    // A step already due (its workflow about to act) is waited for briefly, not from the past.
    expect(batchWaitUntil(START, 60, others({ dueAt: [at(-5)] }))).toBe(START + DUE_GRACE_MS);
  });

  it('waits the whole window when a draft waits for a person, when an invoice could not be asked, or when nothing was read', () => {
    expect(batchWaitUntil(START, 60, others({ awaitingApproval: 1 }))).toBe(START + 60 * MIN);
    expect(batchWaitUntil(START, 60, others({ unknown: true }))).toBe(START + 60 * MIN);
    expect(batchWaitUntil(START, 60, null)).toBe(START + 60 * MIN);
    expect(batchWaitUntil(START, 0, others({ dueAt: [at(0)] }))).toBe(START);
  });
});
