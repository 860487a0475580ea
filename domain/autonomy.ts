/**
 * The autonomy gate: may the system act on its own, or must it propose and wait for a person?
 * Supervised unless a scope in the policy in force explicitly grants autonomy (and the customer's
 * amount and risk score are inside that scope's ceilings).
 */
import type { AutonomyScope } from './policy';
import { ALWAYS_HUMAN, type ActionKind } from './policy-terms';

export interface GateInput {
  action: ActionKind;
  tier: string;
  segment: string;
  currency: string;
  amountMinor: number;
  noTouch: boolean;
  /**
   * The customer's risk score (0..100). Optional so callers from before it mattered compile; a
   * scope with a risk ceiling keeps a customer whose score is not given supervised.
   */
  riskScore?: number;
}

export interface GateDecision {
  mode: 'supervised' | 'autonomous';
  reason: string;
  /** The rollout plan's id of the scope that granted autonomy, when it has one. */
  scopeId?: string;
}

export function autonomyGate(input: GateInput, scopes: readonly AutonomyScope[]): GateDecision {
  if (ALWAYS_HUMAN.has(input.action)) return { mode: 'supervised', reason: `${input.action} is always decided by a person` };
  if (input.noTouch) return { mode: 'supervised', reason: 'no-touch account: a person decides every contact' };
  const match = scopes.find(
    (s) =>
      s.mode === 'autonomous' &&
      s.action === input.action &&
      s.tiers.includes(input.tier as AutonomyScope['tiers'][number]) &&
      (!s.segments || s.segments.includes(input.segment)),
  );
  if (!match) return { mode: 'supervised', reason: `no autonomous scope covers ${input.action} for ${input.tier}/${input.segment}` };
  if (match.maxRiskScore !== undefined) {
    if (input.riskScore === undefined)
      return {
        mode: 'supervised',
        reason: `the autonomous scope stops at risk score ${match.maxRiskScore} and this customer's score is not known`,
      };
    if (input.riskScore >= match.maxRiskScore)
      return {
        mode: 'supervised',
        reason: `risk score ${input.riskScore} is at or above the autonomous limit ${match.maxRiskScore}: a person decides`,
      };
  }
  if (match.maxAmountMinor) {
    const limit = match.maxAmountMinor[input.currency];
    if (limit === undefined) return { mode: 'supervised', reason: `the autonomous scope sets no limit for ${input.currency}` };
    if (input.amountMinor > limit)
      return { mode: 'supervised', reason: `amount ${input.amountMinor} exceeds the autonomous limit ${limit} ${input.currency}` };
  }
  return {
    mode: 'autonomous',
    reason: `autonomous scope${match.id ? ` ${match.id}` : ''}: ${input.action} for ${match.tiers.join('/')}`,
    ...(match.id ? { scopeId: match.id } : {}),
  };
}

/**
 * Shadow mode: what the system would have done on its own under the scopes running in shadow.
 * Null when no shadow scope covers the action (the proposal records no shadow choice).
 */
export function shadowChoice(input: GateInput, scopes: readonly AutonomyScope[]): { scopeId: string; reason: string } | null {
  const shadow = scopes.filter((s) => s.mode === 'shadow').map((s) => ({ ...s, mode: 'autonomous' as const }));
  if (shadow.length === 0) return null;
  const d = autonomyGate(input, shadow);
  return d.mode === 'autonomous' ? { scopeId: d.scopeId ?? 'unnamed', reason: d.reason } : null;
}
