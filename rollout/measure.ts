/**
 * One evaluation's measurement, pure: the decisions and autonomous actions of the window are
 * attributed to the plan's scopes (a fact counts for every scope that covers it), then each
 * candidate scope is checked for promotion and each granted scope for demotion.
 */
import { type PlanScope, phaseGranting, promotionCriteriaFor, type RolloutPlan, scopesAtPhase } from '../domain/rollout-plan';
import { checkDemotion, checkPromotion, emptyEvidence } from './criteria';
import type { BreakerTrip, Health, Measurement, ScopeEvidence } from './messages';

/** One decided proposal or one autonomous action (ledger/read-models/rollout-facts.ts reads them). */
export interface RolloutFact {
  /** Epoch milliseconds of the decision or the send. */
  readonly atMs: number;
  readonly action: string;
  readonly tier: string;
  readonly segment: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly riskScore: number | null;
  readonly outcome: 'approved' | 'approved_with_edits' | 'rejected' | 'autonomous';
  /** The shadow scope that would have acted on its own, for a proposal. */
  readonly shadowScope: string | null;
  readonly review: 'right' | 'wrong' | null;
  /** A review marked a bounce or complaint, or the provider reported one for the send's email. */
  readonly bouncedOrComplained: boolean;
  readonly disputedAfter: boolean;
}

export function covers(s: PlanScope, f: RolloutFact): boolean {
  if (s.action !== f.action || !(s.tiers as readonly string[]).includes(f.tier)) return false;
  if (s.segments && !s.segments.includes(f.segment)) return false;
  if (s.maxAmountMinor) {
    const limit = s.maxAmountMinor[f.currency];
    if (limit === undefined || f.amountMinor > limit) return false;
  }
  if (s.maxRiskScore !== undefined && (f.riskScore === null || f.riskScore >= s.maxRiskScore)) return false;
  return true;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function evidenceFor(scopes: readonly PlanScope[], facts: readonly RolloutFact[], fromMs: number): Map<string, ScopeEvidence> {
  const acc = new Map<string, Mutable<ScopeEvidence>>(scopes.map((s) => [s.id, emptyEvidence(s.id)]));
  for (const f of facts) {
    if (f.atMs < fromMs) continue;
    for (const s of scopes) {
      if (!covers(s, f)) continue;
      const e = acc.get(s.id)!;
      if (f.outcome === 'autonomous') {
        e.autonomous++;
        if (f.review) e.reviewed++;
        if (f.review === 'right') e.reviewedRight++;
        if (f.bouncedOrComplained) e.bouncedOrComplained++;
        if (f.disputedAfter) e.disputedAfter++;
        continue;
      }
      e.decided++;
      if (f.outcome === 'approved') e.approvedAsDrafted++;
      else if (f.outcome === 'approved_with_edits') e.approvedWithEdits++;
      else e.rejected++;
      if (f.shadowScope === s.id) {
        e.shadowDecided++;
        if (f.outcome === 'approved') e.shadowAgreed++;
      }
    }
  }
  return acc;
}

const sameScope = (a: PlanScope, b: PlanScope) => JSON.stringify(a) === JSON.stringify(b);

/** The scopes the next phase adds or widens: what a promotion into it must earn. */
export function candidateScopes(plan: Pick<RolloutPlan, 'phases'>, phase: number): PlanScope[] {
  if (phase + 1 >= plan.phases.length) return [];
  const now = new Map(scopesAtPhase(plan, phase).map((s) => [s.id, s]));
  return plan.phases[phase + 1]!.grants.filter((g) => !now.has(g.id) || !sameScope(now.get(g.id)!, g));
}

export function measure(
  plan: RolloutPlan,
  input: {
    policyVersion: number;
    asOf: Date;
    facts: readonly RolloutFact[];
    health: Health;
    /** Delivery-breaker trips in the demotion window (oldest first): every granted reminder scope fails them. */
    breakerTrips?: readonly BreakerTrip[];
  },
): Measurement {
  const trips = input.breakerTrips ?? [];
  const phase = Math.min(plan.phase, plan.phases.length - 1);
  const promotion = promotionCriteriaFor(plan, phase + 1);
  const fromMs = input.asOf.getTime() - promotion.windowDays * 86_400_000;
  const candidates = candidateScopes(plan, phase);
  const granted = scopesAtPhase(plan, phase);
  // A widened scope is in both lists under one id: each list is counted on its own definition.
  const evidence = evidenceFor(granted, input.facts, input.asOf.getTime() - plan.demotion.windowDays * 86_400_000);
  const candidateEvidence = evidenceFor(candidates, input.facts, fromMs);
  return {
    asOf: input.asOf.toISOString(),
    policyVersion: input.policyVersion,
    phase,
    phaseNames: plan.phases.map((p) => p.name),
    windowDays: promotion.windowDays,
    consecutive: promotion.consecutive,
    candidates: candidates.map((s) => {
      const e = candidateEvidence.get(s.id)!;
      return { evidence: e, verdict: checkPromotion(e, input.health, promotion) };
    }),
    granted: granted.map((s) => {
      const e = evidence.get(s.id)!;
      const verdict = checkDemotion(e, input.health, plan.demotion, s.action === 'reminder' ? trips : undefined);
      return { evidence: e, verdict, grantedAtPhase: phaseGranting(plan, s.id) };
    }),
    health: input.health,
    breakerTrips: trips,
  };
}
