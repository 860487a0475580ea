/**
 * The collection policy: data, versioned, stored in the database. Workflows record the
 * version in force at every decision so a replay shows exactly what they knew.
 */
import { z } from 'zod';
import { isIsoDate } from './calendar';
import { ACTION_KINDS, AVAILABLE_CHANNELS, CHANNEL_RULE, DEFAULT_MAX_PROMISE_DAYS_AHEAD, TONES } from './policy-terms';
import { DEFAULT_ROLLOUT_PLAN, rolloutPlanSchema } from './rollout-plan';
import { clipValue } from './text';

export type { Tone } from './policy-terms';

/** A policy document that breaks a rule checked outside the schema (e.g. an unknown holiday country). */
export class PolicyError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${field}: ${value === undefined ? 'missing' : JSON.stringify(clipValue(value))} ${rule}`);
    this.name = 'PolicyError';
  }
}

/**
 * Upper bounds on every duration a policy sets: each one becomes a timer or a hold in running
 * workflows, and a value past these is a typo, not a policy (a year of grace, a ten-year promise).
 */
const MAX_GRACE_DAYS = 90;
const MAX_DISPUTE_DEADLINE_DAYS = 365;
const MAX_DAYS_AHEAD = 3660;
const MAX_BATCH_WINDOW_MINUTES = 24 * 60;

const tierSchema = z.enum(['strategic', 'standard', 'small']);

const dunningStepSchema = z.object({
  key: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  offsetDays: z.number().int().min(-60).max(365),
  tone: z.enum(TONES),
  channel: z
    .enum(AVAILABLE_CHANNELS, {
      error: () => `must be one of ${AVAILABLE_CHANNELS.map((c) => JSON.stringify(c)).join(', ')}: ${CHANNEL_RULE}`,
    })
    .default('email'),
  /** A hand-off ends automatic dunning: a human collector takes over. */
  kind: z.enum(['reminder', 'handoff']).default('reminder'),
});
export type DunningStep = z.infer<typeof dunningStepSchema>;

const ladderSchema = z
  .array(dunningStepSchema)
  .min(1)
  .refine((steps) => steps.every((s, i) => i === 0 || s.offsetDays > steps[i - 1]!.offsetDays), 'steps must be in increasing offset order')
  .refine((steps) => new Set(steps.map((s) => s.key)).size === steps.length, 'step keys must be unique');

const autonomyScopeSchema = z.object({
  /** The rollout plan's scope id, when the ar-rollout workflow wrote the scope. */
  id: z.string().optional(),
  action: z.enum(ACTION_KINDS),
  tiers: z.array(tierSchema).min(1),
  segments: z.array(z.string()).optional(),
  /** Per-currency ceiling in minor units; an amount above it (or in a currency not listed) stays supervised. */
  maxAmountMinor: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().nonnegative()).optional(),
  /**
   * A customer whose risk score (0..100, the ledger's) is at or above this stays supervised:
   * people keep the judgment calls on risky accounts. Absent: the scope does not look at risk.
   */
  maxRiskScore: z.number().int().min(0).max(100).optional(),
  /** shadow: still supervised, but the system records what it would have sent beside the proposal. */
  mode: z.enum(['supervised', 'shadow', 'autonomous']),
  /** Share of autonomous actions sampled for after-the-fact review, 0..1. */
  reviewSampleRate: z.number().min(0).max(1).default(0.1),
});
export type AutonomyScope = z.infer<typeof autonomyScopeSchema>;

// A plain string, not the IsoDate brand: policy documents are written by hand.
const isoDateSchema = z.string().refine((date): boolean => isIsoDate(date), 'must be a calendar date YYYY-MM-DD');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * A public-holiday calendar of the date-holidays package. The codes are checked against its data
 * when a version is published (policy/holidays.ts): this module stays free of that package.
 */
const holidayCalendarSchema = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code (two capital letters, e.g. "DE")'),
  /** A state or province as date-holidays names it (DE "BY", US "CA"); absent: the national holidays. */
  region: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/, 'must be a region code of letters or digits as date-holidays names it (e.g. "BY")')
    .optional(),
});

/**
 * Days the send window skips when it keeps to business days. A customer's calendar is chosen by
 * its timezone (every customer has one; the ledger holds no country), else the default.
 */
const holidaysSchema = z.object({
  /** The calendar of customers whose timezone is not in byTimezone; absent: weekends only. */
  default: holidayCalendarSchema.optional(),
  /** IANA timezone of the customer → its calendar, e.g. "Europe/Berlin": { country: "DE" }. */
  byTimezone: z
    .record(z.string(), holidayCalendarSchema)
    .superRefine((byTimezone, ctx) => {
      // On the entry, not the key: zod reports a bad record key without its rule.
      for (const timezone of Object.keys(byTimezone)) {
        if (!isTimeZone(timezone))
          ctx.addIssue({
            code: 'custom',
            path: [timezone],
            message: `is under ${JSON.stringify(timezone)}, which is not an IANA timezone such as "Europe/Berlin"`,
          });
      }
    })
    .default({}),
  /** The company's own closing days (ISO dates): no customer is contacted on them. */
  closingDays: z.array(isoDateSchema).default([]),
});
export type HolidaysPolicy = z.infer<typeof holidaysSchema>;

const toleranceSchema = z.object({
  fixedMinor: z.number().int().nonnegative(),
  /** Of the open balance, in basis points (50 = 0.5%). */
  basisPoints: z.number().int().min(0).max(10_000),
});

const cashPolicySchema = z
  .object({
    /**
     * A match is applied without a person only at or above this confidence (and only where an
     * autonomous cash_match scope covers the customer); below it, it is proposed.
     */
    autoApplyMinConfidence: z.number().gt(0).max(1).default(0.95),
    /** Below this the credit goes to the unapplied queue, with the best guess kept as a candidate. */
    proposeMinConfidence: z.number().min(0).max(1).default(0.3),
    /** Short payments absorbed as bank charges, per currency (both limits apply); unlisted currencies use the matcher's defaults. */
    tolerance: z.record(z.string().regex(/^[A-Z]{3}$/), toleranceSchema).default({}),
  })
  .refine((c) => c.proposeMinConfidence <= c.autoApplyMinConfidence, {
    path: ['proposeMinConfidence'],
    message: 'must not be above autoApplyMinConfidence',
  });

export const policySchema = z
  .object({
    ladders: z.object({ strategic: ladderSchema, standard: ladderSchema, small: ladderSchema }),
    /** Below this open amount (per currency, minor units) an invoice is not worth chasing. */
    minimumChaseMinor: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().nonnegative()).default({}),
    contactCaps: z
      .object({
        maxContacts: z.number().int().min(1),
        perDays: z.number().int().min(1),
        minHoursApart: z.number().int().min(0),
      })
      .default({ maxContacts: 2, perDays: 7, minHoursApart: 48 }),
    sendWindow: z
      .object({
        startHour: z.number().int().min(0).max(23),
        endHour: z.number().int().min(1).max(24),
        businessDaysOnly: z.boolean(),
      })
      .refine((w) => w.endHour > w.startHour, 'endHour must be after startHour')
      .default({ startHour: 9, endHour: 17, businessDaysOnly: true }),
    /** Public holidays and closing days, skipped by a send window that keeps to business days. */
    holidays: holidaysSchema.default({ byTimezone: {}, closingDays: [] }),
    /** Reminders of one customer due within this many minutes go out as one message. */
    batchWindowMinutes: z.number().int().min(0).max(MAX_BATCH_WINDOW_MINUTES).default(60),
    /** Days a promise holds dunning after its date before it counts as missed. */
    promiseGraceDays: z.number().int().min(0).max(MAX_GRACE_DAYS).default(3),
    /**
     * How far ahead a promise to pay may be dated: a later date is refused (at the HTTP edge and by
     * the workflow's validator), so no typo (9999-12-31) sets a hold of a hundred years.
     */
    maxPromiseDaysAhead: z.number().int().min(1).max(MAX_DAYS_AHEAD).default(DEFAULT_MAX_PROMISE_DAYS_AHEAD),
    /** Days a customer has to answer the last reminder before the account is handed to a collector. */
    handoffGraceDays: z.number().int().min(0).max(MAX_GRACE_DAYS).default(7),
    proposalEscalationHours: z
      .number()
      .int()
      .min(1)
      .max(MAX_GRACE_DAYS * 24)
      .default(48),
    /** Days from opening a dispute to its deadline; bounded, so a deadline is never years away. */
    disputeDeadlineDays: z.number().int().min(1).max(MAX_DISPUTE_DEADLINE_DAYS).default(10),
    /** Who receives escalations, disputes and hand-offs (a queue, team or person). */
    owners: z
      .object({ approvals: z.string().min(1), disputes: z.string().min(1), collections: z.string().min(1) })
      .default({ approvals: 'ar-approvers', disputes: 'ar-disputes', collections: 'collections' }),
    noTouch: z.object({ customers: z.array(z.string()), invoices: z.array(z.string()) }).default({ customers: [], invoices: [] }),
    autonomy: z.array(autonomyScopeSchema).default([]),
    /**
     * Steps renamed or removed since an earlier version → their successors' keys: an invoice that
     * did the old step counts the successor as done, so a renamed step is not sent again.
     */
    stepAliases: z.record(z.string().min(1).max(100), z.string().min(1).max(100)).default({}),
    /**
     * The circuit breaker on delivery events (POST /webhooks/resend): when bounces or complaints
     * over the last windowMinutes pass their ceiling, as a share of the emails sent in that window
     * (once at least minSends went out), the kill switch trips by itself with the reason.
     */
    deliveryBreaker: z
      .object({
        windowMinutes: z.number().int().min(5).max(1440),
        minSends: z.number().int().min(1).max(100_000),
        maxBounceRate: z.number().min(0).max(1),
        maxComplaintRate: z.number().min(0).max(1),
      })
      .default({ windowMinutes: 60, minSends: 20, maxBounceRate: 0.05, maxComplaintRate: 0.003 }),
    /** The rollout plan and the phase in force (domain/rollout-plan.ts); the ar-rollout workflow moves the phase. */
    rollout: rolloutPlanSchema.default(DEFAULT_ROLLOUT_PLAN),
    /** Cash application (cash/): when a matched bank credit is applied alone, proposed, or left unapplied. */
    cash: cashPolicySchema.prefault({}),
  })
  .superRefine((p, ctx) => {
    const keys = new Set(Object.values(p.ladders).flatMap((ladder) => ladder.map((s) => s.key)));
    for (const [from, to] of Object.entries(p.stepAliases)) {
      if (keys.has(from))
        ctx.addIssue({
          code: 'custom',
          path: ['stepAliases', from],
          message: `${from} is still a step of a ladder: only a renamed or removed step has an alias`,
        });
      if (!keys.has(to))
        ctx.addIssue({ code: 'custom', path: ['stepAliases', from], message: `its successor ${to} is not a step of any ladder` });
    }
  });
export type PolicyBody = z.infer<typeof policySchema>;
export interface Policy extends PolicyBody {
  version: number;
}

export const DEFAULT_POLICY: PolicyBody = policySchema.parse({
  ladders: {
    strategic: [
      { key: 'heads-up', offsetDays: -3, tone: 'friendly' },
      { key: 'overdue-7', offsetDays: 7, tone: 'friendly' },
      { key: 'overdue-21', offsetDays: 21, tone: 'firm' },
      { key: 'handoff', offsetDays: 35, tone: 'firm', kind: 'handoff' },
    ],
    standard: [
      { key: 'heads-up', offsetDays: -3, tone: 'friendly' },
      { key: 'overdue-1', offsetDays: 1, tone: 'friendly' },
      { key: 'overdue-7', offsetDays: 7, tone: 'friendly' },
      { key: 'overdue-14', offsetDays: 14, tone: 'firm' },
      { key: 'final-30', offsetDays: 30, tone: 'final' },
      { key: 'handoff', offsetDays: 45, tone: 'final', kind: 'handoff' },
    ],
    small: [
      { key: 'overdue-1', offsetDays: 1, tone: 'friendly' },
      { key: 'overdue-7', offsetDays: 7, tone: 'firm' },
      { key: 'overdue-14', offsetDays: 14, tone: 'firm' },
      { key: 'final-30', offsetDays: 30, tone: 'final' },
      { key: 'handoff', offsetDays: 45, tone: 'final', kind: 'handoff' },
    ],
  },
  minimumChaseMinor: { USD: 1000, EUR: 1000, GBP: 1000, JPY: 1000 },
  // Supervised is the default for everything: the rollout widens scopes only on evidence.
  autonomy: [],
});

/** Reads a stored version (validated when it was published, under the rules of its day). */
export function parsePolicy(version: number, body: unknown): Policy {
  return { version, ...policySchema.parse(withDeliveredChannels(body)) };
}

/**
 * Versions published before channels were checked may name "sms", which always went out as
 * email: they read back as email, what they did. New versions naming it are refused.
 */
function withDeliveredChannels(body: unknown): unknown {
  if (!isRecord(body) || !isRecord(body.ladders)) return body;
  const ladders = Object.fromEntries(
    Object.entries(body.ladders).map(([tier, steps]) => [
      tier,
      Array.isArray(steps) ? steps.map((step) => (isRecord(step) && step.channel === 'sms' ? { ...step, channel: 'email' } : step)) : steps,
    ]),
  );
  return { ...body, ladders };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
