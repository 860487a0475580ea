/**
 * Presentation helpers: numbers rounded only here, at the edge, never inside a computation.
 */

/**
 * Rounds to `places` decimals, half away from zero, after removing binary noise at 15 significant
 * digits (so 2.675, stored as 2.67499999…, rounds to 2.68 as written). null and non-finite → null.
 */
export function roundTo(value: number | null, places = 2): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const abs = Math.abs(Number(value.toPrecision(15)));
  const text = String(abs);
  // Shift the decimal point in the string, not by multiplying (2.675 * 100 = 267.49999999999997).
  // Exponent notation (below 1e-6 or from 1e21): plain arithmetic is as good as it gets there.
  const rounded = text.includes('e')
    ? Math.round(abs * 10 ** places) / 10 ** places
    : Number(`${Math.round(Number(`${text}e${places}`))}e-${places}`);
  const safe = Number.isNaN(rounded) ? abs : rounded;
  const out = value < 0 ? -safe : safe;
  return out === 0 ? 0 : out; // no -0 in JSON consumers' comparisons
}

export const round2 = (value: number | null): number | null => roundTo(value, 2);
