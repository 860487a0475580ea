/**
 * What the readiness report (insights/readiness.ts) reads from the built-in ledger: customers
 * with their contacts and currencies, open invoices with their derived balances, and payments per
 * segment and currency with how much of each was applied. The rules live in insights/.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';

async function rows<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(q)).rows as T[];
}

export async function loadReadinessCustomerRows(db: Db) {
  const [customers, contacts, invoiceCurrencies, paymentCurrencies] = await Promise.all([
    rows<{ id: string; segment: string; no_touch: boolean; timezone: string }>(
      db,
      sql`SELECT id, segment, no_touch, timezone FROM customers`,
    ),
    rows<{ customer_id: string; any_email: boolean; dm_email: boolean }>(
      db,
      sql`SELECT customer_id, bool_or(email IS NOT NULL) AS any_email, bool_or(role = 'decision_maker' AND email IS NOT NULL) AS dm_email
          FROM contacts GROUP BY customer_id`,
    ),
    rows<{ customer_id: string; currency: string; n: number }>(
      db,
      sql`SELECT customer_id, currency, count(*)::int8 AS n FROM invoices WHERE status <> 'void' GROUP BY 1, 2`,
    ),
    rows<{ customer_id: string; currency: string }>(
      db,
      sql`SELECT DISTINCT customer_id, currency FROM payments WHERE customer_id IS NOT NULL`,
    ),
  ]);
  return { customers, contacts, invoiceCurrencies, paymentCurrencies };
}

/** Open and disputed invoices with the balance their recorded movements give (derived_minor). */
export async function loadReadinessOpenInvoices(db: Db) {
  return rows<{
    number: string;
    customer_id: string;
    currency: string;
    amount_minor: number;
    open_minor: number;
    derived_minor: number;
    issue_date: string;
    due_date: string;
    terms: string | null;
    po_number: string | null;
  }>(
    db,
    sql`SELECT i.number, i.customer_id, i.currency, i.amount_minor, i.open_minor, i.issue_date, i.due_date, i.terms, i.po_number,
               (i.amount_minor - coalesce(a.s, 0) - coalesce(w.s, 0) - coalesce(n.s, 0))::int8 AS derived_minor
        FROM invoices i
        LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS s FROM payment_applications GROUP BY 1) a ON a.invoice_number = i.number
        LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS s FROM write_offs GROUP BY 1) w ON w.invoice_number = i.number
        LEFT JOIN (SELECT invoice_number, sum(amount_minor) AS s FROM credit_notes GROUP BY 1) n ON n.invoice_number = i.number
        WHERE i.status IN ('open', 'disputed')`,
  );
}

/** Payments per customer segment (null: no known customer) and currency, and how much of them is applied. */
export async function loadReadinessPaymentRows(db: Db) {
  return rows<{ segment: string | null; currency: string; n: number; applied: number; total: number; applied_minor: number }>(
    db,
    sql`SELECT c.segment, p.currency, count(*)::int8 AS n, count(a.s)::int8 AS applied,
               sum(p.amount_minor)::int8 AS total, coalesce(sum(a.s), 0)::int8 AS applied_minor
        FROM payments p
        LEFT JOIN customers c ON c.id = p.customer_id
        LEFT JOIN (SELECT payment_id, sum(amount_minor) AS s FROM payment_applications GROUP BY 1) a ON a.payment_id = p.id
        GROUP BY 1, 2`,
  );
}
