/**
 * Request and response schemas of the admin API. Fields that end up in a workflow message
 * reuse the payload schemas of collections/message-schemas.ts, so the edge and the workflow's Update
 * validators apply the same rules. Every request object is strict: an unknown field is a 400.
 */
import { z } from 'zod';
import { DISPUTE_STATUSES, PROPOSAL_STATUSES, TIERS } from '../../db/schema';
import { messageSchemas } from '../../collections/message-schemas';
import { EDIT_CATEGORIES } from '../../domain/edit-categories';

// The edge builds the workflows' own payload schemas once, at load: both check the same rules.
export const {
  decision: decisionSchema,
  paymentApplied: paymentAppliedSchema,
  promiseToPay: promiseToPaySchema,
  disputeOpened: disputeOpenedSchema,
  disputeResolved: disputeResolvedSchema,
  pause: pauseSchema,
  resume: resumeSchema,
} = messageSchemas();
import { isCurrency } from '../../domain/money';
import { policySchema } from '../../domain/policy';

// --- building blocks ---

/** A decimal amount as text; parsed exactly (domain/money parseDecimal) in the invoice's currency. */
const decimalAmount = z
  .string()
  .max(24, 'must be at most 24 characters')
  .regex(/^\d+(\.\d+)?$/, 'must be a positive decimal amount such as "123.45" (digits and an optional ".", no sign, spaces or separators)');

const currencyCode = z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD');
const isoDate = promiseToPaySchema.shape.date;

const count = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const pagination = {
  limit: count(1, 200).optional(),
  cursor: z.string().min(1).max(500).optional(),
};

// --- queries ---

export const approvalsQuery = z
  .object({
    status: z.enum([...PROPOSAL_STATUSES, 'all']).default('pending'),
    /** Customer id (exact) or part of the customer's name (case-insensitive). */
    customer: z.string().min(1).max(200).optional(),
    tier: z.enum(TIERS).optional(),
    currency: currencyCode.optional(),
    min_amount: decimalAmount.optional(),
    max_amount: decimalAmount.optional(),
    /** `me`: only what the signed-in user may decide (role and approval limit per currency). */
    decidable: z.enum(['me']).optional(),
    /** `cash_match`: the cash-match proposals (bank credits waiting for a person) instead of the reminder proposals. */
    kind: z.enum(['reminder', 'cash_match']).optional(),
    page: count(1, 100_000).optional(),
    ...pagination,
  })
  .strict()
  .refine((q) => q.min_amount === undefined || q.currency !== undefined, {
    path: ['min_amount'],
    message: 'needs currency: amounts in different currencies do not compare',
  })
  .refine((q) => q.max_amount === undefined || q.currency !== undefined, {
    path: ['max_amount'],
    message: 'needs currency: amounts in different currencies do not compare',
  })
  .refine((q) => q.page === undefined || q.cursor === undefined, { path: ['page'], message: 'cannot be combined with cursor' });
export type ApprovalsQuery = z.output<typeof approvalsQuery>;

export const disputesQuery = z
  .object({
    status: z.enum([...DISPUTE_STATUSES, 'resolved', 'all']).default('open'),
    owner: z.string().min(1).max(200).optional(),
    invoice: z.string().min(1).max(200).optional(),
    ...pagination,
  })
  .strict();
export type DisputesQuery = z.output<typeof disputesQuery>;

/** `GET /api/invoices`: open invoices a person looks for (applying cash by hand, say). */
export const openInvoicesQuery = z
  .object({
    /** Part of the invoice number (spaces and dashes optional), PO number, customer id or name. */
    q: z.string().min(1).max(200).optional(),
    currency: currencyCode.optional(),
    limit: count(1, 100).optional(),
  })
  .strict();

export const openInvoicesOut = z.object({
  items: z.array(
    z.object({
      number: z.string(),
      customerId: z.string(),
      customerName: z.string(),
      currency: z.string(),
      amount: z.string().describe('decimal string in the currency'),
      openAmount: z.string().describe('decimal string in the currency'),
      openMinor: z.number().int(),
      dueDate: z.string(),
      status: z.string(),
    }),
  ),
  total: z.number().int(),
});

/** `GET /api/metrics`: the same options as `ar metrics`. */
export const metricsQuery = z
  .object({
    asOf: isoDate.optional(),
    from: isoDate.optional(),
    dsoDays: count(1, 3660).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.asOf === undefined || q.from <= q.asOf, { path: ['from'], message: 'must not be after asOf' });

export const decisionMetricsQuery = z
  .object({
    asOf: isoDate.optional().describe('the window ends with this date (UTC); default now'),
    windowDays: count(1, 366).optional().describe('days back from the end; default 30'),
  })
  .strict();

export const metricsHistoryQuery = z.object({ kind: z.enum(['daily', 'baseline']).optional(), limit: count(1, 1000).optional() }).strict();

// --- bodies ---

export const approveBody = z
  .object({
    note: decisionSchema.shape.note,
    edits: decisionSchema.shape.edits.refine((e) => !e || e.subject !== undefined || e.body !== undefined, 'must change subject or body'),
    editCategory: decisionSchema.shape.editCategory.describe(`What the edits changed: ${EDIT_CATEGORIES.join(', ')}. Required with edits.`),
    editNote: decisionSchema.shape.editNote.describe("Why, in the approver's words (optional, with edits)"),
  })
  .strict()
  // The tuning table needs to know what approvers change: an edit without its category teaches nothing.
  .refine((b) => !b.edits || b.editCategory !== undefined, {
    path: ['editCategory'],
    message: `is required with edits: one of ${EDIT_CATEGORIES.join(', ')}`,
  })
  .refine((b) => !!b.edits || (b.editCategory === undefined && b.editNote === undefined), {
    path: ['editCategory'],
    message: 'goes with edits: approve as drafted carries no edit category or note',
  });

export const rejectBody = z
  .object({
    reason: decisionSchema.shape.reason.unwrap(),
    note: decisionSchema.shape.note,
  })
  .strict();

export const promiseBody = z.object({ date: isoDate, amount: decimalAmount.optional() }).strict();

export const disputeBody = z.object({ reason: disputeOpenedSchema.shape.reason, note: disputeOpenedSchema.shape.note }).strict();

export const pauseBody = z.object({ reason: pauseSchema.shape.reason }).strict();
export const resumeBody = z.object({}).strict();

export const paymentBody = z.object({ amount: decimalAmount, date: isoDate, reference: z.string().min(1).max(200).optional() }).strict();

export const resolveDisputeBody = z
  .object({
    outcome: disputeResolvedSchema.shape.outcome,
    credit_amount: decimalAmount.optional(),
    note: disputeResolvedSchema.shape.note,
  })
  .strict()
  .refine((b) => b.outcome !== 'credit' || b.credit_amount !== undefined, {
    path: ['credit_amount'],
    message: 'is required when outcome is "credit"',
  })
  .refine((b) => b.outcome === 'credit' || b.credit_amount === undefined, {
    path: ['credit_amount'],
    message: 'only goes with outcome "credit"',
  });

// --- responses (documentation; the handlers build these shapes) ---

const moneyOut = z.object({
  amount: z.string().describe('decimal, e.g. "1234.50"'),
  minor: z.number().int().describe('integer minor units'),
  currency: z.string(),
});

export const errorOut = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    value: z.unknown().optional(),
    rule: z.string().optional(),
    proposal: z.unknown().optional().describe('409 on a proposal: its current state'),
  }),
});

const currencyMetricsOut = z.object({
  arOpen: z.string(),
  current: z.string(),
  aging: z.object({ current: z.string(), '1-30': z.string(), '31-60': z.string(), '61-90': z.string(), '90+': z.string() }),
  creditSales: z.string().describe('credit sales over the DSO window [asOf − dsoDays + 1, asOf]'),
  creditSalesPeriod: z.string().describe('credit sales over [from, asOf]'),
  dsoStandardDays: z.number().nullable(),
  dsoCountbackDays: z.number().nullable(),
  ceiPercent: z.number().nullable(),
  cashCollected: z.string(),
});

export const metricsOut = z
  .object({
    asOf: z.string(),
    from: z.string(),
    dsoDays: z.number().int(),
    dsoWindowFrom: z.string(),
    byCurrency: z.record(z.string(), currencyMetricsOut),
    byTier: z.record(z.string(), z.record(z.string(), currencyMetricsOut)),
    bySegment: z.record(z.string(), z.record(z.string(), currencyMetricsOut)),
    definitions: z.record(z.string(), z.string()),
  })
  .describe('What `ar metrics --json` prints: amounts as decimal strings in each currency, days and percent to 2 decimals');

const rateOut = z.object({
  numerator: z.number().int(),
  count: z.number().int(),
  rate: z.number().nullable(),
  lower: z.number().nullable().describe('Wilson 95% interval'),
  upper: z.number().nullable(),
});

export const decisionMetricsOut = z
  .looseObject({
    asOf: z.string(),
    windowFrom: z.string(),
    windowDays: z.number(),
    decisions: z.number().int(),
    scopes: z.array(
      z.looseObject({
        key: z.string().describe('action|tier|segment|amountBand'),
        scope: z.object({ actionKind: z.string(), tier: z.string(), segment: z.string(), amountBand: z.string() }),
        rates: z.looseObject({ approvedAsDrafted: rateOut, approvedWithEdits: rateOut, rejected: rateOut, autonomousShare: rateOut }),
      }),
    ),
    tuning: z.array(
      z.looseObject({ tier: z.string(), stepKey: z.string(), drafts: z.number().int(), editRate: rateOut, sentence: z.string() }),
    ),
  })
  .describe('What `ar metrics decisions --json` prints; `tuning` is `ar metrics tuning`');

export const metricsHistoryOut = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      kind: z.enum(['daily', 'baseline']),
      asOf: z.string(),
      note: z.string().nullable(),
      takenBy: z.string(),
      takenAt: z.string(),
      byCurrency: z.record(
        z.string(),
        z.object({
          arOpen: z.string(),
          dsoStandardDays: z.number().nullable(),
          dsoCountbackDays: z.number().nullable(),
          ceiPercent: z.number().nullable(),
        }),
      ),
    }),
  ),
});

export const sendsSwitchOut = z.object({
  held: z.boolean(),
  reason: z.string().nullable(),
  by: z.string().nullable().describe('who last paused or resumed'),
  since: z.string().nullable(),
});

export const healthOut = z.object({
  ok: z.boolean(),
  database: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
  sends: z.enum(['flowing', 'held', 'unknown']).describe('held: the kill switch (ar sends pause) holds every outgoing message'),
  sendsHeld: z.object({ reason: z.string(), by: z.string(), since: z.string() }).optional(),
});

const proposalOut = z.object({
  id: z.string(),
  status: z.enum(PROPOSAL_STATUSES),
  actionKind: z.string(),
  stepKey: z.string(),
  workflowId: z.string(),
  draft: z.object({ subject: z.string(), body: z.string(), tone: z.string() }),
  reasoning: z.string(),
  policyVersion: z.number().int(),
  amount: moneyOut,
  invoice: z.object({
    number: z.string(),
    amount: moneyOut,
    open: moneyOut,
    dueDate: z.string(),
    daysOverdue: z.number().int(),
    status: z.string(),
  }),
  customer: z.object({ id: z.string(), name: z.string(), tier: z.enum(TIERS) }),
  createdAt: z.string(),
  ageSeconds: z.number().int(),
  escalated: z.boolean(),
  decision: z
    .object({
      by: z.string().nullable(),
      at: z.string().nullable(),
      note: z.string().nullable(),
      editedSubject: z.string().nullable(),
      editedBody: z.string().nullable(),
      editCategory: z.enum(EDIT_CATEGORIES).nullable(),
      editNote: z.string().nullable(),
    })
    .nullable(),
});
export type ProposalOut = z.infer<typeof proposalOut>;

export const approvalsOut = z.object({
  items: z.array(proposalOut),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
  page: z.number().int().optional(),
});

export const decisionOutcomeOut = z.object({
  proposalId: z.string(),
  outcome: z.string().describe('approved (handed to the customer outreach for delivery) or rejected'),
  detail: z.string(),
});

export const invoiceStateOut = z
  .looseObject({
    invoiceNumber: z.string(),
    customerId: z.string(),
    status: z.string(),
    currency: z.string(),
    amountMinor: z.number().int(),
    openMinor: z.number().int(),
    dueDate: z.string(),
    stage: z.string(),
    pendingProposal: z.unknown().nullable(),
    promise: z.unknown().nullable(),
    dispute: z.unknown().nullable(),
    pausedBy: z.string().nullable(),
    policyVersion: z.number().int(),
    actions: z.array(z.object({ at: z.string(), kind: z.string(), detail: z.string(), by: z.string().optional() })),
  })
  .describe('The invoice workflow\'s live state (the "state" query)');

const auditOut = z.object({
  at: z.string(),
  action: z.string(),
  actor: z.string(),
  approvedBy: z.string().nullable(),
  reasoning: z.string().nullable(),
  policyVersion: z.number().int().nullable(),
  details: z.unknown(),
});

export const invoiceOut = z.object({
  source: z
    .enum(['workflow', 'ledger'])
    .describe('workflow: live state from the running workflow; ledger: the workflow is closed or absent'),
  invoice: z.object({
    number: z.string(),
    customer: z.object({ id: z.string(), name: z.string(), tier: z.enum(TIERS) }),
    status: z.string(),
    amount: moneyOut,
    open: moneyOut,
    issueDate: z.string(),
    dueDate: z.string(),
    daysOverdue: z.number().int(),
  }),
  state: invoiceStateOut.nullable(),
  audit: z.array(auditOut),
});

export const paymentOut = z.object({
  paymentId: z.string(),
  ledger: z.object({ open: moneyOut, status: z.string(), applied: z.boolean() }),
  workflow: z.object({ openMinor: z.number().int(), status: z.string() }).nullable(),
});

export const disputeOut = z.object({
  id: z.string(),
  invoiceNumber: z.string(),
  customer: z.object({ id: z.string(), name: z.string() }),
  reason: z.string(),
  note: z.string().nullable(),
  owner: z.string().nullable(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  status: z.enum(DISPUTE_STATUSES),
  open: moneyOut,
  openedBy: z.string().nullable(),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.unknown(),
});

export const disputesOut = z.object({ items: z.array(disputeOut), total: z.number().int(), nextCursor: z.string().nullable() });

export const meOut = z.object({
  name: z.string(),
  role: z.enum(['viewer', 'approver', 'admin']),
  limits: z
    .array(moneyOut)
    .nullable()
    .describe('approval limits, one per currency (ordered by currency); a proposal in another currency is refused; null = unlimited'),
  limit: moneyOut.nullable().describe('deprecated: the first of `limits` (the only one for a single-currency approver); null = unlimited'),
  permissions: z.array(z.string()),
});

// --- accounts and policy ---

export const accountPauseOut = z.object({
  customerId: z.string(),
  invoices: z.array(
    z.object({
      invoiceNumber: z.string(),
      outcome: z.enum(['paused', 'resumed', 'already_paused', 'not_paused', 'not_running', 'refused', 'timed_out']),
      message: z.string().optional(),
    }),
  ),
});

/** A policy document as `GET /api/policy` returns it; its `version` is ignored on publish (the next one is assigned). */
const policyDocument = policySchema.extend({ version: z.number().int().optional() }).strict();

export const publishPolicyBody = z
  .object({
    policy: policyDocument,
    note: z.string().trim().min(1, 'must say why this version (it is recorded with it)').max(1000, 'must be at most 1000 characters'),
    basedOnVersion: z.number().int().min(1).optional().describe('The version you edited: a 409 if another was published since'),
  })
  .strict();

export const policyOut = z.object({
  version: z.number().int(),
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  policy: z.looseObject({}),
});

const fanOutStatus = z.enum(['running', 'done', 'failed', 'superseded']);

export const publishPolicyOut = z.object({
  version: z.number().int(),
  notified: z
    .number()
    .int()
    .describe('Workflows signalled so far by the background fan-out: normally 0 at the answer; follow fanOut (GET /api/policy/status)'),
  fanOut: z.object({
    workflowId: z.string().describe('policy-fanout-v<version>, in the Temporal Web UI'),
    status: fanOutStatus,
    error: z.string().optional().describe('Why the fan-out could not start (workflows read the version at their next step)'),
  }),
});

const fanOutOut = z.object({
  version: z.number().int(),
  workflowId: z.string(),
  status: fanOutStatus,
  total: z
    .number()
    .int()
    .nullable()
    .describe('The workflows it is to tell (invoices whose plan the version changes, and running outreach), counted when it began'),
  scope: z
    .string()
    .nullable()
    .describe(
      'Which invoice workflows it tells: the versions and tiers whose plans the new version changes; the rest read it at their next step',
    ),
  signalled: z.object({ invoices: z.number().int(), outreach: z.number().int(), total: z.number().int() }),
  notFound: z.number().int().describe('Listed as running, closed before the signal: nothing to tell'),
  failed: z.number().int(),
  pages: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  errors: z.array(z.string()),
});

export const policyStatusOut = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  publishedBy: z.string(),
  note: z.string().nullable(),
  fanOut: fanOutOut.nullable(),
});
