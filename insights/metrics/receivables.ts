/**
 * Receivables metrics, raw layer: integer minor units per ISO 4217 currency (never added across
 * currencies) and unrounded day / percent figures. Pure functions over plain data; the
 * presentation layer (ledger.ts) turns them into decimal strings and 2-decimal numbers.
 *
 * "Dated ≤ t" always compares ISO calendar dates; a settlement or payment dated after t does not
 * exist as of t (AR as of a past date is what it was then), and an invoice issued after t is not
 * part of anything as of t.
 */
import { addDays, daysBetween } from '../../domain/calendar';
import { type Minor, minor } from '../../domain/money';
import { epochDay, type IndexedInvoice, type PaymentFact } from './facts';

/** Values keyed by ISO 4217 currency code. A currency that is absent has nothing to report (0). */
export type PerCurrency<T> = Record<string, T>;

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export type Aging<T = Minor> = Record<AgingBucket, T>;

/**
 * The aging bucket of a balance d = t − dueDate days past due: `current` d ≤ 0 (not yet due, due
 * today included), `1-30`, `31-60`, `61-90`, `90+` d > 90.
 */
export function agingBucket(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}

/**
 * An invoice's open balance as of t: 0 if issued after t, else max(0, amountMinor − Σ settlements
 * of the invoice dated ≤ t). Settlements are sorted by date, so this stops at the first later one.
 */
export function openBalanceAt(ix: IndexedInvoice, t: string): number {
  const inv = ix.invoice;
  if (inv.issueDate > t) return 0;
  let settled = 0;
  for (const s of ix.settlements) {
    if (s.date > t) break;
    settled += s.amountMinor;
  }
  const open = inv.amountMinor - settled;
  return Math.max(0, open);
}

export interface ArSnapshot {
  /**
   * AR(t): Σ over invoices with issueDate ≤ t of max(0, amountMinor − Σ settlements of that
   * invoice dated ≤ t), settlements being payment applications (dated by the payment's date),
   * credit notes (their issue date) and write-offs (their date).
   */
  readonly arOpenMinor: Minor;
  /** Current AR(t): the part of AR(t) not past due at t, i.e. of invoices with dueDate ≥ t. */
  readonly currentMinor: Minor;
  /** AR(t) by days past due d = t − dueDate: current (d ≤ 0), 1-30, 31-60, 61-90, 90+ (d > 90). */
  readonly aging: Aging;
  /** Invoices issued on or before t with a balance > 0 at t. */
  readonly openInvoices: number;
}

function emptyAging(): Record<AgingBucket, number> {
  return { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 };
}

/**
 * AR(t), current AR(t) and the aging of AR(t), per currency, in one pass over the invoices.
 * Every currency with an invoice issued on or before t has an entry (possibly all zeros).
 */
export function arSnapshot(invoices: readonly IndexedInvoice[], t: string): PerCurrency<ArSnapshot> {
  const tDay = epochDay(t);
  const acc = new Map<string, { ar: number; aging: Record<AgingBucket, number>; open: number }>();
  for (const ix of invoices) {
    const inv = ix.invoice;
    if (inv.issueDate > t) continue;
    let a = acc.get(inv.currency);
    if (!a) acc.set(inv.currency, (a = { ar: 0, aging: emptyAging(), open: 0 }));
    const open = openBalanceAt(ix, t);
    if (open === 0) continue;
    a.ar += open;
    a.open++;
    a.aging[agingBucket(tDay - ix.dueDay)] += open;
  }
  const out: PerCurrency<ArSnapshot> = {};
  for (const cur of [...acc.keys()].sort()) {
    const a = acc.get(cur)!;
    const aging = {} as Aging;
    for (const b of AGING_BUCKETS) aging[b] = minor(a.aging[b], `aging ${b} ${cur}`);
    out[cur] = { arOpenMinor: minor(a.ar, `AR ${cur}`), currentMinor: aging.current, aging, openInvoices: a.open };
  }
  return out;
}

/**
 * Credit sales over [from, to] (inclusive): Σ amountMinor of invoices with from ≤ issueDate ≤ to,
 * per currency. Currencies without such an invoice are absent.
 */
export function creditSales(invoices: readonly IndexedInvoice[], from: string, to: string): PerCurrency<Minor> {
  const acc = new Map<string, number>();
  for (const ix of invoices) {
    const inv = ix.invoice;
    if (inv.issueDate < from || inv.issueDate > to) continue;
    acc.set(inv.currency, (acc.get(inv.currency) ?? 0) + inv.amountMinor);
  }
  return sortedRecord(acc, 'credit sales');
}

/** The first day of the last N days ending at `end`: end − N + 1 (so the window holds N days). */
export function dsoWindowStart(end: string, days: number): string {
  return addDays(end, -(days - 1));
}

/**
 * DSO, standard method: AR(end) ÷ credit sales over the last N days × N, the last N days being
 * (end − N + 1) … end inclusive. Credit sales of 0 → null (not Infinity), even when AR is 0.
 */
export function dsoStandard(arEndMinor: number, creditSalesMinor: number, days: number): number | null {
  if (creditSalesMinor === 0) return null;
  return (arEndMinor * days) / creditSalesMinor;
}

export interface CountbackMonth {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly from: string;
  readonly to: string;
  /** Days of the month in the walk: day-of-month of the end date for the as-of month, else the month's length. */
  readonly days: number;
  readonly creditSalesMinor: number;
}

export interface CountbackResult {
  /**
   * Days of sales AR(end) amounts to, or null when AR(end) is more than all credit sales from the
   * earliest invoice's month to the end (possible only with negative settlements such as
   * reversals, or a walk cut short by maxMonths). AR(end) = 0 → 0.
   */
  readonly days: number | null;
  /** Months consumed wholly or partly (0 when AR is 0). */
  readonly monthsWalked: number;
  /** AR left over after the walk (0 when covered). */
  readonly uncoveredMinor: Minor;
  /** Days counted before running out of months (equals `days` when covered). */
  readonly consumedDays: number;
}

/**
 * The countback walk over months from the latest back: for each month, if the remaining AR ≥ the
 * month's credit sales, add all its days and subtract its sales; else add days × remaining ÷ sales
 * and stop. Stops as soon as the remaining AR is 0 (so months without sales beyond the point where
 * AR is used up add nothing). A month with 0 sales while AR remains adds all its days.
 */
export function countbackWalk(arEndMinor: number, months: Iterable<Pick<CountbackMonth, 'days' | 'creditSalesMinor'>>): CountbackResult {
  let remaining = arEndMinor;
  let days = 0;
  let walked = 0;
  if (remaining <= 0) return { days: 0, monthsWalked: 0, uncoveredMinor: minor(0), consumedDays: 0 };
  for (const m of months) {
    walked++;
    if (remaining >= m.creditSalesMinor) {
      days += m.days;
      remaining -= m.creditSalesMinor;
      if (remaining === 0) return { days, monthsWalked: walked, uncoveredMinor: minor(0), consumedDays: days };
    } else {
      days += (m.days * remaining) / m.creditSalesMinor;
      return { days, monthsWalked: walked, uncoveredMinor: minor(0), consumedDays: days };
    }
  }
  return { days: null, monthsWalked: walked, uncoveredMinor: minor(remaining, 'uncovered AR'), consumedDays: days };
}

function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

function monthKey(year: number, month1: number): string {
  return `${String(year).padStart(4, '0')}-${String(month1).padStart(2, '0')}`;
}

/**
 * The months of the countback walk for one currency, latest first: the as-of month from its 1st to
 * `end` (days = day-of-month of end), then each earlier full calendar month, down to the month of
 * the earliest invoice issued on or before end (there are no sales before it), or maxMonths months.
 */
export function countbackMonths(
  monthlySalesMinor: ReadonlyMap<string, number>,
  end: string,
  earliestMonth: string,
  maxMonths = Infinity,
): CountbackMonth[] {
  const out: CountbackMonth[] = [];
  let year = Number(end.slice(0, 4));
  let month = Number(end.slice(5, 7));
  let key = end.slice(0, 7);
  out.push({ month: key, from: `${key}-01`, to: end, days: Number(end.slice(8, 10)), creditSalesMinor: monthlySalesMinor.get(key) ?? 0 });
  while (key > earliestMonth && out.length < maxMonths) {
    month--;
    if (month === 0) {
      month = 12;
      year--;
    }
    key = monthKey(year, month);
    const dim = daysInMonth(year, month);
    out.push({
      month: key,
      from: `${key}-01`,
      to: `${key}-${String(dim).padStart(2, '0')}`,
      days: dim,
      creditSalesMinor: monthlySalesMinor.get(key) ?? 0,
    });
  }
  return out;
}

/**
 * DSO, countback method, per currency: walk back month by month from `end` consuming each month's
 * credit sales until AR(end) is used up, counting the days consumed (a partly consumed month counts
 * days × remaining ÷ sales). The first month is the as-of month from its 1st to `end`; then each
 * previous full calendar month. The walk is bounded by the earliest invoice (issued ≤ end) of the
 * currency, since AR(end) cannot come from earlier sales; AR left over then → days null.
 * `arEndMinor` gives AR(end) per currency (from arSnapshot); currencies absent from it have AR 0.
 */
export function dsoCountback(
  invoices: readonly IndexedInvoice[],
  end: string,
  arEndMinor: PerCurrency<number>,
  maxMonths = Infinity,
): PerCurrency<CountbackResult> {
  const sales = new Map<string, Map<string, number>>();
  const earliest = new Map<string, string>();
  for (const ix of invoices) {
    const inv = ix.invoice;
    if (inv.issueDate > end) continue;
    let m = sales.get(inv.currency);
    if (!m) sales.set(inv.currency, (m = new Map()));
    const key = inv.issueDate.slice(0, 7);
    m.set(key, (m.get(key) ?? 0) + inv.amountMinor);
    const e = earliest.get(inv.currency);
    if (e === undefined || key < e) earliest.set(inv.currency, key);
  }
  const out: PerCurrency<CountbackResult> = {};
  const currencies = new Set([...Object.keys(arEndMinor), ...sales.keys()]);
  for (const cur of [...currencies].sort()) {
    const ar = arEndMinor[cur] ?? 0;
    const months = ar > 0 ? countbackMonths(sales.get(cur) ?? new Map(), end, earliest.get(cur) ?? end.slice(0, 7), maxMonths) : [];
    out[cur] = countbackWalk(ar, months);
  }
  return out;
}

export interface CeiResult {
  /** AR(from − 1 day) + credit sales in [from, end] − AR(end). */
  readonly numeratorMinor: Minor;
  /** AR(from − 1 day) + credit sales in [from, end] − current AR(end). */
  readonly denominatorMinor: Minor;
  /** numerator ÷ denominator × 100; null when the denominator is 0. */
  readonly percent: number | null;
}

/**
 * Collection effectiveness index over [from, end]: (AR(from − 1 day) + credit sales in [from, end]
 * − AR(end)) ÷ (AR(from − 1 day) + credit sales in [from, end] − current AR(end)) × 100.
 * A denominator of 0 → null.
 */
export function cei(beginArMinor: number, creditSalesMinor: number, endArMinor: number, endCurrentMinor: number): CeiResult {
  const numerator = beginArMinor + creditSalesMinor - endArMinor;
  const denominator = beginArMinor + creditSalesMinor - endCurrentMinor;
  return {
    numeratorMinor: minor(numerator, 'CEI numerator'),
    denominatorMinor: minor(denominator, 'CEI denominator'),
    percent: denominator === 0 ? null : (numerator / denominator) * 100,
  };
}

/** The day before the period: the CEI's beginning AR is AR(from − 1 day). */
export function dayBefore(isoDate: string): string {
  return addDays(isoDate, -1);
}

/**
 * Cash collected over [from, to] (inclusive): Σ amountMinor of payments received with
 * from ≤ date ≤ to, per currency (applied to invoices or not). Currencies without one are absent.
 */
export function cashCollected(payments: readonly PaymentFact[], from: string, to: string): PerCurrency<Minor> {
  const acc = new Map<string, number>();
  for (const p of payments) {
    if (p.date < from || p.date > to) continue;
    acc.set(p.currency, (acc.get(p.currency) ?? 0) + p.amountMinor);
  }
  return sortedRecord(acc, 'cash collected');
}

export interface MonthAmount {
  /** `YYYY-MM`. */
  readonly month: string;
  /** The part of the month inside [from, to]. */
  readonly from: string;
  readonly to: string;
  readonly amountMinor: Minor;
}

/**
 * Cash collected per calendar month over [from, to]: every month overlapping the period, clipped
 * to it (the first and last may be partial), with 0 for months without cash, per currency that
 * received any cash in the period.
 */
export function cashCollectedByMonth(payments: readonly PaymentFact[], from: string, to: string): PerCurrency<MonthAmount[]> {
  const acc = new Map<string, Map<string, number>>();
  for (const p of payments) {
    if (p.date < from || p.date > to) continue;
    let m = acc.get(p.currency);
    if (!m) acc.set(p.currency, (m = new Map()));
    const key = p.date.slice(0, 7);
    m.set(key, (m.get(key) ?? 0) + p.amountMinor);
  }
  const spans: Array<{ month: string; from: string; to: string }> = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    const key = monthKey(year, month);
    if (key > to.slice(0, 7)) break;
    const first = `${key}-01`;
    const last = `${key}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
    spans.push({ month: key, from: first < from ? from : first, to: last > to ? to : last });
    month++;
    if (month === 13) {
      month = 1;
      year++;
    }
  }
  const out: PerCurrency<MonthAmount[]> = {};
  for (const cur of [...acc.keys()].sort()) {
    const m = acc.get(cur)!;
    out[cur] = spans.map((s) => ({ ...s, amountMinor: minor(m.get(s.month) ?? 0, `cash collected ${cur} ${s.month}`) }));
  }
  return out;
}

/** One invoice paid in full: the closing date and its days. */
export interface PaidInvoice {
  readonly number: string;
  readonly customerId: string;
  readonly currency: string;
  readonly amountMinor: number;
  /** The date of the settling payment that brought the balance to 0. */
  readonly paidOn: string;
  /** paidOn − issueDate. */
  readonly daysToPay: number;
  /** paidOn − dueDate (negative when paid early). */
  readonly daysBeyondTerms: number;
}

/**
 * Invoices paid in full on or before t: those whose balance reached 0 on a date ≤ t (settlements of
 * all kinds count toward the balance) where a payment is among the settlements of that closing date
 * (all settlements of one date apply together). An invoice closed by a credit note or a write-off
 * was not paid and is left out, as are invoices of amount 0. With `closedFrom`, only invoices closed
 * on or after that date.
 */
export function paidInvoices(invoices: readonly IndexedInvoice[], t: string, closedFrom?: string): PaidInvoice[] {
  const out: PaidInvoice[] = [];
  for (const ix of invoices) {
    const inv = ix.invoice;
    if (inv.amountMinor <= 0 || inv.issueDate > t) continue;
    const ss = ix.settlements;
    let settled = 0;
    for (let i = 0; i < ss.length; ) {
      const date = ss[i]!.date;
      if (date > t) break;
      let hasPayment = false;
      for (; i < ss.length && ss[i]!.date === date; i++) {
        settled += ss[i]!.amountMinor;
        if (ss[i]!.kind === 'payment') hasPayment = true;
      }
      if (settled >= inv.amountMinor) {
        if (hasPayment && (closedFrom === undefined || date >= closedFrom)) {
          out.push({
            number: inv.number,
            customerId: inv.customerId,
            currency: inv.currency,
            amountMinor: inv.amountMinor,
            paidOn: date,
            daysToPay: daysBetween(inv.issueDate, date),
            daysBeyondTerms: daysBetween(inv.dueDate, date),
          });
        }
        break;
      }
    }
  }
  return out;
}

export interface DaysToPayStats {
  readonly invoicesPaid: number;
  readonly amountPaidMinor: Minor;
  /** Mean over paid invoices of (paidOn − issueDate). */
  readonly meanDaysToPay: number;
  /** Mean over paid invoices of (paidOn − dueDate); negative when paid before due on average. */
  readonly meanDaysBeyondTerms: number;
  /** Σ amountMinor × daysToPay ÷ Σ amountMinor: days to pay weighted by invoice amount. */
  readonly weightedDaysToPay: number;
  /** Σ amountMinor × daysBeyondTerms ÷ Σ amountMinor. */
  readonly weightedDaysBeyondTerms: number;
}

/** Aggregates paid invoices (all of one currency) into means, plain and weighted by amount. */
function daysToPayStats(paid: readonly PaidInvoice[]): DaysToPayStats | null {
  if (paid.length === 0) return null;
  let days = 0;
  let beyond = 0;
  let amount = 0;
  let wDays = 0;
  let wBeyond = 0;
  for (const p of paid) {
    days += p.daysToPay;
    beyond += p.daysBeyondTerms;
    amount += p.amountMinor;
    wDays += p.amountMinor * p.daysToPay;
    wBeyond += p.amountMinor * p.daysBeyondTerms;
  }
  return {
    invoicesPaid: paid.length,
    amountPaidMinor: minor(amount, 'amount paid'),
    meanDaysToPay: days / paid.length,
    meanDaysBeyondTerms: beyond / paid.length,
    weightedDaysToPay: wDays / amount,
    weightedDaysBeyondTerms: wBeyond / amount,
  };
}

/** Groups paid invoices by a key and currency and aggregates each group. */
export function daysToPayBy(
  paid: readonly PaidInvoice[],
  keyOf: (p: PaidInvoice) => string | undefined,
): Record<string, PerCurrency<DaysToPayStats>> {
  const groups = new Map<string, Map<string, PaidInvoice[]>>();
  for (const p of paid) {
    const key = keyOf(p);
    if (key === undefined) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    let l = g.get(p.currency);
    if (!l) g.set(p.currency, (l = []));
    l.push(p);
  }
  const out: Record<string, PerCurrency<DaysToPayStats>> = {};
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const per: PerCurrency<DaysToPayStats> = {};
    for (const cur of [...g.keys()].sort()) per[cur] = daysToPayStats(g.get(cur)!)!;
    setOwn(out, key, per);
  }
  return out;
}

function sortedRecord(acc: Map<string, number>, what: string): PerCurrency<Minor> {
  const out: PerCurrency<Minor> = {};
  for (const cur of [...acc.keys()].sort()) out[cur] = minor(acc.get(cur)!, `${what} ${cur}`);
  return out;
}

/**
 * Sets a data-derived key (a tier, segment or customer id) as an own property: a plain assignment
 * of "__proto__" would set the object's prototype instead and lose the group.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
