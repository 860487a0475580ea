/**
 * The schema makes bad ledger states impossible, not merely unlikely: each test writes a bad
 * state with plain SQL (as a buggy adapter or a hand-run script would) and expects PostgreSQL
 * to refuse it by the constraint's name.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';

let t: TestDatabase;
const q = (text: string, params: unknown[] = []) => t.db.$client.query(text, params);

/** Runs the statement and returns the name of the constraint that refused it. */
async function refusedBy(text: string, params: unknown[] = []): Promise<string> {
  try {
    await q(text, params);
  } catch (err) {
    const e = err as { constraint?: string; code?: string };
    return e.constraint ?? `code ${e.code}`;
  }
  throw new Error(`expected PostgreSQL to refuse: ${text}`);
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await q(`TRUNCATE customers, contacts, invoices, payments, payment_applications, credit_notes, disputes, promises,
    contact_log, write_offs, workflow_starts CASCADE`);
  await q(`INSERT INTO customers (id, name, tier) VALUES ('C1', 'Acme', 'standard')`);
  await q(`INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date)
           VALUES ('INV-1', 'C1', 'USD', 10000, 10000, '2025-01-01', '2025-01-31'),
                  ('INV-2', 'C1', 'USD', 5000, 5000, '2025-01-01', '2025-01-31'),
                  ('INV-E', 'C1', 'EUR', 7000, 7000, '2025-01-01', '2025-01-31')`);
  await q(`INSERT INTO payments (id, customer_id, received_on, currency, amount_minor)
           VALUES ('P1', 'C1', '2025-02-01', 'USD', 8000), ('P2', 'C1', '2025-02-02', 'USD', 9000)`);
});

describe('invoices', () => {
  it('refuses a negative open balance', async () => {
    expect(await refusedBy(`UPDATE invoices SET open_minor = -1 WHERE number = 'INV-1'`)).toBe('invoices_open_ck');
  });
  it('refuses an open balance above the amount', async () => {
    expect(await refusedBy(`UPDATE invoices SET open_minor = 10001 WHERE number = 'INV-1'`)).toBe('invoices_open_ck');
  });
  it('refuses a negative amount', async () => {
    expect(
      await refusedBy(`INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date)
                       VALUES ('X', 'C1', 'USD', -5, 0, '2025-01-01', '2025-01-31')`),
    ).toBe('invoices_amount_ck');
  });
  it('refuses a currency that is not three capital letters', async () => {
    expect(await refusedBy(`UPDATE invoices SET currency = 'usd' WHERE number = 'INV-2'`)).toBe('invoices_currency_ck');
  });
  it('refuses an unknown status', async () => {
    expect(await refusedBy(`UPDATE invoices SET status = 'closed' WHERE number = 'INV-1'`)).toBe('invoices_status_ck');
  });
  it('refuses "paid" while money is still owed, and accepts it at zero', async () => {
    expect(await refusedBy(`UPDATE invoices SET status = 'paid' WHERE number = 'INV-1'`)).toBe('invoices_paid_ck');
    await q(`UPDATE invoices SET status = 'paid', open_minor = 0 WHERE number = 'INV-1'`);
    const { rows } = await q(`SELECT status, open_minor FROM invoices WHERE number = 'INV-1'`);
    expect(rows[0]).toEqual({ status: 'paid', open_minor: 0 });
  });
  it('refuses an invoice for an unknown customer', async () => {
    expect(
      await refusedBy(`INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date)
                       VALUES ('X', 'NOPE', 'USD', 5, 5, '2025-01-01', '2025-01-31')`),
    ).toBe('invoices_customer_id_customers_id_fk');
  });
  it('refuses a duplicate invoice number', async () => {
    expect(
      await refusedBy(`INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date)
                       VALUES ('INV-1', 'C1', 'USD', 5, 5, '2025-01-01', '2025-01-31')`),
    ).toBe('invoices_pkey');
  });
});

describe('payments and their allocations', () => {
  it('refuses a zero or negative payment', async () => {
    expect(await refusedBy(`INSERT INTO payments (id, received_on, currency, amount_minor) VALUES ('Z', '2025-01-01', 'USD', 0)`)).toBe(
      'payments_amount_ck',
    );
  });
  it('refuses allocations that together exceed the payment', async () => {
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 6000)`);
    expect(
      await refusedBy(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-2', 2001)`),
    ).toBe('payment_applications_within_payment_ck');
    // Exactly the rest of the payment is fine.
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-2', 2000)`);
    const { rows } = await q(`SELECT sum(amount_minor)::int8 AS s FROM payment_applications WHERE payment_id = 'P1'`);
    expect(rows[0].s).toBe(8000);
  });
  it('refuses an allocation raised above the payment by UPDATE', async () => {
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 6000)`);
    expect(await refusedBy(`UPDATE payment_applications SET amount_minor = 8001 WHERE payment_id = 'P1'`)).toBe(
      'payment_applications_within_payment_ck',
    );
  });
  it('refuses allocations that together exceed the invoice amount', async () => {
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-2', 4000)`);
    expect(
      await refusedBy(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P2', 'INV-2', 1001)`),
    ).toBe('payment_applications_within_invoice_ck');
  });
  it('refuses an allocation across currencies', async () => {
    expect(await refusedBy(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-E', 100)`)).toBe(
      'payment_applications_currency_ck',
    );
  });
  it('refuses a zero allocation and a second allocation of the same pair', async () => {
    expect(await refusedBy(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 0)`)).toBe(
      'payment_applications_amount_ck',
    );
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 100)`);
    expect(await refusedBy(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 100)`)).toBe(
      'payment_applications_uq',
    );
  });
  it('refuses shrinking a payment below its allocations or changing its currency', async () => {
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 6000)`);
    expect(await refusedBy(`UPDATE payments SET amount_minor = 5999 WHERE id = 'P1'`)).toBe('payments_cover_allocations_ck');
    expect(await refusedBy(`UPDATE payments SET currency = 'EUR' WHERE id = 'P1'`)).toBe('payments_allocated_currency_ck');
    await q(`UPDATE payments SET amount_minor = 6000 WHERE id = 'P1'`);
  });
  it('refuses shrinking an invoice below the cash applied to it or changing its currency', async () => {
    await q(`INSERT INTO payment_applications (payment_id, invoice_number, amount_minor) VALUES ('P1', 'INV-1', 6000)`);
    await q(`UPDATE invoices SET open_minor = 4000 WHERE number = 'INV-1'`);
    expect(await refusedBy(`UPDATE invoices SET amount_minor = 5999, open_minor = 0 WHERE number = 'INV-1'`)).toBe(
      'invoices_cover_allocations_ck',
    );
    expect(await refusedBy(`UPDATE invoices SET currency = 'EUR' WHERE number = 'INV-1'`)).toBe('invoices_allocated_currency_ck');
    // An invoice without applications may still be corrected.
    await q(`UPDATE invoices SET currency = 'GBP' WHERE number = 'INV-2'`);
  });
});

describe('write-offs, credit notes, disputes, promises', () => {
  it('refuses a write-off in another currency than its invoice, or of zero', async () => {
    expect(
      await refusedBy(
        `INSERT INTO write_offs (id, invoice_number, currency, amount_minor, reason, approved_by) VALUES ('W1', 'INV-1', 'EUR', 10, 'x', 'ann')`,
      ),
    ).toBe('write_offs_invoice_currency_ck');
    expect(
      await refusedBy(
        `INSERT INTO write_offs (id, invoice_number, currency, amount_minor, reason, approved_by) VALUES ('W1', 'INV-1', 'USD', 0, 'x', 'ann')`,
      ),
    ).toBe('write_offs_amount_ck');
  });
  it('refuses a credit note in another currency than its invoice', async () => {
    expect(
      await refusedBy(
        `INSERT INTO credit_notes (id, customer_id, invoice_number, currency, amount_minor, issued_on) VALUES ('CN1', 'C1', 'INV-1', 'EUR', 10, '2025-02-01')`,
      ),
    ).toBe('credit_notes_invoice_currency_ck');
  });
  it('refuses unknown dispute and promise statuses', async () => {
    expect(await refusedBy(`INSERT INTO disputes (id, invoice_number, reason, status) VALUES ('D1', 'INV-1', 'pricing', 'maybe')`)).toBe(
      'disputes_status_ck',
    );
    expect(
      await refusedBy(
        `INSERT INTO promises (id, invoice_number, promised_date, currency, status) VALUES ('PR1', 'INV-1', '2025-03-01', 'USD', 'pending')`,
      ),
    ).toBe('promises_status_ck');
  });
});

describe('customers, contacts and the contact log', () => {
  it('refuses an unknown tier and an unreachable contact', async () => {
    expect(await refusedBy(`INSERT INTO customers (id, name, tier) VALUES ('C2', 'B', 'gold')`)).toBe('customers_tier_ck');
    expect(await refusedBy(`INSERT INTO contacts (customer_id, role, name) VALUES ('C1', 'billing', 'No Way')`)).toBe(
      'contacts_reachable_ck',
    );
    expect(await refusedBy(`INSERT INTO contacts (customer_id, role, email) VALUES ('C1', 'boss', 'a@b.c')`)).toBe('contacts_role_ck');
  });
  it('logs an account-level contact (no invoice) once per idempotency key', async () => {
    const insert = `INSERT INTO contact_log (idempotency_key, customer_id, invoice_number, channel, summary)
                    VALUES ('k1', 'C1', NULL, 'email', 'statement') ON CONFLICT DO NOTHING`;
    await q(insert);
    await q(insert);
    const { rows } = await q(`SELECT count(*)::int AS n FROM contact_log WHERE idempotency_key = 'k1'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('workflow starts', () => {
  it('keeps one workflow-start record per invoice and one invoice per workflow id', async () => {
    await q(`INSERT INTO workflow_starts (invoice_number, workflow_id) VALUES ('INV-1', 'invoice-INV-1')`);
    expect(await refusedBy(`INSERT INTO workflow_starts (invoice_number, workflow_id) VALUES ('INV-1', 'invoice-INV-1b')`)).toBe(
      'workflow_starts_pkey',
    );
    expect(await refusedBy(`INSERT INTO workflow_starts (invoice_number, workflow_id) VALUES ('INV-2', 'invoice-INV-1')`)).toBe(
      'workflow_starts_workflow_id_unique',
    );
    expect(await refusedBy(`INSERT INTO workflow_starts (invoice_number, workflow_id) VALUES ('NOPE', 'invoice-NOPE')`)).toBe(
      'workflow_starts_invoice_number_invoices_number_fk',
    );
  });
});

describe("proposals (the system's own records)", () => {
  it('keep no foreign keys into the built-in ledger (migration 0006): the ledger may be an ERP', async () => {
    const { rows } = await q(`SELECT conname FROM pg_constraint WHERE conrelid = 'proposals'::regclass AND contype = 'f' ORDER BY conname`);
    expect(rows).toEqual([]);
    await q(`INSERT INTO proposals (id, workflow_id, invoice_number, customer_id, action_kind, step_key, tone, subject, body, reasoning,
               policy_version, currency, amount_minor)
             VALUES ('P-ERP', 'invoice-ERP-1', 'ERP-1', 'ERP-C', 'reminder', 'r1', 'friendly', 's', 'b', 'r', 1, 'USD', 100)
             ON CONFLICT (id) DO NOTHING`);
    const { rows: kept } = await q(`SELECT invoice_number FROM proposals WHERE id = 'P-ERP'`);
    expect(kept).toEqual([{ invoice_number: 'ERP-1' }]);
  });
});
