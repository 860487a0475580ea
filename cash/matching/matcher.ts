/**
 * Cash application: which open invoices a bank credit pays. `createMatcher` indexes the open
 * invoices (book.ts) and customers (payers.ts) once; `match` reads what the credit names
 * (named-invoices.ts) and who paid (identify-payer.ts), builds and ranks the few allocation
 * hypotheses that evidence supports (hypotheses.ts), and returns the best with its alternatives,
 * a confidence, a suggestion and the evidence in sentences (explain.ts). Never across currencies;
 * the same input always gives the same output.
 */
import { isCurrency, minor, type Minor } from '../../domain/money';
import { OpenBook } from './book';
import { roundConfidence, shares, WEIGHTS } from './confidence';
import { namedDeduction } from './deductions';
import { listNumbers, money } from './evidence';
import { explain } from './explain';
import { allocationOf, buildHypotheses, type MatchContext, rankHypotheses, who } from './hypotheses';
import { identifyPayer } from './identify-payer';
import { readNamedInvoices } from './named-invoices';
import { CustomerDirectory } from './payers';
import { resolvePolicy, toleranceMinor } from './policy';
import type {
  CreditToMatch,
  CustomerIdentity,
  MatchCandidate,
  MatchOutcome,
  MatchPolicy,
  MatchResult,
  Matcher,
  OpenInvoice,
  ShortPayment,
} from './types';

/** A payer signal this strong (an account, or a name of score 92+) names the customer on its own. */
const IDENTIFIED = WEIGHTS.names[1]![1];
/** ... and this strong is enough, with a matching amount, for a person to attribute the credit. */
const ATTRIBUTED = WEIGHTS.names[2]![1];

export function createMatcher(
  openInvoices: readonly OpenInvoice[],
  customers: readonly CustomerIdentity[],
  policyOverrides: Partial<MatchPolicy> = {},
): Matcher {
  const policy = resolvePolicy(policyOverrides);
  const book = new OpenBook(openInvoices);
  const directory = new CustomerDirectory(customers);
  const counters = { credits: 0, subsetSearches: 0, subsetSearchesCutShort: 0, subsetSteps: 0 };
  const ctx: MatchContext = { book, directory, policy, counters };

  function match(credit: CreditToMatch): MatchResult {
    counters.credits++;
    minor(credit.amountMinor, `credit ${credit.id} amountMinor`);
    const cur = credit.currency;
    const total = credit.amountMinor as number;
    if (!isCurrency(cur)) return unapplied(credit, null, [`'${cur}' is not an ISO 4217 currency code: nothing can be matched`], []);
    if (total <= 0) return unapplied(credit, null, [`Credit ${credit.id} has no positive amount: nothing to apply`], []);
    if (!book.hasCurrency(cur)) {
      const why = `No open invoice is in ${cur}: nothing to apply this credit of ${money(total, cur)} to (invoices in another currency are never candidates)`;
      return unapplied(credit, null, [why], []);
    }

    const texts = [...credit.structuredRefs, credit.remittance].filter((t) => t.trim() !== '');
    const namedInvoices = readNamedInvoices(book, policy, credit, texts);
    const { payer, notes: payerNotes } = identifyPayer(directory, credit);
    const notes = [...namedInvoices.notes, ...payerNotes];
    const hyps = buildHypotheses(ctx, credit, namedInvoices, payer, notes);
    const deduction = namedDeduction(texts);
    const ranked = rankHypotheses(ctx, credit, hyps, namedInvoices, payer, deduction);

    const share = shares(ranked.map((h) => h.score));
    const candidates: MatchCandidate[] = ranked.slice(0, policy.maxCandidates).map((h, k) => {
      const a = allocationOf(book, h, total);
      return {
        customerId: h.customerId,
        invoiceNumbers: h.invoices.map((i) => book.invoices[i]!.number),
        allocations: a.allocations.map((x) => ({ invoiceNumber: book.invoices[x.idx]!.number, amountMinor: x.amountMinor as Minor })),
        score: roundConfidence(share[k]!),
        basis: h.basis.join(' + '),
      };
    });

    const identified = [...payer.entries()].filter(([, s]) => s.weight >= 3).map(([id]) => id);
    const payerCustomer = identified.length === 1 ? identified[0]! : null;
    const best = ranked[0];
    if (!best) {
      const why = payerCustomer
        ? `No open invoice of ${who(ctx, payerCustomer)} in ${cur} fits ${money(total, cur)}, and the credit names none: hold it as unapplied cash of ${payerCustomer}`
        : `Nothing ties this credit of ${money(total, cur)} to an open invoice`;
      const payerSentences = [...payer.keys()].sort().flatMap((id) => payer.get(id)!.sentences);
      return unapplied(credit, payerCustomer, [...payerSentences, ...notes, why], candidates);
    }

    const confidence = roundConfidence(share[0]!);
    const runnerUp = ranked[1];
    const bestPayer = payer.get(best.customerId);
    const namedInBest = best.invoices.some((i) => namedInvoices.named.has(i));
    const closeRival = runnerUp !== undefined && runnerUp.score >= best.score - WEIGHTS.ambiguityMargin;
    // Only an ambiguous name ties the credit to this customer: a person must say which one.
    const nameOnlyAmbiguous = !namedInBest && !!bestPayer?.ambiguousName && !bestPayer.viaAccount && bestPayer.weight < IDENTIFIED;
    const ambiguous = closeRival || nameOnlyAmbiguous;
    // With no reference and no identified payer, no one could attribute it: never automatic.
    const attributable = namedInBest || (bestPayer !== undefined && bestPayer.weight >= ATTRIBUTED);
    const outcome: MatchOutcome =
      confidence >= policy.autoApplyMinConfidence && !ambiguous && attributable
        ? 'auto'
        : confidence >= policy.proposeMinConfidence
          ? 'propose'
          : 'unapplied';

    const a = allocationOf(book, best, total);
    const evidence = [...explain(ctx, credit, best, a, deduction, namedInvoices.named, payer), ...notes];
    if (closeRival) {
      const rival = listNumbers(runnerUp.invoices.map((i) => book.invoices[i]!.number));
      evidence.push(
        `Another allocation fits about as well: ${rival} of ${runnerUp.customerId} (score ${candidates[1]?.score ?? 0} against ${confidence}); a person must choose`,
      );
    }
    if (!attributable) evidence.push('Nothing but the amount ties this credit to the customer: never applied automatically');

    if (outcome === 'unapplied') {
      const customerId = payerCustomer ?? (bestPayer && bestPayer.weight >= 3 ? best.customerId : null);
      return unapplied(credit, customerId, evidence, candidates, confidence, ambiguous);
    }

    let shortPayment: ShortPayment | undefined;
    if (a.shortMinor > 0) {
      const last = a.allocations[a.allocations.length - 1]!;
      shortPayment = {
        invoiceNumber: book.invoices[last.idx]!.number,
        shortMinor: a.shortMinor as Minor,
        withinTolerance: a.shortMinor <= toleranceMinor(policy, cur, a.totalOpenMinor),
        deductionNamed: deduction !== null,
      };
    }
    return {
      creditId: credit.id,
      customerId: best.customerId,
      allocations: a.allocations.map((x) => ({ invoiceNumber: book.invoices[x.idx]!.number, amountMinor: x.amountMinor as Minor })),
      unallocatedMinor: a.unallocatedMinor as Minor,
      confidence,
      outcome,
      ambiguous,
      ...(shortPayment ? { shortPayment } : {}),
      candidates,
      evidence,
    };
  }

  return { match, stats: { openInvoices: book.size, customers: directory.customers.length, numberKeys: book.numbers.size }, counters };
}

function unapplied(
  credit: CreditToMatch,
  customerId: string | null,
  evidence: string[],
  candidates: MatchCandidate[],
  confidence = 0,
  ambiguous = false,
): MatchResult {
  return {
    creditId: credit.id,
    customerId,
    allocations: [],
    unallocatedMinor: Math.max(0, credit.amountMinor) as Minor,
    confidence,
    outcome: 'unapplied',
    ambiguous,
    candidates,
    evidence,
  };
}
