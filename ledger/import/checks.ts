/**
 * Checks that need more than one row or the stored ledger (duplicate keys, unknown references,
 * balances), and the exact values each accepted row will write (merged with what is stored).
 * Pure: the stored state comes in, rows to write and problems come out, so every rule is testable.
 */
import { toDecimal } from '../../domain/money';
import type { LedgerInvoiceStatus } from '../port';
import type { InvoiceWrite, StoredApplication, StoredContact, StoredCustomer, StoredInvoice, StoredPayment } from './existing';

export type { InvoiceWrite };
import type { ImportIssue } from './report';
import type { CustomerRow, InvoiceRow, PaymentRow } from './schemas';

/** The source a payment import writes in applied_by, so a re-import can tell its own allocations. */
export const IMPORT_APPLIER = 'import';

/** Every occurrence of a key that appears twice is refused: which one is right is the user's call. */
function duplicateKeys<T extends { row: number }>(rows: T[], keyOf: (r: T) => string, column: string): ImportIssue[] {
  const rowsByKey = new Map<string, number[]>();
  for (const r of rows) {
    const at = rowsByKey.get(keyOf(r));
    if (at) at.push(r.row);
    else rowsByKey.set(keyOf(r), [r.row]);
  }
  const issues: ImportIssue[] = [];
  for (const [k, at] of rowsByKey) {
    if (at.length < 2) continue;
    // The rows named, up to ten: a key repeated on 50,000 rows must not make a 50,000-number message.
    const rows = at.length > 10 ? `${at.slice(0, 10).join(', ')} and ${at.length - 10} more` : at.join(', ');
    for (const row of at) issues.push({ row, column, value: k, rule: `appears more than once in this file (rows ${rows})` });
  }
  return issues;
}

/** open/paid follow the balance; disputed, written-off and void are decisions an import does not undo. */
export function statusFor(current: LedgerInvoiceStatus | undefined, openMinor: number): LedgerInvoiceStatus {
  if (current === undefined || current === 'open' || current === 'paid') return openMinor === 0 ? 'paid' : 'open';
  if (current === 'disputed' && openMinor === 0) return 'paid';
  return current;
}

function groupBy<T>(items: T[], keyOf: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const list = m.get(keyOf(t));
    if (list) list.push(t);
    else m.set(keyOf(t), [t]);
  }
  return m;
}

const keep = <T>(given: T | null | undefined, stored: T | null | undefined, fallback: T | null): T | null =>
  given === undefined ? (stored ?? fallback) : (given ?? fallback);

// ---------------------------------------------------------------- customers

export interface CustomerWrite {
  id: string;
  name: string;
  tier: string;
  segment: string;
  noTouch: boolean;
  timezone: string;
}

export interface ContactInsert {
  customerId: string;
  role: 'billing' | 'decision_maker';
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface ContactUpdate extends ContactInsert {
  id: number;
}

export interface CustomerPlan {
  issues: ImportIssue[];
  customers: CustomerWrite[];
  contactInserts: ContactInsert[];
  contactUpdates: ContactUpdate[];
}

export function planCustomers(rows: CustomerRow[], stored: Map<string, StoredCustomer>, contacts: StoredContact[]): CustomerPlan {
  const issues = duplicateKeys(rows, (r) => r.id, 'customer_id');
  const bad = new Set(issues.map((i) => i.row));
  const plan: CustomerPlan = { issues, customers: [], contactInserts: [], contactUpdates: [] };
  const byCustomer = groupBy(contacts, (c) => c.customerId);
  for (const r of rows) {
    if (bad.has(r.row)) continue;
    const s = stored.get(r.id);
    plan.customers.push({
      id: r.id,
      name: r.name,
      tier: r.tier,
      segment: keep(r.segment, s?.segment, 'default')!,
      noTouch: keep(r.noTouch, s?.noTouch, false)!,
      timezone: keep(r.timezone, s?.timezone, 'UTC')!,
    });
    const mine = byCustomer.get(r.id) ?? [];
    planContact(plan, mine, r.id, 'billing', { email: r.email, phone: r.phone, name: r.contactName });
    planContact(plan, mine, r.id, 'decision_maker', { email: r.decisionMakerEmail, phone: undefined, name: r.decisionMakerName });
  }
  return plan;
}

/**
 * The import keeps one contact per role in step with the file: the stored contact of that role
 * with the same email, else the oldest one. Other contacts (added by hand or by an ERP sync) stay.
 */
function planContact(
  plan: CustomerPlan,
  mine: StoredContact[],
  customerId: string,
  role: 'billing' | 'decision_maker',
  given: { email: string | null | undefined; phone: string | null | undefined; name: string | null | undefined },
): void {
  const ofRole = mine.filter((c) => c.role === role);
  const primary = (given.email ? ofRole.find((c) => c.email === given.email) : undefined) ?? ofRole[0];
  const next = {
    customerId,
    role,
    email: keep(given.email, primary?.email, null),
    phone: keep(given.phone, primary?.phone, null),
    name: keep(given.name, primary?.name, null),
  };
  // A contact needs an email or a phone; an import never deletes one.
  if (next.email === null && next.phone === null) return;
  if (!primary) plan.contactInserts.push(next);
  else if (primary.email !== next.email || primary.phone !== next.phone || primary.name !== next.name)
    plan.contactUpdates.push({ ...next, id: primary.id });
}

// ---------------------------------------------------------------- invoices

export function planInvoices(
  rows: InvoiceRow[],
  knownCustomers: Set<string>,
  stored: Map<string, StoredInvoice>,
): { issues: ImportIssue[]; invoices: InvoiceWrite[]; accepted: number } {
  const issues = duplicateKeys(rows, (r) => r.number, 'invoice_number');
  const invoices: InvoiceWrite[] = [];
  const bad = () => new Set(issues.map((i) => i.row));
  for (const r of rows) {
    if (!knownCustomers.has(r.customerId)) {
      issues.push({ row: r.row, column: 'customer_id', value: r.customerId, rule: 'is not a known customer (import customers first)' });
    }
    const s = stored.get(r.number);
    const settled = s ? s.appliedMinor + s.writtenOffMinor + s.creditedMinor : 0;
    if (s && settled > 0 && s.currency !== r.currency) {
      issues.push({
        row: r.row,
        column: 'currency',
        value: r.currency,
        rule: `cannot change from ${s.currency}: payments, credits or write-offs are recorded against this invoice`,
      });
    } else if (settled > r.amountMinor) {
      issues.push({
        row: r.row,
        column: 'amount',
        value: toDecimal(r.amountMinor, r.currency),
        rule: `is less than the ${toDecimal(settled, r.currency)} already applied, credited or written off`,
      });
    }
  }
  const rejected = bad();
  let accepted = 0;
  for (const r of rows) {
    if (rejected.has(r.row)) continue;
    accepted++;
    const s = stored.get(r.number);
    const settled = s ? s.appliedMinor + s.writtenOffMinor + s.creditedMinor : 0;
    const openMinor = r.openMinor ?? r.amountMinor - settled;
    const w: InvoiceWrite = {
      number: r.number,
      customerId: r.customerId,
      currency: r.currency,
      amountMinor: r.amountMinor,
      openMinor,
      issueDate: r.issueDate,
      dueDate: r.dueDate,
      terms: keep(r.terms, s?.terms, null),
      poNumber: keep(r.poNumber, s?.poNumber, null),
      status: statusFor(s?.status, openMinor),
      openStated: r.openMinor !== null,
    };
    // Rows identical to the stored (and locked) ones are not sent at all: an unchanged re-import writes nothing.
    if (!s || !sameInvoice(s, w)) invoices.push(w);
  }
  return { issues, invoices, accepted };
}

function sameInvoice(s: StoredInvoice, w: InvoiceWrite): boolean {
  return (
    s.customerId === w.customerId &&
    s.currency === w.currency &&
    s.amountMinor === w.amountMinor &&
    s.openMinor === w.openMinor &&
    s.issueDate === w.issueDate &&
    s.dueDate === w.dueDate &&
    s.terms === w.terms &&
    s.poNumber === w.poNumber &&
    s.status === w.status &&
    s.openStated === w.openStated
  );
}

// ---------------------------------------------------------------- payments

interface PaymentWrite {
  id: string;
  customerId: string;
  receivedOn: string;
  currency: string;
  amountMinor: number;
  reference: string | null;
  payer: string | null;
}

export interface PaymentPlan {
  issues: ImportIssue[];
  payments: PaymentWrite[];
  /** This import's own allocations whose amount changed: removed, then inserted again with the new amount. */
  applicationDeletes: { paymentId: string; invoiceNumber: string }[];
  applicationInserts: { paymentId: string; invoiceNumber: string; amountMinor: number }[];
  /** Derived open balances (never stated ones) after the new allocations. */
  invoiceUpdates: { number: string; openMinor: number; status: LedgerInvoiceStatus }[];
}

export function planPayments(
  rows: PaymentRow[],
  knownCustomers: Set<string>,
  invoices: Map<string, StoredInvoice>,
  stored: Map<string, StoredPayment>,
  applications: StoredApplication[],
): PaymentPlan {
  const issues = duplicateKeys(rows, (r) => r.id, 'payment_id');
  const dup = new Set(issues.map((i) => i.row));
  const plan: PaymentPlan = { issues, payments: [], applicationDeletes: [], applicationInserts: [], invoiceUpdates: [] };
  // Running balances, so several payments to one invoice are checked together, in file order.
  const running = new Map([...invoices].map(([n, i]) => [n, { applied: i.appliedMinor, open: i.openMinor }]));
  const money = (n: number, c: string) => `${toDecimal(n, c)} ${c}`;
  const appsByPayment = groupBy(applications, (a) => a.paymentId);

  for (const r of rows) {
    if (dup.has(r.row)) continue;
    const problems: ImportIssue[] = [];
    const fail = (column: string, value: string, rule: string) => problems.push({ row: r.row, column, value, rule });
    if (!knownCustomers.has(r.customerId)) fail('customer_id', r.customerId, 'is not a known customer (import customers first)');

    const s = stored.get(r.id);
    const apps = appsByPayment.get(r.id) ?? [];
    const allocated = apps.reduce((t, a) => t + a.amountMinor, 0);
    if (s && allocated > 0 && s.currency !== r.currency)
      fail('currency', r.currency, `cannot change from ${s.currency}: the payment is already applied to invoices`);

    let delta = 0;
    let existing: StoredApplication | undefined;
    const inv = r.invoiceNumber ? invoices.get(r.invoiceNumber) : undefined;
    if (r.invoiceNumber === null) {
      if (allocated > r.amountMinor)
        fail(
          'amount',
          toDecimal(r.amountMinor, r.currency),
          `is less than the ${money(allocated, r.currency)} already applied to invoices`,
        );
    } else if (!inv) {
      fail('invoice_number', r.invoiceNumber, 'is not a known invoice (import invoices first)');
    } else {
      existing = apps.find((a) => a.invoiceNumber === inv.number);
      const elsewhere = apps.filter((a) => a.invoiceNumber !== inv.number);
      if (inv.customerId !== r.customerId) fail('invoice_number', inv.number, `belongs to customer ${inv.customerId}, not ${r.customerId}`);
      if (inv.currency !== r.currency) fail('currency', r.currency, `differs from invoice ${inv.number}, which is in ${inv.currency}`);
      if (inv.status === 'void') fail('invoice_number', inv.number, 'is void: cash cannot be applied to it');
      if (elsewhere.length) {
        fail(
          'invoice_number',
          inv.number,
          `the payment is already applied to invoice ${elsewhere.map((a) => a.invoiceNumber).join(', ')}; an import applies a payment to one invoice only`,
        );
      } else if (existing && existing.appliedBy !== IMPORT_APPLIER && existing.amountMinor !== r.amountMinor) {
        fail(
          'amount',
          toDecimal(r.amountMinor, r.currency),
          `differs from the ${money(existing.amountMinor, r.currency)} applied to ${inv.number} by ${existing.appliedBy}; an import does not change allocations made in the ledger`,
        );
      } else if (problems.length === 0) {
        delta = r.amountMinor - (existing?.amountMinor ?? 0);
        const bal = running.get(inv.number)!;
        if (bal.applied + delta > inv.amountMinor) {
          fail(
            'amount',
            toDecimal(r.amountMinor, r.currency),
            `would bring the cash applied to invoice ${inv.number} to ${money(bal.applied + delta, inv.currency)}, more than its amount ${money(inv.amountMinor, inv.currency)}`,
          );
        } else if (!inv.openStated && bal.open - delta < 0) {
          fail(
            'amount',
            toDecimal(r.amountMinor, r.currency),
            `is more than the open balance ${money(bal.open + (existing?.amountMinor ?? 0), inv.currency)} of invoice ${inv.number}`,
          );
        }
      }
    }
    if (problems.length) {
      plan.issues.push(...problems);
      continue;
    }
    plan.payments.push({
      id: r.id,
      customerId: r.customerId,
      receivedOn: r.receivedOn,
      currency: r.currency,
      amountMinor: r.amountMinor,
      reference: keep(r.reference, s?.reference, null),
      payer: keep(r.payer, s?.payer, null),
    });
    if (inv && delta !== 0) {
      if (existing) plan.applicationDeletes.push({ paymentId: r.id, invoiceNumber: inv.number });
      plan.applicationInserts.push({ paymentId: r.id, invoiceNumber: inv.number, amountMinor: r.amountMinor });
      const bal = running.get(inv.number)!;
      bal.applied += delta;
      // A stated open balance already reflects the payments the ERP knew: only derived ones move.
      if (!inv.openStated) bal.open -= delta;
    }
  }
  for (const [number, bal] of running) {
    const inv = invoices.get(number)!;
    if (bal.open !== inv.openMinor) plan.invoiceUpdates.push({ number, openMinor: bal.open, status: statusFor(inv.status, bal.open) });
  }
  return plan;
}
