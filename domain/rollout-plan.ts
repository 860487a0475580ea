/**
 * The rollout plan: ordered phases, each granting autonomy scopes, with the evidence a scope needs
 * before it is granted (promotion) and the evidence that takes it away again (demotion). Part of
 * the policy (domain/policy.ts), so a plan change is a published, versioned change like any other.
 * Phase 0 grants nothing: every action is proposed to a person.
 */
import { z } from 'zod';
import { ACTION_KINDS, ALWAYS_HUMAN } from './policy-terms';

const tierSchema = z.enum(['strategic', 'standard', 'small']);
const currencyLimits = z.record(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'), z.number().int().nonnegative());
const share = z.number().min(0).max(1);

export const promotionCriteriaSchema = z.object({
  /** Decisions a person made on the scope's actions within the window, at least. */
  minSample: z.number().int().min(1).max(1_000_000).default(50),
  windowDays: z.number().int().min(1).max(365).default(28),
  /** Wilson 95% lower bound of approved-as-drafted ÷ decided, at least. */
  minApprovedLowerBound: share.default(0.9),
  /** approved-with-edits ÷ decided, at most. */
  maxEditRate: share.default(0.1),
  /** CEI may sit at most this many points below the baseline. */
  ceiMarginPoints: z.number().min(0).max(100).default(5),
  /** DSO may sit at most this many days above the baseline. */
  dsoMarginDays: z.number().min(0).max(365).default(5),
  /** Consecutive passing evaluations before the scope is granted. */
  consecutive: z.number().int().min(1).max(100).default(3),
  /** With shadow mode on: the Wilson lower bound of shadow agreement, at least (absent: not required). */
  minShadowAgreementLowerBound: share.optional(),
});
export type PromotionCriteria = z.infer<typeof promotionCriteriaSchema>;

export const demotionCriteriaSchema = z.object({
  /** A short window: demotion answers to what happened lately, not to a month of good weeks before. */
  windowDays: z.number().int().min(1).max(365).default(7),
  /** Reviewed autonomous actions needed before their correct rate is judged. */
  minReviewed: z.number().int().min(1).max(100_000).default(10),
  /** Wilson 95% lower bound of reviewed-right ÷ reviewed, at least; under it the scope is demoted. */
  minReviewedCorrectLowerBound: share.default(0.5),
  /**
   * Autonomous sends marked a bounce or complaint in review, at most: demoted when the Wilson lower
   * bound of the rate is over it (confidently over, not a single unlucky send in a small count).
   */
  maxBounceRate: share.default(0.05),
  /** Autonomous sends followed by a dispute on the invoice, at most (judged on the lower bound too). */
  maxDisputeRate: share.default(0.05),
  ceiMarginPoints: z.number().min(0).max(100).default(10),
  dsoMarginDays: z.number().min(0).max(365).default(10),
});
export type DemotionCriteria = z.infer<typeof demotionCriteriaSchema>;

export const planScopeSchema = z
  .object({
    /** Stable name of the scope across phases: a later phase widening it reuses the id. */
    id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    action: z.enum(ACTION_KINDS),
    tiers: z.array(tierSchema).min(1),
    segments: z.array(z.string().min(1)).optional(),
    maxAmountMinor: currencyLimits.optional(),
    maxRiskScore: z.number().int().min(0).max(100).optional(),
    reviewSampleRate: share.default(0.1),
    /** Before it is granted, the scope runs in shadow: the system records what it would have sent. */
    shadow: z.boolean().default(true),
  })
  .refine((s) => !ALWAYS_HUMAN.has(s.action), {
    message: 'is always decided by a person: no rollout phase may grant it',
    path: ['action'],
  });
export type PlanScope = z.infer<typeof planScopeSchema>;

const phaseSchema = z.object({
  name: z.string().min(1).max(120),
  /** Scopes this phase grants or widens (by id); earlier phases' scopes stay granted. */
  grants: z.array(planScopeSchema),
  promotion: promotionCriteriaSchema.partial().optional(),
});

export const rolloutPlanSchema = z
  .object({
    /** The phase in force; the ar-rollout workflow moves it and publishes the matching scopes. */
    phase: z.number().int().min(0).default(0),
    phases: z.array(phaseSchema).min(1),
    promotion: promotionCriteriaSchema.default(promotionCriteriaSchema.parse({})),
    demotion: demotionCriteriaSchema.default(demotionCriteriaSchema.parse({})),
  })
  .superRefine((plan, ctx) => {
    if (plan.phases[0]!.grants.length > 0)
      ctx.addIssue({ code: 'custom', path: ['phases', 0, 'grants'], message: 'phase 0 must grant nothing: the rollout starts supervised' });
    if (plan.phase >= plan.phases.length)
      ctx.addIssue({
        code: 'custom',
        path: ['phase'],
        message: `must name one of the ${plan.phases.length} phases (0..${plan.phases.length - 1})`,
      });
  });
export type RolloutPlan = z.infer<typeof rolloutPlanSchema>;

const USD_EUR_GBP = (major: number) => ({ USD: major * 100, EUR: major * 100, GBP: major * 100 });

/** The seeds' progression: small reminders, then higher ceilings, then promises and cash, then wider segments. */
export const DEFAULT_ROLLOUT_PLAN: RolloutPlan = rolloutPlanSchema.parse({
  phases: [
    { name: 'supervised: every action proposed', grants: [] },
    {
      name: 'auto-send reminders on small invoices',
      grants: [{ id: 'reminder-small', action: 'reminder', tiers: ['small'], maxAmountMinor: USD_EUR_GBP(500), maxRiskScore: 70 }],
    },
    {
      name: 'higher reminder ceilings',
      grants: [
        { id: 'reminder-small', action: 'reminder', tiers: ['small'], maxAmountMinor: USD_EUR_GBP(5_000), maxRiskScore: 70 },
        { id: 'reminder-standard', action: 'reminder', tiers: ['standard'], maxAmountMinor: USD_EUR_GBP(1_000), maxRiskScore: 50 },
      ],
    },
    {
      name: 'promise logging and clean cash matches',
      grants: [
        { id: 'promise-logging', action: 'promise_logging', tiers: ['small', 'standard'] },
        { id: 'cash-match-clean', action: 'cash_match', tiers: ['small', 'standard'], maxAmountMinor: USD_EUR_GBP(10_000) },
      ],
    },
    {
      name: 'wider segments',
      grants: [
        { id: 'reminder-standard', action: 'reminder', tiers: ['standard'], maxAmountMinor: USD_EUR_GBP(10_000), maxRiskScore: 60 },
        { id: 'statement', action: 'statement', tiers: ['small', 'standard', 'strategic'] },
      ],
    },
  ],
});

/** The scopes in force at a phase: every grant up to it, a later grant of an id replacing the earlier one. */
export function scopesAtPhase(plan: Pick<RolloutPlan, 'phases'>, phase: number): PlanScope[] {
  const byId = new Map<string, PlanScope>();
  for (let i = 1; i <= Math.min(phase, plan.phases.length - 1); i++) for (const g of plan.phases[i]!.grants) byId.set(g.id, g);
  return [...byId.values()];
}

/** The criteria that promote into `phase`: the plan's, overridden by the phase's own. */
export function promotionCriteriaFor(plan: Pick<RolloutPlan, 'phases' | 'promotion'>, phase: number): PromotionCriteria {
  return { ...plan.promotion, ...(plan.phases[phase]?.promotion ?? {}) };
}

/** The first phase that grants the scope id (its demotion returns the rollout to the phase before). */
export function phaseGranting(plan: Pick<RolloutPlan, 'phases'>, scopeId: string): number {
  const i = plan.phases.findIndex((p) => p.grants.some((g) => g.id === scopeId));
  return i < 0 ? 0 : i;
}

/** An autonomy scope as the policy holds it (domain/policy.ts), written from a plan scope. */
interface WrittenScope {
  id?: string;
  action: PlanScope['action'];
  tiers: PlanScope['tiers'];
  segments?: string[];
  maxAmountMinor?: Record<string, number>;
  maxRiskScore?: number;
  mode: 'supervised' | 'shadow' | 'autonomous';
  reviewSampleRate: number;
}

/**
 * The policy's autonomy scopes at a phase: the granted scopes autonomous, the next phase's (that
 * ask for it) in shadow, and scopes a person wrote without a plan id kept as they are.
 */
export function autonomyAtPhase(plan: Pick<RolloutPlan, 'phases'>, phase: number, existing: readonly WrittenScope[]): WrittenScope[] {
  const write = (s: PlanScope, mode: WrittenScope['mode']): WrittenScope => {
    const { shadow: _shadow, ...rest } = s;
    return { ...rest, mode };
  };
  const granted = scopesAtPhase(plan, phase).map((s) => write(s, 'autonomous'));
  const next = plan.phases[phase + 1]?.grants.filter((g) => g.shadow).map((s) => write(s, 'shadow')) ?? [];
  return [...existing.filter((s) => !s.id), ...granted, ...next];
}
