/**
 * The built-in ledger and the system's own records. Money columns are bigint minor units
 * (read as JS numbers: every amount is checked to be a safe integer at the edge).
 * Constraints make bad states impossible rather than merely unlikely.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const money = (name: string) => bigint(name, { mode: 'number' });
const currency = (name = 'currency') => text(name).notNull();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('customers_tier_ck', sql`${t.tier} in ('strategic','standard','small')`),
    check('customers_risk_ck', sql`${t.riskScore} between 0 and 100`),
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
  (t) => [
    check('payments_amount_ck', sql`${t.amountMinor} > 0`),
    check('payments_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
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

export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'superseded', 'withdrawn'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** A drafted action waiting for (or decided by) a person. Its id is derived from the workflow and step. */
export const proposals = pgTable(
  'proposals',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    actionKind: text('action_kind').notNull(),
    stepKey: text('step_key').notNull(),
    tone: text('tone').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    reasoning: text('reasoning').notNull(),
    policyVersion: integer('policy_version').notNull(),
    currency: currency(),
    amountMinor: money('amount_minor').notNull(),
    status: text('status', { enum: PROPOSAL_STATUSES }).notNull().default('pending'),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    editedSubject: text('edited_subject'),
    editedBody: text('edited_body'),
    createdAt: createdAt(),
  },
  (t) => [index('proposals_status_idx').on(t.status, t.createdAt)],
);

/** Every customer-facing action and decision, with its reasoning, policy version and approver. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    workflowId: text('workflow_id'),
    invoiceNumber: text('invoice_number'),
    customerId: text('customer_id'),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    reasoning: text('reasoning'),
    policyVersion: integer('policy_version'),
    approvedBy: text('approved_by'),
    details: jsonb('details'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('audit_log_key_uq').on(t.idempotencyKey),
    index('audit_log_invoice_idx').on(t.invoiceNumber),
  ],
);

export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    customerId: text('customer_id').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    invoiceNumbers: jsonb('invoice_numbers').$type<string[]>().notNull(),
    status: text('status', { enum: ['queued', 'sent', 'logged', 'failed'] })
      .notNull()
      .default('queued'),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('email_outbox_key_uq').on(t.idempotencyKey)],
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

/** Versioned policy documents (ladders, caps, windows, autonomy). The highest version is in force. */
export const policies = pgTable('policies', {
  version: integer('version').primaryKey(),
  body: jsonb('body').notNull(),
  note: text('note'),
  createdBy: text('created_by').notNull().default('system'),
  createdAt: createdAt(),
});

/** Rollout decisions: what changed in the autonomy policy and the metrics that justified it. */
export const autonomyChanges = pgTable('autonomy_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  policyVersion: integer('policy_version').notNull(),
  change: jsonb('change').notNull(),
  metrics: jsonb('metrics'),
  decidedBy: text('decided_by').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

export const ROLES = ['viewer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: ROLES }).notNull(),
  createdAt: createdAt(),
});

/**
 * An approver's approval limits, one per currency: decides proposals up to limit_minor in that
 * currency, and none in a currency without a row. A user without rows is unlimited.
 */
export const userLimits = pgTable(
  'user_limits',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    currency: currency(),
    limitMinor: money('limit_minor').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.currency] }),
    check('user_limits_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('user_limits_amount_ck', sql`${t.limitMinor} >= 0`),
  ],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash)],
);

/** One workflow-start record per invoice: the sync's idempotency anchor. */
export const workflowStarts = pgTable('workflow_starts', {
  invoiceNumber: text('invoice_number')
    .primaryKey()
    .references(() => invoices.number),
  workflowId: text('workflow_id').notNull().unique(),
  startedAt: createdAt(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
});

