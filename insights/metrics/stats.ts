/** Small statistics for rates: the Wilson score interval. */

/** z for a two-sided 95% interval. */
const Z_95 = 1.959964;

export interface Interval {
  readonly rate: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The Wilson score interval of a proportion: with p = successes ÷ n,
 * centre = (p + z²/2n) ÷ (1 + z²/n), half-width = z·√(p(1 − p)/n + z²/4n²) ÷ (1 + z²/n),
 * lower = centre − half-width, upper = centre + half-width (exactly 0 at 0 successes and 1 at n;
 * clamped to [0, 1] against rounding).
 * n = 0 → null. Throws unless 0 ≤ successes ≤ n are whole numbers.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || n < 0 || successes > n) {
    throw new RangeError(`wilsonInterval: ${successes} of ${n} is not a proportion of whole counts`);
  }
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At 0 and n the bound is exactly 0 or 1; floating point lands a hair off.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === n ? 1 : Math.min(1, centre + half);
  return { rate: p, lower, upper };
}

/** A rate with the counts it comes from and its Wilson 95% interval (null when the count is 0). */
export interface Rate {
  readonly numerator: number;
  readonly count: number;
  readonly rate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export function rate(numerator: number, count: number): Rate {
  const w = wilsonInterval(numerator, count);
  return { numerator, count, rate: w?.rate ?? null, lower: w?.lower ?? null, upper: w?.upper ?? null };
}
