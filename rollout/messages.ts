/**
 * Every message the ar-rollout workflow accepts, and the shapes it reads and records, typed in one
 * place. Admin actions are Updates: the caller gets the decision, and a validator refuses a bad or
 * impossible request (advance past the last phase, no note) before it is written to history.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AdvanceRequest, ControlRequest, EvaluateRequest } from './message-schemas';

export const ROLLOUT_WORKFLOW_ID = 'ar-rollout';

/** What was measured for one scope over the window. */
export interface ScopeEvidence {
  readonly scopeId: string;
  /** Decisions a person made on proposals inside the scope. */
  readonly decided: number;
  readonly approvedAsDrafted: number;
  readonly approvedWithEdits: number;
  readonly rejected: number;
  /** Proposals with a shadow choice that a person decided, and those approved as drafted (agreement). */
  readonly shadowDecided: number;
  readonly shadowAgreed: number;
  /** Actions the system took on its own in the scope. */
  readonly autonomous: number;
  readonly reviewed: number;
  readonly reviewedRight: number;
  /** Autonomous sends that bounced or drew a complaint: a review's mark or the provider's delivery event. */
  readonly bouncedOrComplained: number;
  /** Autonomous sends followed by a dispute on their invoice. */
  readonly disputedAfter: number;
}

/** The kill switch tripped by the delivery breaker (POST /webhooks/resend): when, and the reason it gave. */
export interface BreakerTrip {
  readonly at: string;
  readonly reason: string;
}

/** Receivables health against the baseline, worst currency; null when no baseline is stored. */
export interface Health {
  /** Baseline CEI − current CEI, in points (positive: CEI fell). */
  readonly ceiDropPoints: number | null;
  /** Current DSO − baseline DSO, in days (positive: DSO rose). */
  readonly dsoRiseDays: number | null;
}

export interface Check {
  readonly name: string;
  readonly value: number | null;
  readonly limit: number;
  readonly pass: boolean;
  readonly detail: string;
}

export interface Verdict {
  readonly scopeId: string;
  readonly pass: boolean;
  readonly checks: readonly Check[];
}

export interface ScopeMeasure {
  readonly evidence: ScopeEvidence;
  readonly verdict: Verdict;
}

/** One evaluation's reading of the evidence: what the measure activity returns to the workflow. */
export interface Measurement {
  readonly asOf: string;
  readonly policyVersion: number;
  /** The phase the policy in force holds. */
  readonly phase: number;
  readonly phaseNames: readonly string[];
  readonly windowDays: number;
  /** K: consecutive passing evaluations before a promotion. */
  readonly consecutive: number;
  /** The next phase's new or widened scopes, checked against the promotion criteria. */
  readonly candidates: readonly ScopeMeasure[];
  /** The scopes granted now, checked against the demotion criteria (pass false: demote). */
  readonly granted: readonly (ScopeMeasure & { readonly grantedAtPhase: number })[];
  readonly health: Health;
  /** Delivery-breaker trips in the demotion window, since the grants in force were made (absent in older records). */
  readonly breakerTrips?: readonly BreakerTrip[];
}

export type RolloutDecisionKind = 'promote' | 'demote' | 'hold' | 'resume' | 'advance' | 'rollback' | 'none' | 'held';

/** One entry of the decision history (carried across continue-as-new, stored in autonomy_changes). */
export interface RolloutDecision {
  readonly seq: number;
  readonly at: string;
  readonly kind: RolloutDecisionKind;
  readonly fromPhase: number;
  readonly toPhase: number;
  readonly by: string;
  readonly trigger: 'schedule' | 'on_demand' | 'admin';
  readonly why: string;
  readonly forced: boolean;
  readonly note?: string;
  /** Scope id → streak of passing evaluations after this one. */
  readonly streaks: Readonly<Record<string, number>>;
  readonly policyVersion: number | null;
  /** The short metrics this decision saw (the full measurement goes to autonomy_changes). */
  readonly seen: readonly { scopeId: string; role: 'candidate' | 'granted'; pass: boolean; failing: string[] }[];
}

export interface RolloutCarry {
  phase: number | null;
  held: { by: string; note: string; at: string } | null;
  streaks: Record<string, number>;
  history: RolloutDecision[];
  seq: number;
  nextEvaluationAt: string | null;
}

export interface RolloutStateView {
  workflowId: string;
  phase: number | null;
  phaseName: string | null;
  held: RolloutCarry['held'];
  streaks: Record<string, number>;
  nextEvaluationAt: string | null;
  lastMeasurement: Measurement | null;
  history: RolloutDecision[];
}

export interface RolloutInput {
  /** Hours between scheduled evaluations (default 24). */
  evaluateEveryHours?: number;
  /** Continue as new after this many decisions in one run (default 100). */
  continueAsNewAfter?: number;
  carried?: RolloutCarry;
}

export type { AdvanceRequest, ControlRequest, EvaluateRequest };

export const evaluateRolloutUpdate = defineUpdate<RolloutDecision, [EvaluateRequest]>('evaluateRollout');
export const holdRolloutUpdate = defineUpdate<RolloutDecision, [ControlRequest]>('holdRollout');
export const resumeRolloutUpdate = defineUpdate<RolloutDecision, [ControlRequest]>('resumeRollout');
export const advanceRolloutUpdate = defineUpdate<RolloutDecision, [AdvanceRequest]>('advanceRollout');
export const rollbackRolloutUpdate = defineUpdate<RolloutDecision, [ControlRequest]>('rollbackRollout');
export const rolloutStateQuery = defineQuery<RolloutStateView>('rolloutState');
