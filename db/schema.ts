/**
 * The system's own records (proposals, audit trail, outbox, policies, users, workflow starts),
 * with the built-in ledger's tables re-exported from ledger/builtin-schema.ts so drizzle-kit and
 * the migrations see one schema. Money columns are bigint minor units (read as JS numbers: every
 * amount is checked to be a safe integer at the edge). Constraints make bad states impossible
 * rather than merely unlikely.
 */
import { sql } from 'drizzle-orm';
import {
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
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, currency, money } from './columns';
import { invoices } from '../ledger/builtin-schema';
import { EDIT_CATEGORIES } from '../domain/edit-categories';

export * from '../ledger/builtin-schema';
export * from './cash-schema';

export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'superseded', 'withdrawn'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/**
 * A drafted action waiting for (or decided by) a person. Its id is derived from the workflow and step.
 * The system's own record: no foreign keys into the ledger, which may be an ERP rather than these tables.
 */
export const proposals = pgTable(
  'proposals',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    invoiceNumber: text('invoice_number').notNull(),
    customerId: text('customer_id').notNull(),
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
    /** What the approver's edits changed (domain/edit-categories.ts), and why in their words. */
    editCategory: text('edit_category', { enum: EDIT_CATEGORIES }),
    editNote: text('edit_note'),
    /** Shadow mode: the rollout scope under which the system would have sent this draft on its own. */
    shadowScope: text('shadow_scope'),
    createdAt: createdAt(),
  },
  (t) => [
    index('proposals_status_idx').on(t.status, t.createdAt),
    check(
      'proposals_edit_category_known',
      sql.raw(`edit_category is null or edit_category in (${EDIT_CATEGORIES.map((c) => `'${c}'`).join(', ')})`),
    ),
  ],
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
  (t) => [uniqueIndex('audit_log_key_uq').on(t.idempotencyKey), index('audit_log_invoice_idx').on(t.invoiceNumber)],
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
    /** The provider's id for this message: present means it was accepted, and it is never sent again. */
    providerMessageId: text('provider_message_id'),
    /** When the provider accepted it (the id above was recorded). */
    providerAcceptedAt: timestamp('provider_accepted_at', { withTimezone: true }),
    /** The first call to the provider: past its idempotency window a repeat could be a second email. */
    sendAttemptedAt: timestamp('send_attempted_at', { withTimezone: true }),
    error: text('error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /**
     * When the contact caps count this message: the clock of the workflow that sent it (the Temporal
     * server's), so caps measured in workflow time agree with it. Rows from before it count at created_at.
     */
    contactAt: timestamp('contact_at', { withTimezone: true }),
  },
  // By customer: a message claimed under the caps counts the customer's earlier ones (outreach/contact-claim.ts).
  (t) => [uniqueIndex('email_outbox_key_uq').on(t.idempotencyKey), index('email_outbox_customer_idx').on(t.customerId)],
);

/**
 * The kill switch (`ar sends pause/resume`): one row; while `held`, outreach holds every outgoing
 * message, all channels and customers, and the workflows keep their schedules.
 */
export const sendsSwitch = pgTable(
  'sends_switch',
  {
    id: integer('id').primaryKey().default(1),
    held: boolean('held').notNull().default(false),
    reason: text('reason'),
    changedBy: text('changed_by').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('sends_switch_one_row_ck', sql`${t.id} = 1`),
    check('sends_switch_reason_ck', sql`not ${t.held} or ${t.reason} is not null`),
  ],
);

/**
 * Delivery events from the provider (POST /webhooks/resend), one row per webhook id: a replayed
 * event finds its row and changes nothing. The circuit breaker counts bounces and complaints here.
 */
export const deliveryEvents = pgTable(
  'delivery_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    providerMessageId: text('provider_message_id'),
    toAddress: text('to_address'),
    customerId: text('customer_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    payload: jsonb('payload').notNull(),
  },
  (t) => [index('delivery_events_type_at_idx').on(t.type, t.occurredAt)],
);

/** Versioned policy documents (ladders, caps, windows, autonomy). The highest version is in force. */
export const policies = pgTable('policies', {
  version: integer('version').primaryKey(),
  body: jsonb('body').notNull(),
  note: text('note'),
  createdBy: text('created_by').notNull().default('system'),
  createdAt: createdAt(),
});

export const POLICY_FANOUT_STATUSES = ['running', 'done', 'failed', 'superseded'] as const;

/**
 * The background fan-out of one policy version (policy/workflow.ts): how far telling the running
 * workflows has got. Written at publish (running), after each page and at the end, so
 * `ar policy status` and GET /api/policy/status answer from here without asking Temporal.
 */
export const policyFanouts = pgTable(
  'policy_fanouts',
  {
    version: integer('version')
      .primaryKey()
      .references(() => policies.version),
    workflowId: text('workflow_id').notNull(),
    status: text('status', { enum: POLICY_FANOUT_STATUSES }).notNull().default('running'),
    /** The workflows it is to tell (those of `scope` and every running outreach workflow), counted when it began (null until counted). */
    total: integer('total'),
    /** Who the fan-out tells and why: the versions and tiers whose plans the new version changes (null until counted). */
    scope: text('scope'),
    invoicesSignalled: integer('invoices_signalled').notNull().default(0),
    outreachSignalled: integer('outreach_signalled').notNull().default(0),
    /** Listed as running, gone by the time of the signal: nothing to tell. */
    notFound: integer('not_found').notNull().default(0),
    /** Signals refused for another reason (those workflows still read the version at their next step). */
    failed: integer('failed').notNull().default(0),
    pages: integer('pages').notNull().default(0),
    errors: jsonb('errors').$type<string[]>().notNull().default([]),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [check('policy_fanouts_status_ck', sql`${t.status} in ('running','done','failed','superseded')`)],
);

/**
 * Rollout decisions (rollout/): every evaluation and admin action of the ar-rollout workflow, what
 * it saw (metrics) and what it changed; a phase change names the policy version that carries it.
 */
export const autonomyChanges = pgTable(
  'autonomy_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    policyVersion: integer('policy_version').notNull(),
    change: jsonb('change').notNull(),
    metrics: jsonb('metrics'),
    decidedBy: text('decided_by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** `ar-rollout/<first run of the chain>/<decision seq>`: a retried activity records a decision once. */
    idempotencyKey: text('idempotency_key'),
    kind: text('kind'),
    fromPhase: integer('from_phase'),
    toPhase: integer('to_phase'),
    forced: boolean('forced').notNull().default(false),
    note: text('note'),
  },
  (t) => [uniqueIndex('autonomy_changes_key_uq').on(t.idempotencyKey), index('autonomy_changes_at_idx').on(t.at)],
);

export const REVIEW_VERDICTS = ['right', 'wrong'] as const;
export const REVIEW_KINDS = ['content', 'tone', 'timing', 'recipient', 'bounce', 'complaint', 'other'] as const;

/**
 * The review queue: the sampled share (the scope's reviewSampleRate) of autonomous actions, each
 * marked right or wrong by a person with a reason. Wrong marks, bounces and complaints feed demotion.
 */
export const autonomyReviews = pgTable(
  'autonomy_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The audit row of the autonomous action (`<workflow id>/<step>/sent`). */
    auditKey: text('audit_key').notNull(),
    workflowId: text('workflow_id'),
    invoiceNumber: text('invoice_number'),
    customerId: text('customer_id'),
    scopeId: text('scope_id'),
    policyVersion: integer('policy_version'),
    subject: text('subject'),
    reasoning: text('reasoning'),
    sampledAt: timestamp('sampled_at', { withTimezone: true }).notNull().defaultNow(),
    verdict: text('verdict', { enum: REVIEW_VERDICTS }),
    kind: text('kind', { enum: REVIEW_KINDS }),
    reason: text('reason'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('autonomy_reviews_audit_uq').on(t.auditKey),
    index('autonomy_reviews_open_idx').on(t.verdict, t.sampledAt),
    check('autonomy_reviews_verdict_ck', sql`${t.verdict} is null or ${t.verdict} in ('right','wrong')`),
    check('autonomy_reviews_reason_ck', sql`${t.verdict} is null or (${t.reason} is not null and ${t.reviewedBy} is not null)`),
  ],
);

export const METRIC_SNAPSHOT_KINDS = ['daily', 'baseline'] as const;

/**
 * Stored metrics (insights/snapshots.ts): a daily snapshot per as-of date (the schedule's, written
 * once), and baselines a person takes before a pilot. Trends are read from here, never recomputed.
 */
export const metricSnapshots = pgTable(
  'metric_snapshots',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: METRIC_SNAPSHOT_KINDS }).notNull(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    note: text('note'),
    takenBy: text('taken_by').notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull().defaultNow(),
    report: jsonb('report').notNull(),
  },
  (t) => [
    check('metric_snapshots_kind_ck', sql`${t.kind} in ('daily','baseline')`),
    // One daily snapshot per date: a retried or re-triggered schedule run writes nothing new.
    uniqueIndex('metric_snapshots_daily_uq').on(t.asOf).where(sql`${t.kind} = 'daily'`),
  ],
);

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
