/**
 * The built-in ledger's tables: customers, contacts, invoices, payments and their applications,
 * credit notes, disputes, promises, write-offs and the contact log. They are ledger/'s own: every
 * other room reaches the ledger through ledger/port.ts (or a read model in ledger/read-models/),
 * so an ERP can stand in for them. db/schema.ts re-exports them for drizzle-kit and migrations.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
  bigserial,
} from 'drizzle-orm/pg-core';
import { createdAt, currency, money, updatedAt } from '../db/columns';

export const TIERS = ['strategic', 'standard', 'small'] as const;
export type Tier = (typeof TIERS)[number];

export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    tier: text('tier', { enum: TIERS }).notNull(),
    segment: text('segment').notNull().default('default'),
    riskScore: integer('risk_score').notNull().default(50),
    noTouch: boolean('no_touch').notNull().default(false),
    timezone: text('timezone').notNull().default('UTC'),
    locale: text('locale').notNull().default('en-US'),
    paymentTermsDays: integer('payment_terms_days').notNull().default(30),
    /** An account pause (POST /api/customers/:id/pause): invoices that arrive while it holds start paused. */
    pausedBy: text('paused_by'),
    pauseReason: text('pause_reason'),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('customers_tier_ck', sql`${t.tier} in ('strategic','standard','small')`),
    check('customers_risk_ck', sql`${t.riskScore} between 0 and 100`),
    check(
      'customers_pause_ck',
      sql`(${t.pausedBy} is null and ${t.pauseReason} is null and ${t.pausedAt} is null) or (${t.pausedBy} is not null and ${t.pauseReason} is not null and ${t.pausedAt} is not null)`,
    ),
  ],
);

export const CONTACT_ROLES = ['billing', 'decision_maker', 'other'] as const;

export const contacts = pgTable(
  'contacts',
  {
    id: serial('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    role: text('role', { enum: CONTACT_ROLES }).notNull().default('billing'),
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    /** A hard bounce (Resend webhook): nothing is sent to this address until a person fixes it. */
    emailInvalidAt: timestamp('email_invalid_at', { withTimezone: true }),
    emailInvalidReason: text('email_invalid_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('contacts_customer_role_email_uq').on(t.customerId, t.role, t.email),
    check('contacts_reachable_ck', sql`${t.email} is not null or ${t.phone} is not null`),
    check('contacts_role_ck', sql`${t.role} in ('billing','decision_maker','other')`),
  ],
);

export const INVOICE_STATUSES = ['open', 'paid', 'disputed', 'written_off', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const invoices = pgTable(
  'invoices',
  {
    number: text('number').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    currency: currency(),
    amountMinor: money('amount_minor').notNull(),
    openMinor: money('open_minor').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    terms: text('terms'),
    poNumber: text('po_number'),
    status: text('status', { enum: INVOICE_STATUSES }).notNull().default('open'),
    noTouch: boolean('no_touch').notNull().default(false),
    /**
     * True when open_minor was stated by the ERP export (the invoice import's open_amount): that
     * balance already reflects the payments the ERP knew, so importing those payments records
     * their applications without reducing it again. False: open_minor is derived by this ledger
     * (amount − applications − write-offs − credit notes).
     */
    openStated: boolean('open_stated').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('invoices_amount_ck', sql`${t.amountMinor} >= 0`),
    check('invoices_open_ck', sql`${t.openMinor} >= 0 and ${t.openMinor} <= ${t.amountMinor}`),
    check('invoices_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('invoices_status_ck', sql`${t.status} in ('open','paid','disputed','written_off','void')`),
    // "Paid" with money still owed would stop collection on a debt that is not settled.
    check('invoices_paid_ck', sql`${t.status} <> 'paid' or ${t.openMinor} = 0`),
    index('invoices_customer_idx').on(t.customerId),
    index('invoices_status_idx').on(t.status),
    // The ERP port pages open invoices by number (a key that never changes while paging).
    index('invoices_open_number_idx').on(t.number).where(sql`${t.status} = 'open'`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    currency: currency(),
    amountMinor: money('amount_minor').notNull(),
    payer: text('payer'),
    reference: text('reference'),
    source: text('source').notNull().default('import'),
    createdAt: createdAt(),
  },
  (t) => [check('payments_amount_ck', sql`${t.amountMinor} > 0`), check('payments_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`)],
);

/** Allocations of a payment to invoices. A trigger (see migration) keeps their sum within the payment. */
export const paymentApplications = pgTable(
  'payment_applications',
  {
    id: serial('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => payments.id),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    amountMinor: money('amount_minor').notNull(),
    appliedBy: text('applied_by').notNull().default('system'),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payment_applications_uq').on(t.paymentId, t.invoiceNumber),
    // Cash applied per invoice: the allocation trigger, open-balance derivation and readiness sum by invoice.
    index('payment_applications_invoice_idx').on(t.invoiceNumber),
    check('payment_applications_amount_ck', sql`${t.amountMinor} > 0`),
  ],
);

export const creditNotes = pgTable(
  'credit_notes',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    invoiceNumber: text('invoice_number').references(() => invoices.number),
    currency: currency(),
    amountMinor: money('amount_minor').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    index('credit_notes_invoice_idx').on(t.invoiceNumber),
    check('credit_notes_amount_ck', sql`${t.amountMinor} > 0`),
    check('credit_notes_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const DISPUTE_STATUSES = ['open', 'resolved_invalid', 'resolved_credit', 'resolved_write_off'] as const;

export const disputes = pgTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    reason: text('reason').notNull(),
    note: text('note'),
    owner: text('owner'),
    deadline: date('deadline', { mode: 'string' }),
    status: text('status', { enum: DISPUTE_STATUSES }).notNull().default('open'),
    resolution: jsonb('resolution'),
    openedBy: text('opened_by'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    index('disputes_status_idx').on(t.status),
    check('disputes_status_ck', sql`${t.status} in ('open','resolved_invalid','resolved_credit','resolved_write_off')`),
  ],
);

export const promises = pgTable(
  'promises',
  {
    id: text('id').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    promisedDate: date('promised_date', { mode: 'string' }).notNull(),
    currency: currency(),
    amountMinor: money('amount_minor'),
    status: text('status', { enum: ['open', 'kept', 'broken'] })
      .notNull()
      .default('open'),
    loggedBy: text('logged_by'),
    createdAt: createdAt(),
  },
  (t) => [
    check('promises_amount_ck', sql`${t.amountMinor} is null or ${t.amountMinor} > 0`),
    check('promises_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('promises_status_ck', sql`${t.status} in ('open','kept','broken')`),
  ],
);

/** The ledger's record that a customer was contacted (ERP port: recordContact). */
export const contactLog = pgTable(
  'contact_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    invoiceNumber: text('invoice_number').references(() => invoices.number),
    channel: text('channel').notNull(),
    summary: text('summary').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  // NULLS NOT DISTINCT: a retried account-level contact (no invoice) must not log twice.
  (t) => [unique('contact_log_key_uq').on(t.idempotencyKey, t.invoiceNumber).nullsNotDistinct()],
);

export const writeOffs = pgTable(
  'write_offs',
  {
    id: text('id').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    currency: currency(),
    amountMinor: money('amount_minor').notNull(),
    reason: text('reason').notNull(),
    approvedBy: text('approved_by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('write_offs_invoice_idx').on(t.invoiceNumber),
    check('write_offs_amount_ck', sql`${t.amountMinor} > 0`),
    check('write_offs_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);
