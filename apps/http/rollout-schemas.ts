/** Request and response schemas of the rollout routes (apps/http/routes/rollout.ts). */
import { z } from 'zod';
import { REVIEW_KINDS } from '../../db/schema';

const note = z.string().trim().min(1, 'must say why').max(2000);

export const rolloutControlBody = z.strictObject({ note });
export const rolloutAdvanceBody = z.strictObject({ note, force: z.boolean().default(false) });
export const rolloutEvaluateBody = z.strictObject({});

export const reviewsQuery = z.strictObject({ status: z.enum(['open', 'reviewed', 'all']).default('open') });
export const reviewMarkBody = z.strictObject({
  verdict: z.enum(['right', 'wrong']),
  kind: z.enum(REVIEW_KINDS).optional(),
  reason: z.string().trim().min(1, 'must say why it was right or wrong').max(2000),
});

const check = z.object({ name: z.string(), value: z.number().nullable(), limit: z.number(), pass: z.boolean(), detail: z.string() });
const verdict = z.object({ scopeId: z.string(), pass: z.boolean(), checks: z.array(check) });
const scopeMeasure = z.object({ evidence: z.record(z.string(), z.union([z.string(), z.number()])), verdict });

const measurement = z.object({
  asOf: z.string(),
  policyVersion: z.number(),
  phase: z.number(),
  phaseNames: z.array(z.string()),
  windowDays: z.number(),
  consecutive: z.number(),
  candidates: z.array(scopeMeasure),
  granted: z.array(scopeMeasure.extend({ grantedAtPhase: z.number() })),
  health: z.object({ ceiDropPoints: z.number().nullable(), dsoRiseDays: z.number().nullable() }),
});

export const rolloutDecisionOut = z.object({
  seq: z.number(),
  at: z.string(),
  kind: z.string(),
  fromPhase: z.number(),
  toPhase: z.number(),
  by: z.string(),
  trigger: z.string(),
  why: z.string(),
  forced: z.boolean(),
  note: z.string().optional(),
  streaks: z.record(z.string(), z.number()),
  policyVersion: z.number().nullable(),
  seen: z.array(z.object({ scopeId: z.string(), role: z.string(), pass: z.boolean(), failing: z.array(z.string()) })),
});

export const rolloutStatusOut = z.object({
  workflow: z.object({
    running: z.boolean(),
    held: z.object({ by: z.string(), note: z.string(), at: z.string() }).nullable(),
    nextEvaluationAt: z.string().nullable(),
  }),
  policyVersion: z.number(),
  phase: z.number(),
  phases: z.array(z.object({ index: z.number(), name: z.string(), grants: z.array(z.string()) })),
  scopes: z.array(
    z.object({ id: z.string().optional(), action: z.string(), tiers: z.array(z.string()), mode: z.string(), reviewSampleRate: z.number() }),
  ),
  measurement,
  timeline: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      kind: z.string().nullable(),
      fromPhase: z.number().nullable(),
      toPhase: z.number().nullable(),
      forced: z.boolean(),
      decidedBy: z.string(),
      note: z.string().nullable(),
      policyVersion: z.number(),
      why: z.string(),
    }),
  ),
  reviews: z.object({ open: z.number(), reviewed: z.number() }),
});

export const reviewOut = z.object({
  id: z.number(),
  auditKey: z.string(),
  invoiceNumber: z.string().nullable(),
  customerId: z.string().nullable(),
  scopeId: z.string().nullable(),
  policyVersion: z.number().nullable(),
  subject: z.string().nullable(),
  reasoning: z.string().nullable(),
  sampledAt: z.string(),
  verdict: z.string().nullable(),
  kind: z.string().nullable(),
  reason: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
export const reviewsOut = z.object({ items: z.array(reviewOut) });
