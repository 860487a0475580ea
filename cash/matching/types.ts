/**
 * Plain data in, plain data out: what cash application needs to decide which open invoices a
 * bank credit pays. Money is integer minor units with an ISO 4217 currency; dates are ISO
 * calendar dates (YYYY-MM-DD). The statement parser's output is mapped onto CreditToMatch by the
 * caller, so this room does not depend on any one bank format.
 */
import type { Minor } from '../../domain/money';

/** One incoming payment (a credit line of a bank statement). */
export interface CreditToMatch {
  readonly id: string;
  /** Always positive. */
  readonly amountMinor: Minor;
  readonly currency: string;
  readonly bookingDate: string;
  readonly payerName: string | null;
  /** An IBAN (any spacing) or another account id, as the bank reported it. */
  readonly payerAccount: string | null;
  /** Free remittance text; '' when the bank sent none. */
  readonly remittance: string;
  /** Creditor references, invoice numbers and similar fields the bank carried separately. */
  readonly structuredRefs: readonly string[];
  readonly endToEndId: string | null;
}

export interface OpenInvoice {
  readonly number: string;
  readonly customerId: string;
  readonly currency: string;
  /** What is still owed; invoices with nothing open are ignored. */
  readonly openMinor: Minor;
  /** The invoice's original amount. */
  readonly amountMinor: Minor;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly poNumber: string | null;
  /** An ISO 11649 RF creditor reference or a Swiss QR reference printed on the invoice. */
  readonly paymentReference: string | null;
}

export interface CustomerIdentity {
  readonly id: string;
  readonly name: string;
  /** IBANs or account ids learned from earlier applied matches. */
  readonly knownAccounts: readonly string[];
}

/** How short a payment may be and still count as paid in full (bank charges deducted). */
export interface Tolerance {
  readonly fixedMinor: number;
  /** Of the open balance, in basis points (50 = 0.5%). */
  readonly basisPoints: number;
}

export interface MatchPolicy {
  /** `auto` is suggested only at or above this confidence, and never when ambiguous. */
  readonly autoApplyMinConfidence: number;
  /** Below this the best guess is left in `candidates` and the credit stays unapplied. */
  readonly proposeMinConfidence: number;
  /** Per currency; a currency not listed gets `defaultTolerance`. */
  readonly tolerance: Readonly<Record<string, Tolerance>>;
  readonly defaultTolerance: Tolerance;
  /** Largest number of invoices one credit is searched against by amount alone. */
  readonly maxSubsetSize: number;
  /** How many of a customer's open invoices (oldest first) the subset search considers. */
  readonly maxSubsetCandidates: number;
  /** Bounds the subset search per customer; a search cut short is weaker evidence. */
  readonly maxSubsetSteps: number;
  /** EndToEndIds we issued are this prefix followed by the invoice number. */
  readonly issuedEndToEndPrefix?: string;
  /** How many alternatives a result lists. */
  readonly maxCandidates: number;
}

export interface Allocation {
  readonly invoiceNumber: string;
  readonly amountMinor: Minor;
}

export interface ShortPayment {
  /** The invoice left partly open (the last one, oldest first). */
  readonly invoiceNumber: string;
  readonly shortMinor: Minor;
  /** Short by no more than the tolerance: the rest may be written off as bank charges. */
  readonly withinTolerance: boolean;
  /** The remittance names a deduction (promo, damaged goods, chargeback, ...). */
  readonly deductionNamed: boolean;
}

export type MatchOutcome = 'auto' | 'propose' | 'unapplied';

export interface MatchCandidate {
  readonly customerId: string;
  readonly invoiceNumbers: readonly string[];
  readonly allocations: readonly Allocation[];
  /** This alternative's share of the belief, in [0, 1]; the candidates' scores sum to at most 1. */
  readonly score: number;
  /** The kinds of evidence behind it, e.g. "reference + amount + payer account". */
  readonly basis: string;
}

export interface MatchResult {
  readonly creditId: string;
  readonly customerId: string | null;
  /** Sum never exceeds the credit; each never exceeds the invoice's open balance. */
  readonly allocations: readonly Allocation[];
  /** Credit not allocated to an invoice (an overpayment, or all of it when unapplied). */
  readonly unallocatedMinor: Minor;
  /** In [0, 1]: the chosen allocation's share of belief; when unapplied, the best guess's (0 if none). */
  readonly confidence: number;
  /** A suggestion only: whether cash_match may act alone for this scope is decided elsewhere. */
  readonly outcome: MatchOutcome;
  /** Another allocation fits about as well, or the payer fits several customers. */
  readonly ambiguous: boolean;
  readonly shortPayment?: ShortPayment;
  /** Best first; the chosen allocation, when there is one, is the first. */
  readonly candidates: readonly MatchCandidate[];
  /** Plain sentences for the person who reviews the match. */
  readonly evidence: readonly string[];
}

export interface Matcher {
  match(credit: CreditToMatch): MatchResult;
  /** Sizes of what was indexed, for logs and benchmarks. */
  readonly stats: { readonly openInvoices: number; readonly customers: number; readonly numberKeys: number };
  /** Running totals since createMatcher, for logs and benchmarks. */
  readonly counters: {
    readonly credits: number;
    readonly subsetSearches: number;
    readonly subsetSearchesCutShort: number;
    readonly subsetSteps: number;
  };
}
