/**
 * The receivables metrics of a ledger as of a date, per currency and broken down per customer tier
 * and per segment (the same functions over the filtered invoices and payments). Two layers:
 * `computeLedgerMetricsRaw` (integer minor units, unrounded days and percent) and
 * `computeLedgerMetrics` (the CLI JSON: decimal strings, numbers rounded to 2 decimals or null).
 */
import { type Minor, minor, toDecimal } from '../../domain/money';
import { asIndex, assertIsoDate, epochDay, type IndexedInvoice, type LedgerFacts, type LedgerIndex, type PaymentFact } from './facts';
import { round2 } from './present';
import {
  AGING_BUCKETS,
  type Aging,
  arSnapshot,
  type CeiResult,
  type CountbackResult,
  cashCollected,
  cei,
  countbackMonths,
  countbackWalk,
  creditSales,
  type DaysToPayStats,
  dayBefore,
  daysToPayBy,
  dsoCountback,
  dsoStandard,
  dsoWindowStart,
  type PaidInvoice,
  type PerCurrency,
  paidInvoices,
  setOwn,
} from './receivables';

/** Each figure's definition, in words, for reports that print them next to the numbers. */
export const LEDGER_METRIC_DEFINITIONS = {
  arOpen:
    'AR(t): Σ over invoices with issue date ≤ t of max(0, amount − Σ settlements of that invoice dated ≤ t); settlements are payment applications (dated by the payment), credit notes (issue date) and write-offs (their date). Per currency.',
  current: 'current AR(t): the part of AR(t) of invoices not past due at t (due date ≥ t).',
  aging: 'AR(t) by days past due d = t − due date: current (d ≤ 0), 1-30, 31-60, 61-90, 90+ (d > 90).',
  creditSales: 'Σ amount of invoices issued in the last N days (the standard DSO window): [asOf − N + 1, asOf].',
  creditSalesPeriod: 'Σ amount of invoices issued in [from, asOf] (inclusive): the CEI period.',
  dsoStandardDays: 'AR(asOf) ÷ credit sales of the last N days × N; null when those sales are 0.',
  dsoCountbackDays:
    'walking back from asOf month by month (the as-of month from its 1st to asOf, then full calendar months), the days whose credit sales AR(asOf) amounts to; a partly consumed month counts days × remaining ÷ sales; null when AR(asOf) exceeds all sales back to the earliest invoice.',
  ceiPercent:
    '(AR(from − 1 day) + credit sales in [from, asOf] − AR(asOf)) ÷ (AR(from − 1 day) + credit sales in [from, asOf] − current AR(asOf)) × 100; null when the denominator is 0.',
  cashCollected: 'Σ payments received (by received date) in [from, asOf], applied or not.',
} as const;

export interface LedgerMetricsOptions {
  /** The as-of date t (`YYYY-MM-DD`). */
  readonly asOf: string;
  /** Start of the CEI and cash-collected period; default: the first day of the as-of month. */
  readonly from?: string;
  /** N of the standard DSO; default 90. */
  readonly dsoDays?: number;
}

export interface CurrencyMetricsRaw {
  readonly arOpenMinor: Minor;
  readonly currentMinor: Minor;
  readonly aging: Aging;
  readonly openInvoices: number;
  /** AR(from − 1 day): the CEI's beginning AR. */
  readonly arBeforeFromMinor: Minor;
  /** Credit sales in [from, asOf]. */
  readonly creditSalesMinor: Minor;
  /** Credit sales in [asOf − dsoDays + 1, asOf]. */
  readonly creditSalesDsoWindowMinor: Minor;
  readonly dsoStandardDays: number | null;
  readonly dsoCountback: CountbackResult;
  readonly cei: CeiResult;
  readonly cashCollectedMinor: Minor;
}

export interface LedgerMetricsRaw {
  readonly asOf: string;
  readonly from: string;
  readonly dsoDays: number;
  readonly dsoWindowFrom: string;
  readonly byCurrency: PerCurrency<CurrencyMetricsRaw>;
  readonly byTier: Record<string, PerCurrency<CurrencyMetricsRaw>>;
  readonly bySegment: Record<string, PerCurrency<CurrencyMetricsRaw>>;
  /** Settlements naming an invoice not in the facts (they settle nothing). */
  readonly unmatchedSettlements: number;
}

interface Period {
  readonly asOf: string;
  readonly from: string;
  readonly dsoDays: number;
  readonly dsoWindowFrom: string;
}

function resolvePeriod(opts: LedgerMetricsOptions): Period {
  const dsoDays = opts.dsoDays ?? 90;
  if (!Number.isInteger(dsoDays) || dsoDays < 1) throw new RangeError(`dsoDays: ${dsoDays} must be a whole number of days ≥ 1`);
  assertIsoDate(opts.asOf, 'options', 'asOf');
  const dsoWindowFrom = dsoWindowStart(opts.asOf, dsoDays);
  const from = opts.from ?? `${opts.asOf.slice(0, 8)}01`;
  assertIsoDate(from, 'options', 'from');
  if (from > opts.asOf) throw new RangeError(`from: ${from} is after asOf ${opts.asOf}`);
  return { asOf: opts.asOf, from, dsoDays, dsoWindowFrom };
}

const ZERO = 0 as Minor;
const ZERO_AGING: Aging = { current: ZERO, '1-30': ZERO, '31-60': ZERO, '61-90': ZERO, '90+': ZERO };

/**
 * Every metric per currency over one set of invoices and payments (the whole ledger or one group),
 * composed from the single-metric functions. `computeLedgerMetricsRaw` computes the same figures
 * for the ledger and all its groups in one pass; this is the plain reference (and handy for ad-hoc
 * subsets, e.g. one customer).
 */
export function currencyMetrics(
  invoices: readonly IndexedInvoice[],
  payments: readonly PaymentFact[],
  opts: LedgerMetricsOptions,
): PerCurrency<CurrencyMetricsRaw> {
  const p = resolvePeriod(opts);
  const end = arSnapshot(invoices, p.asOf);
  const begin = arSnapshot(invoices, dayBefore(p.from));
  const sales = creditSales(invoices, p.from, p.asOf);
  const dsoSales = p.dsoWindowFrom === p.from ? sales : creditSales(invoices, p.dsoWindowFrom, p.asOf);
  const cash = cashCollected(payments, p.from, p.asOf);
  const arEnd: PerCurrency<number> = {};
  for (const [cur, s] of Object.entries(end)) arEnd[cur] = s.arOpenMinor;
  const countback = dsoCountback(invoices, p.asOf, arEnd);

  const out: PerCurrency<CurrencyMetricsRaw> = {};
  for (const cur of [...new Set([...Object.keys(end), ...Object.keys(cash)])].sort()) {
    const e = end[cur];
    const ar = e?.arOpenMinor ?? ZERO;
    const current = e?.currentMinor ?? ZERO;
    const beginAr = begin[cur]?.arOpenMinor ?? ZERO;
    const s = sales[cur] ?? ZERO;
    const ds = dsoSales[cur] ?? ZERO;
    out[cur] = {
      arOpenMinor: ar,
      currentMinor: current,
      aging: e?.aging ?? ZERO_AGING,
      openInvoices: e?.openInvoices ?? 0,
      arBeforeFromMinor: beginAr,
      creditSalesMinor: s,
      creditSalesDsoWindowMinor: ds,
      dsoStandardDays: dsoStandard(ar, ds, p.dsoDays),
      dsoCountback: countback[cur] ?? { days: 0, monthsWalked: 0, uncoveredMinor: ZERO, consumedDays: 0 },
      cei: cei(beginAr, s, ar, current),
      cashCollectedMinor: cash[cur] ?? ZERO,
    };
  }
  return out;
}

interface Acc {
  ar: number;
  aging: [number, number, number, number, number];
  open: number;
  beginAr: number;
  sales: number;
  dsoSales: number;
  cash: number;
  /** Credit sales per issue month `YYYY-MM` (invoices issued ≤ asOf), for the countback. */
  monthly: Map<string, number>;
  earliest: string;
}

type GroupAccs = Map<string, Map<string, Acc>>;

function accFor(groups: GroupAccs, key: string, currency: string): Acc {
  let g = groups.get(key);
  if (!g) groups.set(key, (g = new Map()));
  let a = g.get(currency);
  if (!a)
    g.set(
      currency,
      (a = { ar: 0, aging: [0, 0, 0, 0, 0], open: 0, beginAr: 0, sales: 0, dsoSales: 0, cash: 0, monthly: new Map(), earliest: '9999-12' }),
    );
  return a;
}

function agingIndex(daysPastDue: number): number {
  return daysPastDue <= 0 ? 0 : daysPastDue <= 30 ? 1 : daysPastDue <= 60 ? 2 : daysPastDue <= 90 ? 3 : 4;
}

function addInvoice(
  a: Acc,
  openEnd: number,
  bucket: number,
  openBegin: number,
  amount: number,
  inSales: boolean,
  inDso: boolean,
  month: string,
): void {
  if (openEnd > 0) {
    a.ar += openEnd;
    a.aging[bucket]! += openEnd;
    a.open++;
  }
  a.beginAr += openBegin;
  if (inSales) a.sales += amount;
  if (inDso) a.dsoSales += amount;
  a.monthly.set(month, (a.monthly.get(month) ?? 0) + amount);
  if (month < a.earliest) a.earliest = month;
}

function finishAcc(a: Acc, currency: string, p: Period): CurrencyMetricsRaw {
  const m = (n: number, what: string) => minor(n, `${what} ${currency}`);
  const aging = {} as Aging;
  AGING_BUCKETS.forEach((b, i) => {
    aging[b] = m(a.aging[i]!, `aging ${b}`);
  });
  const ar = m(a.ar, 'AR');
  const current = aging.current;
  const months = ar > 0 ? countbackMonths(a.monthly, p.asOf, a.earliest) : [];
  return {
    arOpenMinor: ar,
    currentMinor: current,
    aging,
    openInvoices: a.open,
    arBeforeFromMinor: m(a.beginAr, 'AR before from'),
    creditSalesMinor: m(a.sales, 'credit sales'),
    creditSalesDsoWindowMinor: m(a.dsoSales, 'credit sales (DSO window)'),
    dsoStandardDays: dsoStandard(a.ar, a.dsoSales, p.dsoDays),
    dsoCountback: countbackWalk(a.ar, months),
    cei: cei(a.beginAr, a.sales, a.ar, current),
    cashCollectedMinor: m(a.cash, 'cash collected'),
  };
}

function finishGroups(groups: GroupAccs, p: Period): Record<string, PerCurrency<CurrencyMetricsRaw>> {
  const out: Record<string, PerCurrency<CurrencyMetricsRaw>> = {};
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const per: PerCurrency<CurrencyMetricsRaw> = {};
    for (const cur of [...g.keys()].sort()) per[cur] = finishAcc(g.get(cur)!, cur, p);
    setOwn(out, key, per);
  }
  return out;
}

/**
 * The raw metrics: per currency over the whole ledger, and per tier and per segment (each
 * customer's tier and segment as on its invoices; cash by the paying customer's, unidentified cash
 * only in the per-currency totals). Same definitions as `currencyMetrics` over each filtered set,
 * computed in one pass over the invoices (each settlement list walked once for both AR(from − 1)
 * and AR(asOf)) and one over the payments.
 */
export function computeLedgerMetricsRaw(source: LedgerFacts | LedgerIndex, opts: LedgerMetricsOptions): LedgerMetricsRaw {
  const ix = asIndex(source);
  const p = resolvePeriod(opts);
  const all: GroupAccs = new Map();
  const tiers: GroupAccs = new Map();
  const segments: GroupAccs = new Map();
  const tDay = epochDay(p.asOf);
  const before = dayBefore(p.from);
  for (const ii of ix.invoices) {
    const inv = ii.invoice;
    if (inv.issueDate > p.asOf) continue;
    let settledBegin = 0;
    let settledEnd = 0;
    for (const s of ii.settlements) {
      if (s.date > p.asOf) break;
      settledEnd += s.amountMinor;
      if (s.date <= before) settledBegin += s.amountMinor;
    }
    const openEnd = Math.max(0, inv.amountMinor - settledEnd);
    const openBegin = inv.issueDate <= before ? Math.max(0, inv.amountMinor - settledBegin) : 0;
    const bucket = agingIndex(tDay - ii.dueDay);
    const inSales = inv.issueDate >= p.from;
    const inDso = inv.issueDate >= p.dsoWindowFrom;
    const month = inv.issueDate.slice(0, 7);
    addInvoice(accFor(all, '', inv.currency), openEnd, bucket, openBegin, inv.amountMinor, inSales, inDso, month);
    addInvoice(accFor(tiers, inv.tier, inv.currency), openEnd, bucket, openBegin, inv.amountMinor, inSales, inDso, month);
    addInvoice(accFor(segments, inv.segment, inv.currency), openEnd, bucket, openBegin, inv.amountMinor, inSales, inDso, month);
  }
  for (const pay of ix.payments) {
    if (pay.date < p.from || pay.date > p.asOf) continue;
    accFor(all, '', pay.currency).cash += pay.amountMinor;
    const c = pay.customerId === null ? undefined : ix.customerGroups.get(pay.customerId);
    if (!c) continue;
    accFor(tiers, c.tier, pay.currency).cash += pay.amountMinor;
    accFor(segments, c.segment, pay.currency).cash += pay.amountMinor;
  }
  return {
    ...p,
    byCurrency: finishGroups(all, p)[''] ?? {},
    byTier: finishGroups(tiers, p),
    bySegment: finishGroups(segments, p),
    unmatchedSettlements: ix.unmatchedSettlements,
  };
}

/** One currency's figures as printed: amounts as decimal strings, days and percent to 2 decimals or null. */
export interface CurrencyMetrics {
  readonly arOpen: string;
  readonly current: string;
  readonly aging: Aging<string>;
  /** Credit sales in the DSO window [asOf − dsoDays + 1, asOf] (the standard DSO's denominator). */
  readonly creditSales: string;
  /** Credit sales in [from, asOf] (the CEI period). */
  readonly creditSalesPeriod: string;
  readonly dsoStandardDays: number | null;
  readonly dsoCountbackDays: number | null;
  readonly ceiPercent: number | null;
  readonly cashCollected: string;
}

export interface LedgerMetrics {
  readonly asOf: string;
  readonly from: string;
  readonly dsoDays: number;
  readonly byCurrency: PerCurrency<CurrencyMetrics>;
  readonly byTier: Record<string, PerCurrency<CurrencyMetrics>>;
  readonly bySegment: Record<string, PerCurrency<CurrencyMetrics>>;
}

function presentCurrencyMetrics(m: CurrencyMetricsRaw, currency: string): CurrencyMetrics {
  const aging = {} as Aging<string>;
  for (const b of AGING_BUCKETS) aging[b] = toDecimal(m.aging[b], currency);
  return {
    arOpen: toDecimal(m.arOpenMinor, currency),
    current: toDecimal(m.currentMinor, currency),
    aging,
    creditSales: toDecimal(m.creditSalesDsoWindowMinor, currency),
    creditSalesPeriod: toDecimal(m.creditSalesMinor, currency),
    dsoStandardDays: round2(m.dsoStandardDays),
    dsoCountbackDays: round2(m.dsoCountback.days),
    ceiPercent: round2(m.cei.percent),
    cashCollected: toDecimal(m.cashCollectedMinor, currency),
  };
}

function presentPerCurrency(per: PerCurrency<CurrencyMetricsRaw>): PerCurrency<CurrencyMetrics> {
  const out: PerCurrency<CurrencyMetrics> = {};
  for (const [cur, m] of Object.entries(per)) out[cur] = presentCurrencyMetrics(m, cur);
  return out;
}

function presentGroups(groups: Record<string, PerCurrency<CurrencyMetricsRaw>>): Record<string, PerCurrency<CurrencyMetrics>> {
  const out: Record<string, PerCurrency<CurrencyMetrics>> = {};
  for (const [key, per] of Object.entries(groups)) setOwn(out, key, presentPerCurrency(per));
  return out;
}

/** The presentation layer of computeLedgerMetricsRaw (the CLI JSON). */
export function presentLedgerMetrics(raw: LedgerMetricsRaw): LedgerMetrics {
  return {
    asOf: raw.asOf,
    from: raw.from,
    dsoDays: raw.dsoDays,
    byCurrency: presentPerCurrency(raw.byCurrency),
    byTier: presentGroups(raw.byTier),
    bySegment: presentGroups(raw.bySegment),
  };
}

export function computeLedgerMetrics(source: LedgerFacts | LedgerIndex, opts: LedgerMetricsOptions): LedgerMetrics {
  return presentLedgerMetrics(computeLedgerMetricsRaw(source, opts));
}

export interface DaysToPayRaw {
  readonly asOf: string;
  readonly closedFrom: string | null;
  readonly paid: readonly PaidInvoice[];
  readonly byCurrency: PerCurrency<DaysToPayStats>;
  readonly byCustomer: Record<string, PerCurrency<DaysToPayStats>>;
  readonly byTier: Record<string, PerCurrency<DaysToPayStats>>;
  readonly bySegment: Record<string, PerCurrency<DaysToPayStats>>;
}

/**
 * Average days to pay and days beyond terms, per currency and per customer, tier and segment, over
 * invoices paid in full on or before asOf (see paidInvoices), optionally only those closed on or
 * after `closedFrom`. Returns both the plain mean and the mean weighted by invoice amount.
 */
export function computeDaysToPayRaw(source: LedgerFacts | LedgerIndex, opts: { asOf: string; closedFrom?: string }): DaysToPayRaw {
  const ix = asIndex(source);
  assertIsoDate(opts.asOf, 'options', 'asOf');
  if (opts.closedFrom !== undefined) assertIsoDate(opts.closedFrom, 'options', 'closedFrom');
  const paid = paidInvoices(ix.invoices, opts.asOf, opts.closedFrom);
  const groupOf = (p: PaidInvoice) => ix.customerGroups.get(p.customerId);
  return {
    asOf: opts.asOf,
    closedFrom: opts.closedFrom ?? null,
    paid,
    byCurrency: daysToPayBy(paid, () => 'all').all ?? {},
    byCustomer: daysToPayBy(paid, (p) => p.customerId),
    byTier: daysToPayBy(paid, (p) => groupOf(p)?.tier),
    bySegment: daysToPayBy(paid, (p) => groupOf(p)?.segment),
  };
}

export interface DaysToPayFigures {
  readonly invoicesPaid: number;
  readonly amountPaid: string;
  readonly meanDaysToPay: number | null;
  readonly meanDaysBeyondTerms: number | null;
  readonly weightedDaysToPay: number | null;
  readonly weightedDaysBeyondTerms: number | null;
}

function presentStats(s: DaysToPayStats, currency: string): DaysToPayFigures {
  return {
    invoicesPaid: s.invoicesPaid,
    amountPaid: toDecimal(s.amountPaidMinor, currency),
    meanDaysToPay: round2(s.meanDaysToPay),
    meanDaysBeyondTerms: round2(s.meanDaysBeyondTerms),
    weightedDaysToPay: round2(s.weightedDaysToPay),
    weightedDaysBeyondTerms: round2(s.weightedDaysBeyondTerms),
  };
}

function presentStatsGroups(groups: Record<string, PerCurrency<DaysToPayStats>>): Record<string, PerCurrency<DaysToPayFigures>> {
  const out: Record<string, PerCurrency<DaysToPayFigures>> = {};
  for (const [key, per] of Object.entries(groups)) {
    const g: PerCurrency<DaysToPayFigures> = {};
    for (const [cur, s] of Object.entries(per)) g[cur] = presentStats(s, cur);
    setOwn(out, key, g);
  }
  return out;
}

export interface DaysToPayReport {
  readonly asOf: string;
  readonly closedFrom: string | null;
  readonly byCurrency: PerCurrency<DaysToPayFigures>;
  readonly byCustomer: Record<string, PerCurrency<DaysToPayFigures>>;
  readonly byTier: Record<string, PerCurrency<DaysToPayFigures>>;
  readonly bySegment: Record<string, PerCurrency<DaysToPayFigures>>;
}

/** Days to pay for the CLI: amounts as decimal strings, days to 2 decimals; without the per-invoice list. */
export function computeDaysToPay(source: LedgerFacts | LedgerIndex, opts: { asOf: string; closedFrom?: string }): DaysToPayReport {
  const raw = computeDaysToPayRaw(source, opts);
  return {
    asOf: raw.asOf,
    closedFrom: raw.closedFrom,
    byCurrency: presentStatsGroups({ all: raw.byCurrency }).all ?? {},
    byCustomer: presentStatsGroups(raw.byCustomer),
    byTier: presentStatsGroups(raw.byTier),
    bySegment: presentStatsGroups(raw.bySegment),
  };
}
