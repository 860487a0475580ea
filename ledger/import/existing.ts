/**
 * The stored state an import needs for its reference checks and its merge, read inside the
 * import's transaction with the rows locked (FOR UPDATE), so what was checked is what is written:
 * a payment posted concurrently cannot slip between the check and the write.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import type { InvoiceRecord, LedgerInvoiceStatus, Tier } from '../port';

const list = (v: string[]) => sql.param([...new Set(v)]);

export interface StoredCustomer {
  id: string;
  name: string;
  tier: Tier;
  segment: string;
  noTouch: boolean;
  timezone: string;
}

export interface StoredContact {
  id: number;
  customerId: string;
  role: 'billing' | 'decision_maker' | 'other';
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** An invoice as the import writes it: the ledger's record, less what imports do not set. */
export interface InvoiceWrite extends Omit<InvoiceRecord, 'noTouch'> {
  /** True when the file stated open_amount (the ERP's balance); false when the ledger derives it. */
  openStated: boolean;
}

export interface StoredInvoice extends InvoiceWrite {
  /** Cash applied to it, written off and credited: what the ledger subtracts to derive the open balance. */
  appliedMinor: number;
  writtenOffMinor: number;
  creditedMinor: number;
}

export interface StoredPayment {
  id: string;
  customerId: string | null;
  receivedOn: string;
  currency: string;
  amountMinor: number;
  reference: string | null;
  payer: string | null;
}

export interface StoredApplication {
  paymentId: string;
  invoiceNumber: string;
  amountMinor: number;
  appliedBy: string;
}

export async function knownCustomerIds(tx: Tx, ids: string[]): Promise<Set<string>> {
  const r = await tx.execute<{ id: string }>(sql`SELECT id FROM customers WHERE id = ANY(${list(ids)}::text[]) FOR KEY SHARE`);
  return new Set(r.rows.map((x) => x.id));
}

export async function loadCustomers(tx: Tx, ids: string[]): Promise<{ customers: Map<string, StoredCustomer>; contacts: StoredContact[] }> {
  const c = await tx.execute<{ id: string; name: string; tier: Tier; segment: string; no_touch: boolean; timezone: string }>(
    sql`SELECT id, name, tier, segment, no_touch, timezone FROM customers WHERE id = ANY(${list(ids)}::text[]) FOR UPDATE`,
  );
  const k = await tx.execute<{
    id: number;
    customer_id: string;
    role: StoredContact['role'];
    name: string | null;
    email: string | null;
    phone: string | null;
  }>(
    sql`SELECT id, customer_id, role, name, email, phone FROM contacts
        WHERE customer_id = ANY(${list(ids)}::text[]) AND role IN ('billing', 'decision_maker') ORDER BY id FOR UPDATE`,
  );
  return {
    customers: new Map(
      c.rows.map((r) => [r.id, { id: r.id, name: r.name, tier: r.tier, segment: r.segment, noTouch: r.no_touch, timezone: r.timezone }]),
    ),
    contacts: k.rows.map((r) => ({ id: r.id, customerId: r.customer_id, role: r.role, name: r.name, email: r.email, phone: r.phone })),
  };
}

export async function loadInvoices(tx: Tx, numbers: string[]): Promise<Map<string, StoredInvoice>> {
  const r = await tx.execute<{
    number: string;
    customer_id: string;
    currency: string;
    amount_minor: number;
    open_minor: number;
    issue_date: string;
    due_date: string;
    terms: string | null;
    po_number: string | null;
    status: LedgerInvoiceStatus;
    open_stated: boolean;
    applied: number;
    written_off: number;
    credited: number;
  }>(sql`
    WITH wanted AS (SELECT unnest(${list(numbers)}::text[]) AS number)
    SELECT i.number, i.customer_id, i.currency, i.amount_minor, i.open_minor, i.issue_date, i.due_date, i.terms, i.po_number,
           i.status, i.open_stated,
           coalesce(a.total, 0)::int8 AS applied, coalesce(w.total, 0)::int8 AS written_off, coalesce(c.total, 0)::int8 AS credited
    FROM invoices i
    JOIN wanted USING (number)
    LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS total FROM payment_applications JOIN wanted ON number = invoice_number GROUP BY 1) a
      ON a.invoice_number = i.number
    LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS total FROM write_offs JOIN wanted ON number = invoice_number GROUP BY 1) w
      ON w.invoice_number = i.number
    LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS total FROM credit_notes JOIN wanted ON number = invoice_number GROUP BY 1) c
      ON c.invoice_number = i.number
    FOR UPDATE OF i`);
  return new Map(
    r.rows.map((x) => [
      x.number,
      {
        number: x.number,
        customerId: x.customer_id,
        currency: x.currency,
        amountMinor: x.amount_minor,
        openMinor: x.open_minor,
        issueDate: x.issue_date,
        dueDate: x.due_date,
        terms: x.terms,
        poNumber: x.po_number,
        status: x.status,
        openStated: x.open_stated,
        appliedMinor: x.applied,
        writtenOffMinor: x.written_off,
        creditedMinor: x.credited,
      },
    ]),
  );
}

export async function loadPayments(
  tx: Tx,
  ids: string[],
): Promise<{ payments: Map<string, StoredPayment>; applications: StoredApplication[] }> {
  const p = await tx.execute<{
    id: string;
    customer_id: string | null;
    received_on: string;
    currency: string;
    amount_minor: number;
    reference: string | null;
    payer: string | null;
  }>(
    sql`SELECT id, customer_id, received_on, currency, amount_minor, reference, payer FROM payments WHERE id = ANY(${list(ids)}::text[]) FOR UPDATE`,
  );
  const a = await tx.execute<{ payment_id: string; invoice_number: string; amount_minor: number; applied_by: string }>(
    sql`SELECT payment_id, invoice_number, amount_minor, applied_by FROM payment_applications WHERE payment_id = ANY(${list(ids)}::text[]) ORDER BY id`,
  );
  return {
    payments: new Map(
      p.rows.map((r) => [
        r.id,
        {
          id: r.id,
          customerId: r.customer_id,
          receivedOn: r.received_on,
          currency: r.currency,
          amountMinor: r.amount_minor,
          reference: r.reference,
          payer: r.payer,
        },
      ]),
    ),
    applications: a.rows.map((r) => ({
      paymentId: r.payment_id,
      invoiceNumber: r.invoice_number,
      amountMinor: r.amount_minor,
      appliedBy: r.applied_by,
    })),
  };
}
