/**
 * Default matching policy and the tolerance rule. Tolerance follows the usual AR tolerance-group
 * convention: a short payment counts as paid when the short is within BOTH the fixed amount and
 * the percentage of the open balance (the lower limit applies), so a 15.00 fee is absorbed on a
 * 3,000.00 invoice but not on a 40.00 one. Integer arithmetic only.
 */
import { currencyExponent } from '../../domain/money';
import type { MatchPolicy, Tolerance } from './types';

/** 15.00 in the currency's major unit, 0.5% of the open balance. */
function usual(currency: string, major = 15): Tolerance {
  return { fixedMinor: major * 10 ** currencyExponent(currency), basisPoints: 50 };
}

export const DEFAULT_POLICY: MatchPolicy = {
  autoApplyMinConfidence: 0.95,
  proposeMinConfidence: 0.3,
  tolerance: {
    USD: usual('USD'),
    EUR: usual('EUR'),
    GBP: usual('GBP'),
    CHF: usual('CHF'),
    CAD: usual('CAD'),
    AUD: usual('AUD'),
    NZD: usual('NZD'),
    SGD: usual('SGD'),
    HKD: usual('HKD', 100),
    SEK: usual('SEK', 150),
    NOK: usual('NOK', 150),
    DKK: usual('DKK', 100),
    PLN: usual('PLN', 60),
    CZK: usual('CZK', 350),
    JPY: usual('JPY', 2000),
    CNY: usual('CNY', 100),
    INR: usual('INR', 1200),
    MXN: usual('MXN', 250),
    ZAR: usual('ZAR', 250),
  },
  // A currency nobody configured matches exactly only: writing money off needs a decision.
  defaultTolerance: { fixedMinor: 0, basisPoints: 0 },
  maxSubsetSize: 6,
  maxSubsetCandidates: 30,
  maxSubsetSteps: 20_000,
  maxCandidates: 5,
};

export function resolvePolicy(overrides: Partial<MatchPolicy> = {}): MatchPolicy {
  const p: MatchPolicy = { ...DEFAULT_POLICY, ...overrides, tolerance: { ...DEFAULT_POLICY.tolerance, ...overrides.tolerance } };
  if (!(p.autoApplyMinConfidence > 0 && p.autoApplyMinConfidence <= 1)) throw new RangeError('autoApplyMinConfidence must be in (0, 1]');
  if (!(p.proposeMinConfidence >= 0 && p.proposeMinConfidence <= p.autoApplyMinConfidence)) {
    throw new RangeError('proposeMinConfidence must be in [0, autoApplyMinConfidence]');
  }
  for (const [k, v] of [
    ['maxSubsetSize', p.maxSubsetSize],
    ['maxSubsetCandidates', p.maxSubsetCandidates],
    ['maxSubsetSteps', p.maxSubsetSteps],
    ['maxCandidates', p.maxCandidates],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${k} must be a whole number ≥ 0`);
  }
  for (const [cur, t] of Object.entries(p.tolerance)) {
    if (!Number.isSafeInteger(t.fixedMinor) || t.fixedMinor < 0 || !Number.isSafeInteger(t.basisPoints) || t.basisPoints < 0) {
      throw new RangeError(`tolerance.${cur} must be whole minor units and basis points ≥ 0`);
    }
  }
  return p;
}

/** The largest short (minor units) that still counts as paid in full for this open balance. */
export function toleranceMinor(policy: MatchPolicy, currency: string, openMinor: number): number {
  const t = policy.tolerance[currency] ?? policy.defaultTolerance;
  // floor(open × bp / 10 000) without floats; open < 2^53 and bp small, so the product may not be
  // safe: split open into its quotient and remainder by 10 000 first.
  const q = Math.floor(openMinor / 10_000);
  const r = openMinor - q * 10_000;
  const pct = q * t.basisPoints + Math.floor((r * t.basisPoints) / 10_000);
  return Math.min(t.fixedMinor, pct);
}
