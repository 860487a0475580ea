/**
 * The plain data the receivables metrics are computed from, and a one-pass index over it.
 *
 * Every row is flat and maps to one SQL select (see each type), so a loader can fill it with
 * `select ... ` and no post-processing beyond turning timestamps into calendar dates. Money is an
 * integer count of the currency's minor units (ISO 4217); dates are ISO calendar dates `YYYY-MM-DD`.
 * Nothing here does I/O.
 */
import { daysBetween } from '../../domain/calendar';

/**
 * One invoice. SQL: `select i.number, i.customer_id, c.tier, c.segment, i.currency, i.amount_minor,
 * i.issue_date, i.due_date from invoices i join customers c on c.id = i.customer_id` (a loader
 * would leave out status 'void': a voided invoice was never a credit sale).
 */
export interface InvoiceFact {
  readonly number: string;
  readonly customerId: string;
  readonly tier: string;
  readonly segment: string;
  /** ISO 4217 code; every settlement of the invoice is in this currency. */
  readonly currency: string;
  /** The invoiced amount, integer minor units. */
  readonly amountMinor: number;
  readonly issueDate: string;
  readonly dueDate: string;
}

/**
 * `stated`: a reduction the ERP stated in an open balance with no dated movement behind it (an
 * export that gives the open amount but not every payment); dated when the ledger learned it.
 */
export type SettlementKind = 'payment' | 'credit' | 'write_off' | 'stated';

/**
 * Something that reduced an invoice's balance, dated when it took effect. SQL:
 * - `payment`: `select pa.invoice_number, p.received_on as date, pa.amount_minor, 'payment' from
 *   payment_applications pa join payments p on p.id = pa.payment_id` (dated by the payment's date,
 *   not by when it was applied);
 * - `credit`: `select invoice_number, issued_on, amount_minor, 'credit' from credit_notes where
 *   invoice_number is not null` (a credit note not linked to an invoice settles nothing);
 * - `write_off`: `select invoice_number, (at at time zone 'UTC')::date, amount_minor, 'write_off'
 *   from write_offs`.
 * The amount is in the invoice's currency.
 */
export interface SettlementFact {
  readonly invoiceNumber: string;
  readonly date: string;
  readonly amountMinor: number;
  readonly kind: SettlementKind;
}

/**
 * Cash received, whether or not it was applied to invoices. SQL: `select received_on as date,
 * currency, amount_minor, customer_id from payments`. `customerId` is null for unidentified cash.
 */
export interface PaymentFact {
  readonly date: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly customerId: string | null;
}

/**
 * Optional: the tier and segment of customers (SQL: `select id, tier, segment from customers`).
 * Used to put cash received into the tier and segment breakdowns; without it, a customer's tier
 * and segment are taken from its invoices (cash from a customer with no invoice and no row here
 * counts only in the per-currency totals).
 */
export interface CustomerFact {
  readonly id: string;
  readonly tier: string;
  readonly segment: string;
}

export interface LedgerFacts {
  readonly invoices: readonly InvoiceFact[];
  readonly settlements: readonly SettlementFact[];
  readonly payments: readonly PaymentFact[];
  readonly customers?: readonly CustomerFact[];
}

/** An invoice with its settlements, sorted by date (ties keep input order). */
export interface IndexedInvoice {
  readonly invoice: InvoiceFact;
  /** Days since 1970-01-01 of the due date (for days-past-due arithmetic without re-parsing). */
  readonly dueDay: number;
  readonly settlements: readonly SettlementFact[];
}

export interface LedgerIndex {
  readonly kind: 'ledger-index';
  readonly invoices: readonly IndexedInvoice[];
  readonly payments: readonly PaymentFact[];
  /** Tier and segment per customer id (from `customers`, else from the customer's first invoice). */
  readonly customerGroups: ReadonlyMap<string, { readonly tier: string; readonly segment: string }>;
  /** Settlements naming an invoice that is not in the facts: they settle nothing and are counted here. */
  readonly unmatchedSettlements: number;
}

export class LedgerFactsError extends Error {
  constructor(
    readonly row: string,
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${row} ${field}: ${JSON.stringify(value)} ${rule}`);
    this.name = 'LedgerFactsError';
  }
}

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
const EPOCH = '1970-01-01';

export function assertIsoDate(value: string, row: string, field: string): void {
  if (typeof value !== 'string' || !DATE_RE.test(value))
    throw new LedgerFactsError(row, field, value, 'is not an ISO calendar date (YYYY-MM-DD)');
}

function assertAmount(value: number, row: string, field: string): void {
  if (!Number.isSafeInteger(value)) throw new LedgerFactsError(row, field, value, 'is not a whole number of minor units');
}

function assertCurrencyCode(value: string, row: string): void {
  if (typeof value !== 'string' || !CURRENCY_RE.test(value))
    throw new LedgerFactsError(row, 'currency', value, 'is not an ISO 4217 code (three capital letters)');
}

/**
 * Validates the facts (formats only: integer amounts, `YYYY-MM-DD` dates, three-letter currencies,
 * unique invoice numbers) and groups settlements by invoice in one pass, each group sorted by date.
 * Build it once and pass it to several computations; every metric accepts facts or an index.
 */
const NO_SETTLEMENTS: readonly SettlementFact[] = Object.freeze([]);

/** Stable insertion sort by date: settlement lists are short, and this beats Array.prototype.sort on them. */
function sortByDate(list: SettlementFact[]): void {
  for (let i = 1; i < list.length; i++) {
    const s = list[i]!;
    let j = i - 1;
    while (j >= 0 && list[j]!.date > s.date) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = s;
  }
}

export function indexLedger(facts: LedgerFacts): LedgerIndex {
  // Dates repeat heavily (a few thousand distinct ones in 100,000 rows): validate and convert each once.
  const dayOf = new Map<string, number>();
  const newDay = (value: string, row: string, field: string): number => {
    assertIsoDate(value, row, field);
    const day = daysBetween(EPOCH, value);
    dayOf.set(value, day);
    return day;
  };
  const n = facts.invoices.length;
  const indexOf = new Map<string, number>();
  const customerGroups = new Map<string, { tier: string; segment: string }>();
  const dueDays = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const inv = facts.invoices[i]!;
    indexOf.set(inv.number, i);
    if (indexOf.size !== i + 1) throw new LedgerFactsError(`invoice ${inv.number}`, 'number', inv.number, 'appears more than once');
    if (!CURRENCY_RE.test(inv.currency)) assertCurrencyCode(inv.currency, `invoice ${inv.number}`);
    if (!Number.isSafeInteger(inv.amountMinor)) assertAmount(inv.amountMinor, `invoice ${inv.number}`, 'amountMinor');
    if (!dayOf.has(inv.issueDate)) newDay(inv.issueDate, `invoice ${inv.number}`, 'issueDate');
    dueDays[i] = dayOf.get(inv.dueDate) ?? newDay(inv.dueDate, `invoice ${inv.number}`, 'dueDate');
    if (!customerGroups.has(inv.customerId)) customerGroups.set(inv.customerId, { tier: inv.tier, segment: inv.segment });
  }
  for (const c of facts.customers ?? []) customerGroups.set(c.id, { tier: c.tier, segment: c.segment });

  // Counting sort of settlements into per-invoice lists: one map lookup per settlement.
  const ss = facts.settlements;
  const owner = new Int32Array(ss.length);
  const counts = new Int32Array(n);
  let unmatched = 0;
  for (let k = 0; k < ss.length; k++) {
    const s = ss[k]!;
    if (!Number.isSafeInteger(s.amountMinor)) assertAmount(s.amountMinor, `settlement of ${s.invoiceNumber}`, 'amountMinor');
    if (!dayOf.has(s.date)) newDay(s.date, `settlement of ${s.invoiceNumber}`, 'date');
    if (s.kind !== 'payment' && s.kind !== 'credit' && s.kind !== 'write_off' && s.kind !== 'stated') {
      throw new LedgerFactsError(`settlement of ${s.invoiceNumber}`, 'kind', s.kind, "is not 'payment', 'credit', 'write_off' or 'stated'");
    }
    const i = indexOf.get(s.invoiceNumber);
    if (i === undefined) {
      owner[k] = -1;
      unmatched++;
    } else {
      owner[k] = i;
      counts[i]!++;
    }
  }
  for (const p of facts.payments) {
    if (!CURRENCY_RE.test(p.currency)) assertCurrencyCode(p.currency, `payment of ${p.customerId ?? 'unidentified'} on ${p.date}`);
    if (!Number.isSafeInteger(p.amountMinor))
      assertAmount(p.amountMinor, `payment of ${p.customerId ?? 'unidentified'} on ${p.date}`, 'amountMinor');
    if (!dayOf.has(p.date)) newDay(p.date, `payment of ${p.customerId ?? 'unidentified'}`, 'date');
  }

  const lists: SettlementFact[][] = new Array(n);
  for (let i = 0; i < n; i++) if (counts[i]! > 0) lists[i] = new Array(counts[i]!);
  const filled = new Int32Array(n);
  for (let k = 0; k < ss.length; k++) {
    const i = owner[k]!;
    if (i >= 0) lists[i]![filled[i]!++] = ss[k]!;
  }
  const invoices: IndexedInvoice[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const list = lists[i];
    if (list && list.length > 1) sortByDate(list); // stable: same-date settlements keep input order
    invoices[i] = { invoice: facts.invoices[i]!, dueDay: dueDays[i]!, settlements: list ?? NO_SETTLEMENTS };
  }
  return { kind: 'ledger-index', invoices, payments: facts.payments, customerGroups, unmatchedSettlements: unmatched };
}

export function asIndex(source: LedgerFacts | LedgerIndex): LedgerIndex {
  return 'kind' in source && source.kind === 'ledger-index' ? source : indexLedger(source as LedgerFacts);
}

/** Day number (days since 1970-01-01) of an ISO date. */
export function epochDay(isoDate: string): number {
  return daysBetween(EPOCH, isoDate);
}
