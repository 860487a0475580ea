/**
 * Allocation hypotheses for one credit and their scores. A hypothesis is one customer's set of
 * open invoices the credit might pay: the invoices it names (all of them, the strongly named
 * ones, each one whose balance fits), and, for the payer's customers and those strongly named,
 * invoices found by amount (exact, less fees within tolerance, or an exact combination from a
 * bounded subset search). Scores are log-odds (confidence.ts); ranking is deterministic.
 */
import { allocateOldestFirst, type Allocated, findSubsets, type OpenAmount } from './amounts';
import { compareStrings, type OpenBook, push } from './book';
import { NAME_SCORE_FOR_AMOUNT_SEARCH, subsetWeight, WEIGHTS } from './confidence';
import { quoteCustomer } from './evidence';
import type { PayerSignal } from './identify-payer';
import type { NamedInvoices } from './named-invoices';
import type { CustomerDirectory } from './payers';
import { toleranceMinor } from './policy';
import type { CreditToMatch, MatchPolicy } from './types';

export interface MatchContext {
  readonly book: OpenBook;
  readonly directory: CustomerDirectory;
  readonly policy: MatchPolicy;
  readonly counters: { credits: number; subsetSearches: number; subsetSearchesCutShort: number; subsetSteps: number };
}

type Origin = 'named' | 'amount' | 'subset' | 'amount-only';

export interface Hypothesis {
  readonly key: string;
  readonly customerId: string;
  /** Invoice indices, ascending (oldest first). */
  readonly invoices: readonly number[];
  readonly origin: Origin;
  readonly subsetComplete: boolean;
  readonly subsetPool: number;
  score: number;
  basis: string[];
}

/** A named invoice at least this strong (a keyword before it, or better) is "strongly named". */
const STRONG = WEIGHTS.keyword;
/** At most this many named invoices of one customer in one hypothesis. */
const MAX_NAMED = 500;
/** At most this many payer customers are searched by amount (a shared account, similar names). */
const MAX_PAYER_SEARCHES = 4;
const MAX_SEARCHES = 6;
/** An exact amount alone is listed as a guess only when this few invoices have it. */
const MAX_AMOUNT_ONLY = 5;

export function allocationOf(book: OpenBook, h: Hypothesis, creditMinor: number): Allocated {
  return allocateOldestFirst(
    h.invoices.map((i) => ({ idx: i, openMinor: book.invoices[i]!.openMinor })),
    creditMinor,
  );
}

export function who(ctx: MatchContext, id: string): string {
  const k = ctx.directory.indexOf(id);
  return quoteCustomer(id, k === undefined ? undefined : ctx.directory.customers[k]!.name);
}

/** Builds the hypotheses (notes get "has no open invoice in X" lines). */
export function buildHypotheses(
  ctx: MatchContext,
  credit: CreditToMatch,
  { named }: NamedInvoices,
  payer: ReadonlyMap<string, PayerSignal>,
  notes: string[],
): Map<string, Hypothesis> {
  const { book, policy } = ctx;
  const inv = book.invoices;
  const cur = credit.currency;
  const total = credit.amountMinor as number;
  const hyps = new Map<string, Hypothesis>();
  const add = (customerId: string, idxs: readonly number[], origin: Origin, subsetComplete = true, subsetPool = 0) => {
    if (!idxs.length) return;
    const sorted = [...new Set(idxs)].sort((a, b) => a - b);
    const key = sorted.join(',');
    if (hyps.has(key)) return;
    hyps.set(key, { key, customerId, invoices: sorted, origin, subsetComplete, subsetPool, score: 0, basis: [] });
  };
  const sumOpen = (idxs: readonly number[]) => idxs.reduce((s, i) => s + inv[i]!.openMinor, 0);
  const fitsAmount = (idxs: readonly number[]) => {
    const open = sumOpen(idxs);
    return open === total || (open > total && open - total <= toleranceMinor(policy, cur, open));
  };

  const namedByCustomer = new Map<string, number[]>();
  for (const idx of [...named.keys()].sort((a, b) => a - b)) push(namedByCustomer, inv[idx]!.customerId, idx);
  for (const [customerId, idxs] of namedByCustomer) {
    add(
      customerId,
      idxs.filter((i) => named.get(i)!.weight >= STRONG),
      'named',
    );
    add(customerId, idxs.slice(0, MAX_NAMED), 'named');
    for (const i of idxs) if (fitsAmount([i])) add(customerId, [i], 'named');
  }

  // Customers whose open invoices are searched by amount: the payer's, and those strongly named.
  const searchCustomers = new Set<string>();
  const payerRank = [...payer.entries()]
    .filter(([, s]) => s.weight >= WEIGHTS.names[2]![1] || (s.ambiguousName && s.nameScore >= NAME_SCORE_FOR_AMOUNT_SEARCH))
    .sort((a, b) => b[1].weight - a[1].weight || compareStrings(a[0], b[0]));
  for (const [id] of payerRank.slice(0, MAX_PAYER_SEARCHES)) searchCustomers.add(id);
  for (const [customerId, idxs] of namedByCustomer) {
    if (searchCustomers.size >= MAX_SEARCHES) break;
    if (idxs.some((i) => named.get(i)!.weight >= STRONG)) searchCustomers.add(customerId);
  }

  for (const customerId of searchCustomers) {
    const open = book.openOf(customerId, cur);
    if (!open) {
      if (payer.has(customerId)) notes.push(`${who(ctx, customerId)} has no open invoice in ${cur}`);
      continue;
    }
    const exact = book.openBetween(customerId, cur, total, total);
    for (const i of exact) add(customerId, [i], 'amount');
    if (!exact.length) {
      // The tolerance grows with the open balance but never beyond its fixed part.
      const t = policy.tolerance[cur] ?? policy.defaultTolerance;
      for (const i of book.openBetween(customerId, cur, total + 1, total + t.fixedMinor)) {
        const o = inv[i]!.openMinor;
        if (o - total <= toleranceMinor(policy, cur, o)) add(customerId, [i], 'amount');
      }
    }
    // A single invoice paid exactly needs no combination; one paid less fees may still be a
    // coincidence next to an exact combination, so both are kept and compete.
    const paidExactly = exact.length > 0 || [...hyps.values()].some((h) => h.customerId === customerId && sumOpen(h.invoices) === total);
    if (paidExactly || policy.maxSubsetSize < 2) continue;
    // Named invoices first, then the oldest: payers clear their oldest invoices first.
    const pool: OpenAmount[] = [];
    const seen = new Set<number>();
    for (const i of [...(namedByCustomer.get(customerId) ?? []), ...open]) {
      if (pool.length >= policy.maxSubsetCandidates) break;
      if (seen.has(i) || inv[i]!.openMinor > total) continue;
      seen.add(i);
      pool.push({ idx: i, openMinor: inv[i]!.openMinor });
    }
    const search = findSubsets(pool, total, policy.maxSubsetSize, policy.maxSubsetSteps);
    ctx.counters.subsetSearches++;
    ctx.counters.subsetSteps += search.steps;
    if (!search.complete) ctx.counters.subsetSearchesCutShort++;
    for (const sol of search.solutions) add(customerId, sol, 'subset', search.complete, pool.length);
  }

  // Nothing ties the credit to anyone: an exact amount alone is a weak, listed guess.
  if (!hyps.size && !payer.size) {
    const same = book.withOpenBalance(cur, total);
    if (same.length <= MAX_AMOUNT_ONLY) for (const i of same) add(inv[i]!.customerId, [i], 'amount-only');
  }
  return hyps;
}

/** Scores every hypothesis and ranks them, best first. */
export function rankHypotheses(
  ctx: MatchContext,
  credit: CreditToMatch,
  hyps: ReadonlyMap<string, Hypothesis>,
  { named, otherCurrency }: NamedInvoices,
  payer: ReadonlyMap<string, PayerSignal>,
  deduction: string | null,
): Hypothesis[] {
  const { book, policy } = ctx;
  const cur = credit.currency;
  const total = credit.amountMinor as number;
  const strongPayer = [...payer.values()].some((s) => s.weight >= 3);
  const namedAll = [...named.entries()];
  for (const h of hyps.values()) {
    let score = WEIGHTS.prior;
    const inH = new Set(h.invoices);
    for (const i of h.invoices) {
      const n = named.get(i);
      if (n) {
        score += n.weight;
        if (!h.basis.includes(n.basis)) h.basis.push(n.basis);
      }
    }
    // What the credit names but this allocation leaves out counts against it.
    for (const [i, n] of namedAll) if (!inH.has(i)) score -= WEIGHTS.namedLeftOut * n.weight;
    for (const [, w] of otherCurrency) score -= WEIGHTS.namedLeftOut * w;
    const p = payer.get(h.customerId);
    if (p && p.weight > 0) {
      score += p.weight;
      h.basis.push(p.viaAccount ? 'payer account' : 'payer name');
    } else if (strongPayer) score += WEIGHTS.payerIsOther;
    const a = allocationOf(book, h, total);
    if (a.shortMinor === 0 && a.unallocatedMinor === 0) {
      if (h.origin === 'subset') score += subsetWeight(h.invoices.length, h.subsetComplete);
      else if (h.origin === 'amount-only') score += WEIGHTS.amountOnly;
      else score += WEIGHTS.amountExact;
      h.basis.push(h.invoices.length > 1 ? 'amount (sum)' : 'amount');
    } else if (a.shortMinor > 0 && a.shortMinor <= toleranceMinor(policy, cur, a.totalOpenMinor)) {
      score += WEIGHTS.amountTolerance;
      h.basis.push('amount less fees');
    } else if (a.shortMinor > 0) {
      score += deduction ? WEIGHTS.shortDeductionNamed : WEIGHTS.shortBeyond;
      h.basis.push('partial payment');
    } else {
      score += WEIGHTS.overpaid;
      h.basis.push('overpayment');
    }
    h.score = score;
  }
  return [...hyps.values()].sort(
    (x, y) =>
      y.score - x.score || compareStrings(x.customerId, y.customerId) || x.invoices[0]! - y.invoices[0]! || compareStrings(x.key, y.key),
  );
}
