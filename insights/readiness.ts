/**
 * Is this ledger ready for a collections pilot, and for which segments? Computed from the built-in
 * ledger's tables, per customer segment and per currency (amounts in different currencies are
 * never added). Every figure states its definition in the report itself (DEFINITIONS), so a
 * finance reviewer can check it by hand.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import { daysBetween } from '../domain/calendar';
import { currencyExponent, toDecimal } from '../domain/money';
import { loadReadinessCustomerRows, loadReadinessOpenInvoices, loadReadinessPaymentRows } from '../ledger/read-models/readiness';

const DEFINITIONS = {
  openInvoice: "an invoice with status 'open' or 'disputed' (money is still being collected).",
  statedOpen: 'invoices.open_minor: the open balance as stored (from the ERP export or maintained by the ledger).',
  derivedOpen:
    'amount − cash applied to the invoice (payment_applications) − write-offs − credit notes linked to it; what the open balance must be if every movement is recorded.',
  tieOut:
    'per customer and currency, the sum of stated open balances of its open invoices equals the sum of derived ones, to the minor unit.',
  inScopeAccount: 'a customer with at least one open invoice that is not no-touch: the accounts a pilot would contact.',
  decisionMakerEmail: "a contact with role 'decision_maker' and an email address.",
  appliedPayment: 'a payment with at least one allocation to a specific invoice (payment_applications).',
  sample: 'open invoices ordered by the MD5 hash of the invoice number (then the number): the same ledger always gives the same sample.',
} as const;

/** "2,750.125 KWD": grouped digits and the code, for text people read; the data keeps minor units. */
export function amountText(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  // Intl takes the decimal string exactly (no float).
  const grouped = new Intl.NumberFormat('en-US', { minimumFractionDigits: exp, maximumFractionDigits: exp }).format(
    toDecimal(minor, currency) as unknown as number,
  );
  return `${grouped} ${currency}`;
}

export interface Thresholds {
  /** Minimum share of in-scope accounts with a decision-maker email. */
  minDecisionMakerEmailShare: number;
  /** Minimum share of a segment's payments recorded against specific invoices (when it has any). */
  minAppliedPaymentShare: number;
  /** Maximum share of a segment's open invoices (of in-scope accounts) with at least one problem. */
  maxProblemInvoiceShare: number;
  /** Maximum share of a segment's customers whose balance does not tie (0: every one must tie). */
  maxUntiedCustomerShare: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minDecisionMakerEmailShare: 0.8,
  minAppliedPaymentShare: 0.7,
  maxProblemInvoiceShare: 0.1,
  maxUntiedCustomerShare: 0,
};

export const PROBLEMS = {
  no_contact_email: 'the customer has no contact with an email address',
  due_before_issue: 'the due date is before the issue date',
  currency_mismatch: "the currency differs from the customer's other invoices or from every payment the customer made",
  open_exceeds_amount: 'the open balance is more than the invoice amount',
  balance_does_not_tie: 'the stated open balance differs from amount − applied − written off − credited',
  missing_po: 'the terms require a purchase order (PO) and there is no PO number',
  no_timezone: 'the customer has no timezone (UTC, the default when none was given): reminders would go out at UTC hours',
  issued_in_future: 'the issue date is after the report date',
  stale: 'more than 365 days past due: a write-off review, not a reminder',
} as const;
export type ProblemCode = keyof typeof PROBLEMS;

export interface InvoiceProblem {
  code: ProblemCode;
  detail: string;
}

interface TieOut {
  currency: string;
  statedOpenMinor: number;
  derivedOpenMinor: number;
  differenceMinor: number;
  ties: boolean;
  customers: number;
  /** Customers whose balance in this currency does not tie (largest difference first, at most 10). */
  untied: { customerId: string; statedOpenMinor: number; derivedOpenMinor: number }[];
  untiedCustomers: number;
}

export interface SegmentReadiness {
  segment: string;
  customers: number;
  openInvoices: number;
  tieOut: TieOut[];
  inScopeAccounts: number;
  withDecisionMakerEmail: number;
  decisionMakerEmailShare: number | null;
  payments: {
    count: number;
    applied: number;
    appliedShare: number | null;
    byCurrency: { currency: string; totalMinor: number; appliedMinor: number }[];
  };
  inScopeOpenInvoices: number;
  invoicesWithProblems: number;
  problemShare: number | null;
  problemCounts: Partial<Record<ProblemCode, number>>;
}

interface SampleInvoice {
  number: string;
  customerId: string;
  segment: string;
  currency: string;
  amountMinor: number;
  openMinor: number;
  issueDate: string;
  dueDate: string;
  problems: InvoiceProblem[];
}

/** Open invoices of one currency across the ledger: amounts in different currencies never add. */
interface CurrencyTotals {
  currency: string;
  openInvoices: number;
  amountMinor: number;
  /** Stated open balance (invoices.open_minor). */
  openMinor: number;
  derivedOpenMinor: number;
  invoicesWithProblems: number;
}

export interface ReadinessReport {
  asOf: string;
  thresholds: Thresholds;
  definitions: typeof DEFINITIONS;
  totals: { customers: number; openInvoices: number; payments: number };
  /** Per currency, ordered by currency code. */
  totalsByCurrency: CurrencyTotals[];
  segments: SegmentReadiness[];
  sample: SampleInvoice[];
  /** How many open invoices `sample` lists, of how many; `all` when every open invoice is listed (--all). */
  sampled: { invoices: number; of: number; all: boolean };
  recommendation: { exclude: { segment: string; reasons: string[] }[]; pilot: string[] };
}

/** An open invoice as the ledger read model gives it. */
type OpenRow = Awaited<ReturnType<typeof loadReadinessOpenInvoices>>[number];

interface CustomerFacts {
  segment: string;
  noTouch: boolean;
  timezone: string;
  anyEmail: boolean;
  decisionMakerEmail: boolean;
  /** The currency most of the customer's (non-void) invoices are in; ties broken alphabetically. */
  homeCurrency?: string;
  invoiceCurrencies: Set<string>;
  paymentCurrencies: Set<string>;
}

const PO_REQUIRED = /\bPO\b|purchase order/i;
const UNSET_TIMEZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT']);

/** Problems found in one open invoice's record. Pure, so each rule is tested on its own. */
export function invoiceProblems(inv: OpenRow, c: CustomerFacts, asOf: string): InvoiceProblem[] {
  const out: InvoiceProblem[] = [];
  const add = (code: ProblemCode, detail: string) => out.push({ code, detail });
  if (!c.anyEmail) add('no_contact_email', `customer ${inv.customer_id} has no contact email`);
  if (inv.due_date < inv.issue_date) add('due_before_issue', `due ${inv.due_date}, issued ${inv.issue_date}`);
  if (c.homeCurrency && inv.currency !== c.homeCurrency) {
    add('currency_mismatch', `invoice in ${inv.currency}, the customer's other invoices mostly in ${c.homeCurrency}`);
  } else if (c.paymentCurrencies.size > 0 && !c.paymentCurrencies.has(inv.currency)) {
    add('currency_mismatch', `invoice in ${inv.currency}, the customer pays in ${[...c.paymentCurrencies].sort().join(', ')}`);
  }
  if (inv.open_minor > inv.amount_minor)
    add('open_exceeds_amount', `open ${amountText(inv.open_minor, inv.currency)} > amount ${amountText(inv.amount_minor, inv.currency)}`);
  if (inv.open_minor !== inv.derived_minor)
    add(
      'balance_does_not_tie',
      `stated open ${amountText(inv.open_minor, inv.currency)}, derived ${amountText(inv.derived_minor, inv.currency)}`,
    );
  if (inv.terms && PO_REQUIRED.test(inv.terms) && !inv.po_number?.trim()) add('missing_po', `terms "${inv.terms}" and no PO number`);
  if (UNSET_TIMEZONES.has(c.timezone)) add('no_timezone', `customer ${inv.customer_id} timezone is ${c.timezone}`);
  if (inv.issue_date > asOf) add('issued_in_future', `issued ${inv.issue_date}, report date ${asOf}`);
  const overdue = daysBetween(inv.due_date, asOf);
  if (overdue > 365) add('stale', `${overdue} days past due`);
  return out;
}

async function loadCustomerFacts(db: Db): Promise<Map<string, CustomerFacts>> {
  const { customers, contacts, invoiceCurrencies: invCur, paymentCurrencies: payCur } = await loadReadinessCustomerRows(db);
  const facts = new Map<string, CustomerFacts>(
    customers.map((c) => [
      c.id,
      {
        segment: c.segment,
        noTouch: c.no_touch,
        timezone: c.timezone,
        anyEmail: false,
        decisionMakerEmail: false,
        invoiceCurrencies: new Set(),
        paymentCurrencies: new Set(),
      },
    ]),
  );
  for (const k of contacts) {
    const f = facts.get(k.customer_id);
    if (f) Object.assign(f, { anyEmail: k.any_email, decisionMakerEmail: k.dm_email });
  }
  const best = new Map<string, { currency: string; n: number }>();
  for (const r of invCur.sort((a, b) => a.currency.localeCompare(b.currency))) {
    facts.get(r.customer_id)?.invoiceCurrencies.add(r.currency);
    const b = best.get(r.customer_id);
    if (!b || r.n > b.n) best.set(r.customer_id, { currency: r.currency, n: r.n });
  }
  for (const [id, b] of best) {
    const f = facts.get(id)!;
    // A home currency only means something when the customer bills in more than one.
    if (f.invoiceCurrencies.size > 1) f.homeCurrency = b.currency;
  }
  for (const p of payCur) facts.get(p.customer_id)?.paymentCurrencies.add(p.currency);
  return facts;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export async function computeReadiness(
  db: Db,
  /** all: list every open invoice (in sample order), not only sampleSize of them. */
  opts: { asOf: string; sampleSize?: number; all?: boolean; thresholds?: Partial<Thresholds> },
): Promise<ReadinessReport> {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const facts = await loadCustomerFacts(db);
  const open = await loadReadinessOpenInvoices(db);
  const pay = await loadReadinessPaymentRows(db);

  const UNIDENTIFIED = '(unidentified payer)';
  const segmentNames = new Set<string>([...[...facts.values()].map((f) => f.segment), ...pay.map((p) => p.segment ?? UNIDENTIFIED)]);
  const segments = new Map<string, SegmentReadiness>();
  for (const s of [...segmentNames].sort()) {
    segments.set(s, {
      segment: s,
      customers: [...facts.values()].filter((f) => f.segment === s).length,
      openInvoices: 0,
      tieOut: [],
      inScopeAccounts: 0,
      withDecisionMakerEmail: 0,
      decisionMakerEmailShare: null,
      payments: { count: 0, applied: 0, appliedShare: null, byCurrency: [] },
      inScopeOpenInvoices: 0,
      invoicesWithProblems: 0,
      problemShare: null,
      problemCounts: {},
    });
  }

  // Tie-out per customer and currency, then per segment and currency.
  const perCustomer = new Map<string, { customerId: string; segment: string; currency: string; stated: number; derived: number }>();
  const problemsOf = new Map<string, InvoiceProblem[]>();
  const inScope = new Set<string>();
  for (const inv of open) {
    const f = facts.get(inv.customer_id)!;
    const seg = segments.get(f.segment)!;
    seg.openInvoices++;
    const key = `${inv.customer_id}\u0000${inv.currency}`;
    const c = perCustomer.get(key) ?? { customerId: inv.customer_id, segment: f.segment, currency: inv.currency, stated: 0, derived: 0 };
    c.stated += inv.open_minor;
    c.derived += inv.derived_minor;
    perCustomer.set(key, c);
    const problems = invoiceProblems(inv, f, opts.asOf);
    problemsOf.set(inv.number, problems);
    if (f.noTouch) continue;
    inScope.add(inv.customer_id);
    seg.inScopeOpenInvoices++;
    if (problems.length) seg.invoicesWithProblems++;
    for (const p of problems) seg.problemCounts[p.code] = (seg.problemCounts[p.code] ?? 0) + 1;
  }
  for (const c of perCustomer.values()) {
    const seg = segments.get(c.segment)!;
    let t = seg.tieOut.find((x) => x.currency === c.currency);
    if (!t) {
      t = {
        currency: c.currency,
        statedOpenMinor: 0,
        derivedOpenMinor: 0,
        differenceMinor: 0,
        ties: true,
        customers: 0,
        untied: [],
        untiedCustomers: 0,
      };
      seg.tieOut.push(t);
    }
    t.customers++;
    t.statedOpenMinor += c.stated;
    t.derivedOpenMinor += c.derived;
    if (c.stated !== c.derived) {
      t.untiedCustomers++;
      t.untied.push({ customerId: c.customerId, statedOpenMinor: c.stated, derivedOpenMinor: c.derived });
    }
  }
  for (const seg of segments.values()) {
    seg.tieOut.sort((a, b) => a.currency.localeCompare(b.currency));
    for (const t of seg.tieOut) {
      t.differenceMinor = t.statedOpenMinor - t.derivedOpenMinor;
      t.ties = t.untiedCustomers === 0;
      t.untied = t.untied
        .sort(
          (a, b) =>
            Math.abs(b.statedOpenMinor - b.derivedOpenMinor) - Math.abs(a.statedOpenMinor - a.derivedOpenMinor) ||
            a.customerId.localeCompare(b.customerId),
        )
        .slice(0, 10);
    }
    seg.problemShare = share(seg.invoicesWithProblems, seg.inScopeOpenInvoices);
  }
  for (const id of inScope) {
    const f = facts.get(id)!;
    const seg = segments.get(f.segment)!;
    seg.inScopeAccounts++;
    if (f.decisionMakerEmail) seg.withDecisionMakerEmail++;
  }
  for (const p of pay) {
    const seg = segments.get(p.segment ?? UNIDENTIFIED)!;
    seg.payments.count += p.n;
    seg.payments.applied += p.applied;
    seg.payments.byCurrency.push({ currency: p.currency, totalMinor: p.total, appliedMinor: p.applied_minor });
  }
  for (const seg of segments.values()) {
    seg.decisionMakerEmailShare = share(seg.withDecisionMakerEmail, seg.inScopeAccounts);
    seg.payments.appliedShare = share(seg.payments.applied, seg.payments.count);
    seg.payments.byCurrency.sort((a, b) => a.currency.localeCompare(b.currency));
  }

  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const sample = open
    .map((inv) => ({ inv, h: md5(inv.number) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.inv.number.localeCompare(b.inv.number)))
    .slice(0, opts.all ? undefined : (opts.sampleSize ?? 20))
    .map(({ inv }) => ({
      number: inv.number,
      customerId: inv.customer_id,
      segment: facts.get(inv.customer_id)!.segment,
      currency: inv.currency,
      amountMinor: inv.amount_minor,
      openMinor: inv.open_minor,
      issueDate: inv.issue_date,
      dueDate: inv.due_date,
      problems: problemsOf.get(inv.number)!,
    }));

  const byCurrency = new Map<string, CurrencyTotals>();
  for (const inv of open) {
    const t = byCurrency.get(inv.currency) ?? {
      currency: inv.currency,
      openInvoices: 0,
      amountMinor: 0,
      openMinor: 0,
      derivedOpenMinor: 0,
      invoicesWithProblems: 0,
    };
    t.openInvoices++;
    t.amountMinor += inv.amount_minor;
    t.openMinor += inv.open_minor;
    t.derivedOpenMinor += inv.derived_minor;
    if (problemsOf.get(inv.number)!.length) t.invoicesWithProblems++;
    byCurrency.set(inv.currency, t);
  }

  const all = [...segments.values()];
  return {
    asOf: opts.asOf,
    thresholds,
    definitions: DEFINITIONS,
    totals: { customers: facts.size, openInvoices: open.length, payments: pay.reduce((t, p) => t + p.n, 0) },
    totalsByCurrency: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    segments: all,
    sample,
    sampled: { invoices: sample.length, of: open.length, all: !!opts.all },
    recommendation: recommend(all, thresholds),
  };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Which segments to leave out of the pilot, and why, by the thresholds. */
export function recommend(segments: SegmentReadiness[], t: Thresholds): ReadinessReport['recommendation'] {
  const exclude: { segment: string; reasons: string[] }[] = [];
  const pilot: string[] = [];
  for (const s of segments) {
    const reasons: string[] = [];
    if (s.inScopeAccounts === 0) {
      // Unidentified payers and all-no-touch segments have nothing a pilot could contact.
      exclude.push({ segment: s.segment, reasons: ['no in-scope accounts (no open invoices outside no-touch accounts)'] });
      continue;
    }
    const customersWithOpen = s.tieOut.reduce((n, x) => n + x.customers, 0);
    const untied = s.tieOut.reduce((n, x) => n + x.untiedCustomers, 0);
    if (customersWithOpen > 0 && untied / customersWithOpen > t.maxUntiedCustomerShare) {
      const where = s.tieOut.filter((x) => !x.ties).map((x) => `stated minus derived ${amountText(x.differenceMinor, x.currency)}`);
      reasons.push(
        `balances do not tie for ${untied} of ${customersWithOpen} customer balances (${where.join(', ')}); allowed: ${pct(t.maxUntiedCustomerShare)}`,
      );
    }
    if (s.decisionMakerEmailShare !== null && s.decisionMakerEmailShare < t.minDecisionMakerEmailShare) {
      reasons.push(
        `decision-maker email for ${s.withDecisionMakerEmail} of ${s.inScopeAccounts} in-scope accounts (${pct(s.decisionMakerEmailShare)}); needed: ${pct(t.minDecisionMakerEmailShare)}`,
      );
    }
    if (s.payments.appliedShare !== null && s.payments.appliedShare < t.minAppliedPaymentShare) {
      reasons.push(
        `${s.payments.applied} of ${s.payments.count} payments recorded against specific invoices (${pct(s.payments.appliedShare)}); needed: ${pct(t.minAppliedPaymentShare)}`,
      );
    }
    if (s.problemShare !== null && s.problemShare > t.maxProblemInvoiceShare) {
      reasons.push(
        `${s.invoicesWithProblems} of ${s.inScopeOpenInvoices} open invoices have record problems (${pct(s.problemShare)}); allowed: ${pct(t.maxProblemInvoiceShare)}`,
      );
    }
    if (reasons.length) exclude.push({ segment: s.segment, reasons });
    else pilot.push(s.segment);
  }
  return { exclude, pilot };
}
