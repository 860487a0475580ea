/**
 * Cash application's own records: the bank files imported, the statements they held and each
 * bank transaction with what cash application decided about it. The system's own tables (no
 * foreign keys into the ledger, which may be an ERP). Idempotency lives in the keys: a file by its
 * SHA-256, a statement by (account, the bank's statement id), a transaction by (statement, position).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, currency, money, updatedAt } from './columns';

export const BANK_TX_STATUSES = ['applied', 'proposed', 'unapplied', 'ignored'] as const;
export type BankTxStatus = (typeof BANK_TX_STATUSES)[number];

/** One imported file, by content: the same bytes imported twice are recognised before anything is parsed into storage. */
export const bankFiles = pgTable('bank_files', {
  sha256: text('sha256').primaryKey(),
  fileName: text('file_name').notNull(),
  format: text('format').notNull(),
  byteSize: integer('byte_size').notNull(),
  importedBy: text('imported_by').notNull(),
  createdAt: createdAt(),
});

export const bankStatements = pgTable(
  'bank_statements',
  {
    /** The statement key, also the cash workflow's id after "cash-": the bank's id, qualified by the account when it is not already. */
    id: text('id').primaryKey(),
    fileSha256: text('file_sha256')
      .notNull()
      .references(() => bankFiles.sha256),
    statementId: text('statement_id').notNull(),
    accountId: text('account_id').notNull(),
    iban: text('iban'),
    format: text('format').notNull(),
    currency: currency(),
    openingBalance: jsonb('opening_balance'),
    closingBalance: jsonb('closing_balance'),
    transactionCount: integer('transaction_count').notNull(),
    /** Entries refused under --skip-invalid: where, what and which rule. */
    rejected: jsonb('rejected').notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    // The same statement re-exported in another file (other bytes) is still the same statement.
    uniqueIndex('bank_statements_account_statement_uq').on(t.accountId, t.statementId),
    check('bank_statements_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const bankTransactions = pgTable(
  'bank_transactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    statementKey: text('statement_key')
      .notNull()
      .references(() => bankStatements.id),
    /** Position in the statement, from 1: with the statement key, the transaction's natural key. */
    seq: integer('seq').notNull(),
    entryRef: text('entry_ref'),
    bookingDate: date('booking_date', { mode: 'string' }).notNull(),
    valueDate: date('value_date', { mode: 'string' }),
    amountMinor: money('amount_minor').notNull(),
    currency: currency(),
    direction: text('direction', { enum: ['credit', 'debit'] }).notNull(),
    payerName: text('payer_name'),
    payerAccount: text('payer_account'),
    remittance: text('remittance').notNull().default(''),
    structuredRefs: jsonb('structured_refs').$type<string[]>().notNull().default([]),
    endToEndId: text('end_to_end_id'),
    isReturn: boolean('is_return').notNull().default(false),
    returnReason: text('return_reason'),
    bankTxCode: text('bank_tx_code'),
    additionalInfo: text('additional_info'),
    booked: boolean('booked').notNull().default(true),
    raw: text('raw').notNull(),
    location: text('location').notNull(),
    status: text('status', { enum: BANK_TX_STATUSES }).notNull().default('unapplied'),
    /** The matcher's confidence in [0, 1]; null before matching and for what is never matched (debits). */
    confidence: doublePrecision('confidence'),
    customerId: text('customer_id'),
    /** [{invoiceNumber, amountMinor}]: the applied ones, or the proposal's while proposed. */
    allocations: jsonb('allocations').$type<{ invoiceNumber: string; amountMinor: number }[]>().notNull().default([]),
    /** The matcher's top alternatives, for the person who reviews a proposal. */
    candidates: jsonb('candidates').notNull().default([]),
    /** The matcher's short payment on the allocation, if any: what becomes a deduction dispute when applied. */
    shortPayment: jsonb('short_payment').$type<{ invoiceNumber: string; shortMinor: number; kind: 'fees' | 'partial' | 'deduction' }>(),
    /** Evidence and decisions in plain sentences. */
    reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
    /** For a return: the credit it returns, whose application it reversed. */
    returnsTransactionId: bigint('returns_transaction_id', { mode: 'number' }),
    /** Bumped by each unapply: ledger payment ids carry it, so applying again after an unapply posts afresh. */
    applyRound: integer('apply_round').notNull().default(0),
    policyVersion: integer('policy_version'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('bank_transactions_statement_seq_uq').on(t.statementKey, t.seq),
    index('bank_transactions_status_idx').on(t.status),
    index('bank_transactions_e2e_idx').on(t.endToEndId),
    check('bank_transactions_amount_ck', sql`${t.amountMinor} > 0`),
    check('bank_transactions_currency_ck', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check('bank_transactions_confidence_ck', sql`${t.confidence} is null or (${t.confidence} >= 0 and ${t.confidence} <= 1)`),
    // Debits are stored for the record and never matched.
    check('bank_transactions_debit_ignored_ck', sql`${t.direction} = 'credit' or ${t.status} = 'ignored'`),
  ],
);
