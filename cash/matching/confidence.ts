/**
 * The confidence model. Each piece of evidence for an allocation hypothesis adds log-odds
 * (naive-Bayes style, so every weight reads as "how much more likely this makes it"), starting
 * from a sceptical prior. Competing hypotheses share the belief through a softmax that also
 * holds a "none of these" option, so two equally good candidates each get at most half: ambiguity
 * lowers confidence by construction instead of by a special case.
 */
import type { NumberHit } from './invoice-numbers';

export const WEIGHTS = {
  /** Before any evidence: most credits are not explained by an arbitrary invoice. */
  prior: -2,
  reference: 8,
  endToEnd: 8,
  prefixedExact: 6,
  prefixed: 5.5,
  listed: 5,
  keyword: 4.5,
  keywordShort: 2,
  /** Bare numbers by significant digits: 8+, 6-7, 5, 4, fewer. */
  bare: [4, 3, 2, 1, 0.3] as const,
  zerosKept: 0.5,
  /** A purchase order number counts this much less than the same written invoice number. */
  purchaseOrderDiscount: 1,
  /** Per doubling of the customers one written number fits. */
  perExtraCustomer: 1.5,
  /** A named invoice an allocation leaves out counts against it by this share of its weight. */
  namedLeftOut: 0.5,
  account: 5,
  accountShared: 2,
  /** Name score thresholds and weights, best first. */
  names: [
    [97, 4],
    [92, 3],
    [87, 1.5],
    [80, 0.5],
  ] as ReadonlyArray<readonly [number, number]>,
  /** The payer is clearly another customer than the allocation's. */
  payerIsOther: -2,
  amountExact: 4,
  amountTolerance: 2.5,
  /** Two invoices adding up exactly; each further invoice in the set takes `subsetPerExtra` off. */
  subsetExact: 3,
  subsetPerExtra: 0.5,
  subsetIncomplete: 0.5,
  /** Exact amount with nothing else tying the credit to the customer. */
  amountOnly: 1,
  shortBeyond: -2,
  shortDeductionNamed: -1,
  overpaid: -2.5,
  /** Runner-up within this many log-odds of the best: ambiguous. */
  ambiguityMargin: 1,
} as const;

/**
 * An exact sum of k invoices found by amount alone: the more invoices in the set, the more
 * combinations there were to hit the amount by coincidence (C(30,2) = 435, C(30,6) ≈ 600,000).
 */
export function subsetWeight(size: number, complete: boolean): number {
  if (!complete) return WEIGHTS.subsetIncomplete;
  return Math.max(WEIGHTS.subsetIncomplete, WEIGHTS.subsetExact - WEIGHTS.subsetPerExtra * (size - 2));
}

/** Name score → weight; 0 below the lowest threshold. */
export function nameWeight(score: number): number {
  for (const [min, w] of WEIGHTS.names) if (score >= min) return w;
  return 0;
}

/** A name this strong identifies the payer enough to search its invoices by amount. */
export const NAME_SCORE_FOR_AMOUNT_SEARCH = 87;

/** Log-odds a written invoice number adds, by how it was written and how many customers it fits. */
export function numberHitWeight(hit: NumberHit, customersFitting: number): number {
  let w: number;
  switch (hit.kind) {
    case 'prefixed':
      w = hit.exactZeros ? WEIGHTS.prefixedExact : WEIGHTS.prefixed;
      break;
    case 'listed':
      w = WEIGHTS.listed;
      break;
    case 'keyword':
      w = hit.significantDigits >= 4 ? WEIGHTS.keyword : WEIGHTS.keywordShort;
      break;
    case 'bare': {
      const d = hit.significantDigits;
      w = d >= 8 ? WEIGHTS.bare[0] : d >= 6 ? WEIGHTS.bare[1] : d === 5 ? WEIGHTS.bare[2] : d === 4 ? WEIGHTS.bare[3] : WEIGHTS.bare[4];
      break;
    }
  }
  if (hit.kind !== 'prefixed' && hit.exactZeros && hit.significantDigits >= 4) w += WEIGHTS.zerosKept;
  // "1250" in a remittance for 1,250.00 is the amount at least as likely as an invoice number.
  if (hit.looksLikeAmount && hit.kind !== 'prefixed') w /= 2;
  if (customersFitting > 1) w -= WEIGHTS.perExtraCustomer * Math.log2(customersFitting);
  return Math.max(0, w);
}

/** Each hypothesis's share of belief; the implicit "none of these" has log-odds 0. */
export function shares(scores: readonly number[]): number[] {
  if (!scores.length) return [];
  const top = Math.max(0, ...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const total = Math.exp(-top) + exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Rounded for stable output; the rounded value is the one compared with thresholds. */
export function roundConfidence(p: number): number {
  return Math.min(1, Math.max(0, Math.round(p * 10_000) / 10_000));
}
