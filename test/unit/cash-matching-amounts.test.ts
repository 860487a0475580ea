import { describe, expect, it } from 'vitest';
import { allocateOldestFirst, findSubsets } from '../../cash/matching/amounts';
import { DEFAULT_POLICY, resolvePolicy, toleranceMinor } from '../../cash/matching/policy';

describe('cash matching: amounts', () => {
  it('allocates oldest first, the last one partly', () => {
    const invoices = [
      { idx: 2, openMinor: 300 },
      { idx: 0, openMinor: 500 },
      { idx: 1, openMinor: 400 },
    ];
    expect(allocateOldestFirst(invoices, 1000)).toEqual({
      allocations: [
        { idx: 0, amountMinor: 500 },
        { idx: 1, amountMinor: 400 },
        { idx: 2, amountMinor: 100 },
      ],
      unallocatedMinor: 0,
      shortMinor: 200,
      totalOpenMinor: 1200,
    });
    expect(allocateOldestFirst(invoices, 1500).unallocatedMinor).toBe(300);
  });

  it('finds every exact combination up to the size cap, deterministically, within a step budget', () => {
    const c = [700, 300, 450, 250, 100, 999].map((openMinor, idx) => ({ idx, openMinor }));
    const r = findSubsets(c, 1000, 6, 10_000, 10);
    expect(r.complete).toBe(true);
    // 700 + 300 and 300 + 450 + 250; 999 and 100 fit nothing.
    expect(r.solutions).toEqual([
      [0, 1],
      [1, 2, 3],
    ]);
    expect(findSubsets(c, 1000, 2, 10_000, 10).solutions).toEqual([[0, 1]]);
    expect(findSubsets(c, 1000, 6, 3, 10).complete).toBe(false);
    expect(findSubsets(c, 1000, 6, 10_000, 10)).toEqual(r);
  });

  it('computes tolerance in integer minor units: the lower of the fixed amount and the percentage', () => {
    expect(toleranceMinor(DEFAULT_POLICY, 'USD', 1_000_000)).toBe(1500); // 15.00 < 0.5% of 10,000.00
    expect(toleranceMinor(DEFAULT_POLICY, 'USD', 100_000)).toBe(500); // 0.5% of 1,000.00
    expect(toleranceMinor(DEFAULT_POLICY, 'JPY', 10_000_000)).toBe(2000);
    expect(toleranceMinor(DEFAULT_POLICY, 'XAF', 10_000_000)).toBe(0); // not configured: exact only
    expect(toleranceMinor(DEFAULT_POLICY, 'USD', 9_007_199_254_740_991)).toBe(1500);
    const p = resolvePolicy({ tolerance: { USD: { fixedMinor: 10_000, basisPoints: 100 } } });
    expect(toleranceMinor(p, 'USD', 123_456)).toBe(1234);
    expect(() => resolvePolicy({ autoApplyMinConfidence: 1.5 })).toThrow(RangeError);
  });
});
