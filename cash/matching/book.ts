/**
 * The open invoices, indexed once for every credit of a run: oldest first (so an invoice's index
 * is its age rank and "oldest first" is an integer comparison), by printed reference, by
 * customer and currency, by open balance, and by invoice and purchase order number.
 */
import { assertCurrency, minor } from '../../domain/money';
import { InvoiceNumberIndex } from './invoice-numbers';
import { indexableReference } from './references';
import type { OpenInvoice } from './types';

export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class OpenBook {
  /** Oldest first: due date, issue date, number, customer. */
  readonly invoices: readonly OpenInvoice[];
  /** Entries 0..n-1 are invoice numbers; entry n + i is invoice i's purchase order number. */
  readonly numbers: InvoiceNumberIndex;
  private readonly references = new Map<string, number[]>();
  // Nested Maps keyed by the input's own strings (whose hashes V8 caches) and by integers, rather
  // than by built "customer|currency" strings: building the index is mostly hashing.
  /** customer → currency → open invoices, oldest first. */
  private readonly byCustomerCurrency = new Map<string, Map<string, number[]>>();
  /** The same lists by open balance (ties oldest first): exact and fee-deducted amounts by binary search. */
  private readonly byCustomerAmount = new Map<string, Map<string, Int32Array>>();
  /** currency → open balance → invoices. */
  private readonly byAmount = new Map<string, Map<number, number[]>>();

  constructor(openInvoices: readonly OpenInvoice[]) {
    const open = openInvoices.filter((i) => i.openMinor > 0);
    for (const i of open) {
      minor(i.openMinor, `open invoice ${i.number} openMinor`);
      assertCurrency(i.currency, `open invoice ${i.number} currency`);
    }
    const inv = oldestFirst(open);
    this.invoices = inv;
    this.numbers = new InvoiceNumberIndex([...inv.map((i) => i.number), ...inv.map((i) => i.poNumber ?? '')]);
    inv.forEach((i, idx) => {
      if (i.paymentReference) {
        const ref = indexableReference(i.paymentReference);
        if (ref) push(this.references, ref.value, idx);
      }
      push(inner(this.byCustomerCurrency, i.customerId), i.currency, idx);
      push(inner(this.byAmount, i.currency), i.openMinor, idx);
    });
    for (const [customerId, byCurrency] of this.byCustomerCurrency) {
      const sorted = new Map<string, Int32Array>();
      for (const [currency, list] of byCurrency) {
        sorted.set(
          currency,
          Int32Array.from(list).sort((a, b) => inv[a]!.openMinor - inv[b]!.openMinor || a - b),
        );
      }
      this.byCustomerAmount.set(customerId, sorted);
    }
  }

  get size(): number {
    return this.invoices.length;
  }

  hasCurrency(currency: string): boolean {
    return this.byAmount.has(currency);
  }

  /** Invoices whose printed RF/QR reference is exactly this compact value. */
  byReference(value: string): readonly number[] | undefined {
    return this.references.get(value);
  }

  /** A customer's open invoices in one currency, oldest first. */
  openOf(customerId: string, currency: string): readonly number[] | undefined {
    return this.byCustomerCurrency.get(customerId)?.get(currency);
  }

  /** A customer's open invoices in one currency with open balance in [lo, hi], oldest first. */
  openBetween(customerId: string, currency: string, lo: number, hi: number): number[] {
    const sorted = this.byCustomerAmount.get(customerId)?.get(currency);
    if (!sorted) return [];
    const inv = this.invoices;
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (inv[sorted[mid]!]!.openMinor < lo) a = mid + 1;
      else b = mid;
    }
    const out: number[] = [];
    for (let k = a; k < sorted.length && inv[sorted[k]!]!.openMinor <= hi; k++) out.push(sorted[k]!);
    return out.sort((x, y) => x - y);
  }

  /** Every open invoice in a currency with exactly this open balance. */
  withOpenBalance(currency: string, openMinor: number): readonly number[] {
    return this.byAmount.get(currency)?.get(openMinor) ?? [];
  }
}

/** Due date, issue date, number, customer: ISO dates compared as one number (YYYYMMDD twice) when all are ISO. */
function oldestFirst(open: OpenInvoice[]): OpenInvoice[] {
  const byStrings = (a: OpenInvoice, b: OpenInvoice) =>
    compareStrings(a.dueDate, b.dueDate) ||
    compareStrings(a.issueDate, b.issueDate) ||
    compareStrings(a.number, b.number) ||
    compareStrings(a.customerId, b.customerId);
  const key = new Float64Array(open.length);
  for (let k = 0; k < open.length; k++) {
    const due = isoDay(open[k]!.dueDate);
    const issued = isoDay(open[k]!.issueDate);
    if (due < 0 || issued < 0) return open.sort(byStrings);
    key[k] = due * 1e8 + issued;
  }
  const order = Array.from(open.keys()).sort((a, b) => key[a]! - key[b]! || byStrings(open[a]!, open[b]!));
  return order.map((k) => open[k]!);
}

/** "2026-03-04" → 20260304 (ordered as the string is), or -1 for any other shape. */
function isoDay(d: string): number {
  if (d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45) return -1;
  let n = 0;
  for (let k = 0; k < 10; k++) {
    if (k === 4 || k === 7) continue;
    const c = d.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

export function push<K>(m: Map<K, number[]>, k: K, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function inner<K, V>(m: Map<string, Map<K, V>>, k: string): Map<K, V> {
  let v = m.get(k);
  if (!v) m.set(k, (v = new Map()));
  return v;
}
