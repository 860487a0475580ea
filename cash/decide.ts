/**
 * What cash application does with one matched bank credit: apply it alone, propose it to a
 * person, or leave it unapplied. Pure: the matcher's result, the autonomy gate's answer, the
 * cash policy and what earlier credits of the same statement already took from each invoice.
 */
import { toDecimal } from '../domain/money';
import type { Allocation, MatchResult } from './matching';

export type CashStatus = 'applied' | 'proposed' | 'unapplied';

export interface ShortPaymentNote {
  invoiceNumber: string;
  shortMinor: number;
  /** fees: within tolerance (a write-off for a person); partial: the customer says so, the rest stays open; deduction: a dispute. */
  kind: 'fees' | 'partial' | 'deduction';
}

export interface CashDecision {
  status: CashStatus;
  customerId: string | null;
  /** The applied ones, or the proposal's. */
  allocations: { invoiceNumber: string; amountMinor: number }[];
  confidence: number;
  shortPayment: ShortPaymentNote | null;
  reasons: string[];
}

export interface DecideInput {
  result: MatchResult;
  currency: string;
  remittance: string;
  /** May cash_match act alone for this customer (the autonomy gate), and why. */
  gate: { mode: 'supervised' | 'autonomous'; reason: string } | null;
  autoApplyMinConfidence: number;
  /** Open balance left per invoice after earlier credits of this statement. */
  remaining: ReadonlyMap<string, number>;
}

// The customer tells us it pays part now: the rest stays open and collection goes on.
const PARTIAL = /\b(?:partial(?:ly)?|part[ -]?payment|instal?l?ments?|on account|teilzahlung|abschlag(?:szahlung)?|acompte)\b/i;

export function decideCredit(input: DecideInput): CashDecision {
  const { result: r, currency } = input;
  const money = (m: number) => `${toDecimal(m, currency)} ${currency}`;
  const reasons = [...r.evidence];
  const allocations = r.allocations.map((a: Allocation) => ({ invoiceNumber: a.invoiceNumber, amountMinor: a.amountMinor as number }));
  const base = { customerId: r.customerId, confidence: r.confidence };

  if (r.outcome === 'unapplied' || allocations.length === 0) {
    reasons.push('Left unapplied: no allocation is supported well enough to propose; a person can apply it by hand');
    return { ...base, status: 'unapplied', allocations: [], shortPayment: null, reasons };
  }

  const shortPayment = r.shortPayment
    ? {
        invoiceNumber: r.shortPayment.invoiceNumber,
        shortMinor: r.shortPayment.shortMinor as number,
        kind: r.shortPayment.deductionNamed
          ? ('deduction' as const)
          : r.shortPayment.withinTolerance
            ? ('fees' as const)
            : PARTIAL.test(input.remittance)
              ? ('partial' as const)
              : ('deduction' as const),
      }
    : null;
  if (shortPayment?.kind === 'fees')
    reasons.push(
      `Short by ${money(shortPayment.shortMinor)} on ${shortPayment.invoiceNumber}, within the tolerance for bank charges: a write-off of the difference is proposed to a person`,
    );
  if (shortPayment?.kind === 'partial')
    reasons.push(`A partial payment of ${shortPayment.invoiceNumber}: ${money(shortPayment.shortMinor)} stays open and collection goes on`);
  if (shortPayment?.kind === 'deduction')
    reasons.push(
      `Short by ${money(shortPayment.shortMinor)} on ${shortPayment.invoiceNumber}: applied as paid, the difference becomes a deduction dispute`,
    );
  if ((r.unallocatedMinor as number) > 0)
    reasons.push(`${money(r.unallocatedMinor)} more than the invoices: left unapplied as credit on account`);

  const taken = allocations.find((a) => a.amountMinor > (input.remaining.get(a.invoiceNumber) ?? 0));
  const why: string[] = [];
  if (taken)
    why.push(`invoice ${taken.invoiceNumber} no longer has ${money(taken.amountMinor)} open (an earlier credit of this statement paid it)`);
  if (r.outcome !== 'auto') why.push('the matcher does not suggest applying it alone');
  if (r.ambiguous) why.push('another allocation fits about as well');
  if (r.confidence < input.autoApplyMinConfidence)
    why.push(`confidence ${r.confidence} is below autoApplyMinConfidence ${input.autoApplyMinConfidence}`);
  if (!input.gate) why.push('no customer identified for the autonomy gate');
  else if (input.gate.mode !== 'autonomous') why.push(input.gate.reason);

  if (why.length === 0) {
    reasons.push(`Applied automatically: confidence ${r.confidence} ≥ ${input.autoApplyMinConfidence}; ${input.gate!.reason}`);
    return { ...base, status: 'applied', allocations, shortPayment, reasons };
  }
  reasons.push(`Proposed to a person: ${why.join('; ')}`);
  return { ...base, status: 'proposed', allocations, shortPayment, reasons };
}
