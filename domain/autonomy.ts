/**
 * The autonomy gate: may the system act on its own, or must it propose and wait for a person?
 * Supervised unless a scope in the policy in force explicitly grants autonomy.
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
}

export interface GateDecision {
  mode: 'supervised' | 'autonomous';
  reason: string;
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
  if (match.maxAmountMinor) {
    const limit = match.maxAmountMinor[input.currency];
    if (limit === undefined) return { mode: 'supervised', reason: `the autonomous scope sets no limit for ${input.currency}` };
    if (input.amountMinor > limit) return { mode: 'supervised', reason: `amount ${input.amountMinor} exceeds the autonomous limit ${limit} ${input.currency}` };
  }
  return { mode: 'autonomous', reason: `autonomous scope: ${input.action} for ${match.tiers.join('/')}` };
}
