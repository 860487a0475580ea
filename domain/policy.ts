/**
 * The collection policy: data, versioned, stored in the database. Workflows record the
 * version in force at every decision so a replay shows exactly what they knew.
 */
import { z } from 'zod';
import { ACTION_KINDS, TONES } from './policy-terms';

export { ACTION_KINDS, ALWAYS_HUMAN, TONES, type ActionKind, type Tone } from './policy-terms';

export const tierSchema = z.enum(['strategic', 'standard', 'small']);

export const dunningStepSchema = z.object({
  key: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  offsetDays: z.number().int().min(-60).max(365),
  tone: z.enum(TONES),
  channel: z.enum(['email', 'sms']).default('email'),
  /** A hand-off ends automatic dunning: a human collector takes over. */
  kind: z.enum(['reminder', 'handoff']).default('reminder'),
});
export type DunningStep = z.infer<typeof dunningStepSchema>;

const ladderSchema = z
  .array(dunningStepSchema)
  .min(1)
  .refine((steps) => steps.every((s, i) => i === 0 || s.offsetDays > steps[i - 1]!.offsetDays), 'steps must be in increasing offset order')
  .refine((steps) => new Set(steps.map((s) => s.key)).size === steps.length, 'step keys must be unique');

export const autonomyScopeSchema = z.object({
  action: z.enum(ACTION_KINDS),
  tiers: z.array(tierSchema).min(1),
  segments: z.array(z.string()).optional(),
  /** Per-currency ceiling in minor units; an amount above it (or in a currency not listed) stays supervised. */
  maxAmountMinor: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().nonnegative()).optional(),
  mode: z.enum(['supervised', 'autonomous']),
  /** Share of autonomous actions sampled for after-the-fact review, 0..1. */
  reviewSampleRate: z.number().min(0).max(1).default(0.1),
});
export type AutonomyScope = z.infer<typeof autonomyScopeSchema>;

export const policySchema = z.object({
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
  /** Reminders of one customer due within this many minutes go out as one message. */
  batchWindowMinutes: z.number().int().min(0).default(60),
  promiseGraceDays: z.number().int().min(0).default(3),
  /** Days a customer has to answer the last reminder before the account is handed to a collector. */
  handoffGraceDays: z.number().int().min(0).default(7),
  proposalEscalationHours: z.number().int().min(1).default(48),
  disputeDeadlineDays: z.number().int().min(1).default(10),
  /** Who receives escalations, disputes and hand-offs (a queue, team or person). */
  owners: z
    .object({ approvals: z.string().min(1), disputes: z.string().min(1), collections: z.string().min(1) })
    .default({ approvals: 'ar-approvers', disputes: 'ar-disputes', collections: 'collections' }),
  noTouch: z.object({ customers: z.array(z.string()), invoices: z.array(z.string()) }).default({ customers: [], invoices: [] }),
  autonomy: z.array(autonomyScopeSchema).default([]),
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

export function parsePolicy(version: number, body: unknown): Policy {
  return { version, ...policySchema.parse(body) };
}
