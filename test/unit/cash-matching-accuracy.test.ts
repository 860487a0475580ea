import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../cash/matching';
import { evaluate } from '../../cash/matching/testing/evaluate';
import { generateBook } from '../../cash/matching/testing/generator';

// The benchmark's labelled generator, small: the same accuracy gates as `npm run bench:matching`.
const book = generateBook({ invoices: 2_000, credits: 500, seed: 7 });

describe('cash matching: accuracy on a labelled book', () => {
  it('generates the same book for the same seed', () => {
    const again = generateBook({ invoices: 2_000, credits: 500, seed: 7 });
    expect(again.credits.slice(0, 50)).toEqual(book.credits.slice(0, 50));
    expect(new Set(book.credits.map((c) => c.scenario)).size).toBeGreaterThanOrEqual(15);
  });

  it('applies automatically with precision ≥ 99.5% and never on a credit no person could attribute', () => {
    const matcher = createMatcher(book.invoices, book.customers, book.policy);
    const acc = evaluate(
      book.credits,
      book.credits.map((c) => matcher.match(c.credit)),
    );
    expect(acc.autoApplied).toBeGreaterThan(200);
    expect(acc.precision, `wrong automatic applications: ${acc.wrongAuto.join(', ')}`).toBeGreaterThanOrEqual(0.995);
    expect(acc.unattributableAuto).toBe(0);
    expect(acc.autoRate).toBeGreaterThanOrEqual(0.85);
  });

  it('would catch a matcher that applies its best guess every time (the gates can fail)', () => {
    // Lowering autoApplyMinConfidence alone is not enough: ambiguity and "nothing but the amount"
    // block automatic application structurally. So apply every best guess by hand instead.
    const matcher = createMatcher(book.invoices, book.customers, book.policy);
    const eager = book.credits.map((c) => {
      const r = matcher.match(c.credit);
      const best = r.candidates[0];
      return best ? { ...r, outcome: 'auto' as const, customerId: best.customerId, allocations: best.allocations } : r;
    });
    const acc = evaluate(book.credits, eager);
    expect(acc.unattributableAuto).toBeGreaterThan(0);
    expect(acc.precision).toBeLessThan(0.995);
  });
});
