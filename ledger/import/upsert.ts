/**
 * Writes an import's planned rows in batches: one statement per BATCH rows, passing each column as
 * one array parameter (unnest), so 100,000 rows take ~20 round trips and never hit the 65,535
 * parameter limit. ON CONFLICT … DO UPDATE … WHERE IS DISTINCT FROM touches only rows that changed,
 * so updated_at moves only on a real change and an unchanged re-import writes nothing.
 * RETURNING (xmax = 0) tells an insert from an update.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { IMPORT_APPLIER, type ContactInsert, type ContactUpdate, type CustomerWrite, type InvoiceWrite, type PaymentPlan } from './checks';
import type { ImportCounts } from './report';

const BATCH = 5000;

export type WriteProgress = (written: number, total: number) => void;

const arr = (v: unknown[]) => sql.param(v);

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH));
  return out;
}

/** Runs one upsert per batch; returns the keys inserted and the keys updated. */
async function upsertBatches<T>(
  tx: Tx,
  rows: T[],
  statement: (batch: T[]) => SQL,
  onProgress?: WriteProgress,
): Promise<{ inserted: Set<string>; updated: Set<string> }> {
  const inserted = new Set<string>();
  const updated = new Set<string>();
  let done = 0;
  for (const batch of batches(rows)) {
    const r = await tx.execute<{ k: string; inserted: boolean }>(statement(batch));
    for (const x of r.rows) (x.inserted ? inserted : updated).add(x.k);
    done += batch.length;
    onProgress?.(done, rows.length);
  }
  return { inserted, updated };
}

function count(total: number, inserted: Set<string>, updated: Set<string>): ImportCounts {
  return { inserted: inserted.size, updated: updated.size, unchanged: total - inserted.size - updated.size };
}

export async function writeCustomers(
  tx: Tx,
  customers: CustomerWrite[],
  contactInserts: ContactInsert[],
  contactUpdates: ContactUpdate[],
  onProgress?: WriteProgress,
): Promise<ImportCounts> {
  const { inserted, updated } = await upsertBatches(
    tx,
    customers,
    (b) => sql`
      INSERT INTO customers (id, name, tier, segment, no_touch, timezone)
      SELECT * FROM unnest(${arr(b.map((c) => c.id))}::text[], ${arr(b.map((c) => c.name))}::text[], ${arr(b.map((c) => c.tier))}::text[],
                           ${arr(b.map((c) => c.segment))}::text[], ${arr(b.map((c) => c.noTouch))}::bool[], ${arr(b.map((c) => c.timezone))}::text[])
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, tier = excluded.tier, segment = excluded.segment,
        no_touch = excluded.no_touch, timezone = excluded.timezone, updated_at = now()
      WHERE (customers.name, customers.tier, customers.segment, customers.no_touch, customers.timezone)
        IS DISTINCT FROM (excluded.name, excluded.tier, excluded.segment, excluded.no_touch, excluded.timezone)
      RETURNING id AS k, (xmax = 0) AS inserted`,
    onProgress,
  );
  // Contacts are part of the customer's record: a contact change counts as (and dates) a customer update.
  const touched = new Set<string>();
  for (const b of batches(contactInserts)) {
    await tx.execute(sql`
      INSERT INTO contacts (customer_id, role, name, email, phone)
      SELECT * FROM unnest(${arr(b.map((c) => c.customerId))}::text[], ${arr(b.map((c) => c.role))}::text[], ${arr(b.map((c) => c.name))}::text[],
                           ${arr(b.map((c) => c.email))}::text[], ${arr(b.map((c) => c.phone))}::text[])`);
    for (const c of b) touched.add(c.customerId);
  }
  for (const b of batches(contactUpdates)) {
    await tx.execute(sql`
      UPDATE contacts SET name = u.name, email = u.email, phone = u.phone
      FROM unnest(${arr(b.map((c) => c.id))}::int[], ${arr(b.map((c) => c.name))}::text[], ${arr(b.map((c) => c.email))}::text[],
                  ${arr(b.map((c) => c.phone))}::text[]) AS u(id, name, email, phone)
      WHERE contacts.id = u.id`);
    for (const c of b) touched.add(c.customerId);
  }
  const contactOnly = [...touched].filter((id) => !inserted.has(id) && !updated.has(id));
  if (contactOnly.length) {
    await tx.execute(sql`UPDATE customers SET updated_at = now() WHERE id = ANY(${arr(contactOnly)}::text[])`);
    for (const id of contactOnly) updated.add(id);
  }
  return count(customers.length, inserted, updated);
}

/** `accepted`: rows of the file being imported; `invoices` may leave out the ones known to be unchanged. */
export async function writeInvoices(tx: Tx, invoices: InvoiceWrite[], accepted: number, onProgress?: WriteProgress): Promise<ImportCounts> {
  const { inserted, updated } = await upsertBatches(
    tx,
    invoices,
    (b) => sql`
      INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date, terms, po_number, status, open_stated)
      SELECT * FROM unnest(${arr(b.map((i) => i.number))}::text[], ${arr(b.map((i) => i.customerId))}::text[], ${arr(b.map((i) => i.currency))}::text[],
                           ${arr(b.map((i) => i.amountMinor))}::int8[], ${arr(b.map((i) => i.openMinor))}::int8[],
                           ${arr(b.map((i) => i.issueDate))}::date[], ${arr(b.map((i) => i.dueDate))}::date[],
                           ${arr(b.map((i) => i.terms))}::text[], ${arr(b.map((i) => i.poNumber))}::text[],
                           ${arr(b.map((i) => i.status))}::text[], ${arr(b.map((i) => i.openStated))}::bool[])
      ON CONFLICT (number) DO UPDATE SET customer_id = excluded.customer_id, currency = excluded.currency,
        amount_minor = excluded.amount_minor, open_minor = excluded.open_minor, issue_date = excluded.issue_date,
        due_date = excluded.due_date, terms = excluded.terms, po_number = excluded.po_number, status = excluded.status,
        open_stated = excluded.open_stated, updated_at = now()
      WHERE (invoices.customer_id, invoices.currency, invoices.amount_minor, invoices.open_minor, invoices.issue_date, invoices.due_date,
             invoices.terms, invoices.po_number, invoices.status, invoices.open_stated)
        IS DISTINCT FROM (excluded.customer_id, excluded.currency, excluded.amount_minor, excluded.open_minor, excluded.issue_date,
             excluded.due_date, excluded.terms, excluded.po_number, excluded.status, excluded.open_stated)
      RETURNING number AS k, (xmax = 0) AS inserted`,
    onProgress,
  );
  return count(accepted, inserted, updated);
}

export async function writePayments(tx: Tx, plan: PaymentPlan, onProgress?: WriteProgress): Promise<ImportCounts> {
  // Order matters for the allocation triggers: changed allocations leave before a payment shrinks,
  // and come back after it has grown.
  for (const b of batches(plan.applicationDeletes)) {
    await tx.execute(sql`
      DELETE FROM payment_applications a
      USING unnest(${arr(b.map((d) => d.paymentId))}::text[], ${arr(b.map((d) => d.invoiceNumber))}::text[]) AS d(payment_id, invoice_number)
      WHERE a.payment_id = d.payment_id AND a.invoice_number = d.invoice_number AND a.applied_by = ${IMPORT_APPLIER}`);
  }
  const { inserted, updated } = await upsertBatches(
    tx,
    plan.payments,
    (b) => sql`
      INSERT INTO payments (id, customer_id, received_on, currency, amount_minor, reference, payer, source)
      SELECT *, 'import' FROM unnest(${arr(b.map((p) => p.id))}::text[], ${arr(b.map((p) => p.customerId))}::text[],
                           ${arr(b.map((p) => p.receivedOn))}::date[], ${arr(b.map((p) => p.currency))}::text[],
                           ${arr(b.map((p) => p.amountMinor))}::int8[], ${arr(b.map((p) => p.reference))}::text[],
                           ${arr(b.map((p) => p.payer))}::text[])
      ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, received_on = excluded.received_on,
        currency = excluded.currency, amount_minor = excluded.amount_minor, reference = excluded.reference, payer = excluded.payer
      WHERE (payments.customer_id, payments.received_on, payments.currency, payments.amount_minor, payments.reference, payments.payer)
        IS DISTINCT FROM (excluded.customer_id, excluded.received_on, excluded.currency, excluded.amount_minor, excluded.reference, excluded.payer)
      RETURNING id AS k, (xmax = 0) AS inserted`,
    onProgress,
  );
  for (const b of batches(plan.applicationInserts)) {
    await tx.execute(sql`
      INSERT INTO payment_applications (payment_id, invoice_number, amount_minor, applied_by)
      SELECT *, ${IMPORT_APPLIER} FROM unnest(${arr(b.map((a) => a.paymentId))}::text[], ${arr(b.map((a) => a.invoiceNumber))}::text[],
                                        ${arr(b.map((a) => a.amountMinor))}::int8[])`);
    for (const a of b) if (!inserted.has(a.paymentId)) updated.add(a.paymentId);
  }
  for (const b of batches(plan.invoiceUpdates)) {
    await tx.execute(sql`
      UPDATE invoices SET open_minor = u.open_minor, status = u.status, updated_at = now()
      FROM unnest(${arr(b.map((u) => u.number))}::text[], ${arr(b.map((u) => u.openMinor))}::int8[], ${arr(b.map((u) => u.status))}::text[])
        AS u(number, open_minor, status)
      WHERE invoices.number = u.number AND (invoices.open_minor, invoices.status) IS DISTINCT FROM (u.open_minor, u.status)`);
  }
  return count(plan.payments.length, inserted, updated);
}
