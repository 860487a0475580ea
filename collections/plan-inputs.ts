/**
 * The parts of a policy an invoice's plan is made from (next-action.ts: which dunning step comes
 * next and when): its tier's ladder and the calendar rules. A version that leaves these as they
 * were changes no sleeping invoice's wake-up: the invoice reads it when it wakes for its step. The
 * rest (autonomy, limits, no-touch lists, owners, templates' rules) is read when the step runs.
 */
import type { Policy } from '../domain/policy';

/** The tiers a ladder is kept for; any other tier is chased on the standard ladder (InvoiceCase.ladder). */
export const LADDER_TIERS = ['strategic', 'standard', 'small'] as const;
export type LadderTier = (typeof LADDER_TIERS)[number];

/** What every tier's plan reads, as a comparable string (keys sorted, so key order never counts as a change). */
function sharedPlanInputs(policy: Policy): string {
  return stableJson({
    sendWindow: policy.sendWindow,
    holidays: policy.holidays,
    handoffGraceDays: policy.handoffGraceDays,
    stepAliases: policy.stepAliases,
  });
}

function ladderInputs(policy: Policy, tier: LadderTier): string {
  return stableJson(policy.ladders[tier]);
}

/**
 * The tiers whose plans `newer` makes differently from `older`: all of them when the shared inputs
 * changed, none when only what a step reads as it runs changed.
 */
export function tiersReplanned(older: Policy, newer: Policy): LadderTier[] {
  if (sharedPlanInputs(older) !== sharedPlanInputs(newer)) return [...LADDER_TIERS];
  return LADDER_TIERS.filter((t) => ladderInputs(older, t) !== ladderInputs(newer, t));
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
