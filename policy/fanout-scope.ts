/**
 * Who a publish must wake: the invoice workflows whose plan the new version makes differently
 * from the version they planned with (ArPolicyVersion), by tier (ArTier). The rest read the new
 * version when they wake for their next step, and re-plan there if it is not the one they planned
 * with (collections/workflow.ts, 'replan-on-newer-policy'). A publish that changes no ladder and no
 * calendar rule wakes nobody; one that changes the small ladder wakes the small tier only.
 */
import { LADDER_TIERS, type LadderTier, tiersReplanned } from '../collections/plan-inputs';
import type { Policy } from '../domain/policy';

export const RUNNING_INVOICES = 'WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"';

/** The versions (ascending) whose invoices re-plan for the same tiers. */
export interface ScopeGroup {
  versions: number[];
  tiers: LadderTier[];
}

export interface InvoiceScope {
  /** The visibility query of the invoice workflows to wake. */
  query: string;
  groups: ScopeGroup[];
  /** One line for the fan-out's progress and the Web UI. */
  description: string;
}

/**
 * `older`: every stored version below `current`'s. Workflows with no ArPolicyVersion (none read
 * yet, or a history from before the attribute) are always woken: nothing says what they planned with.
 */
export function invoiceScope(older: readonly { version: number; policy: Policy }[], current: Policy): InvoiceScope {
  const byTiers = new Map<string, ScopeGroup>();
  for (const o of [...older].sort((a, b) => a.version - b.version)) {
    const tiers = tiersReplanned(o.policy, current);
    if (tiers.length === 0) continue;
    const key = tiers.join(',');
    const group = byTiers.get(key) ?? { versions: [], tiers };
    group.versions.push(o.version);
    byTiers.set(key, group);
  }
  const groups = [...byTiers.values()];
  const terms = ['ArPolicyVersion IS NULL', ...groups.map((g) => `(${versionClause(g.versions)}${tierClause(g.tiers)})`)];
  return {
    query: `${RUNNING_INVOICES} AND (${terms.join(' OR ')})`,
    groups,
    description:
      groups.length === 0
        ? `no plan changes since any earlier version: invoices read v${current.version} at their next step`
        : `re-plan ${groups.map((g) => `${ranges(g.versions).join(', ')}: ${g.tiers.length === LADDER_TIERS.length ? 'all tiers' : g.tiers.join(', ')}`).join('; ')}`,
  };
}

function versionClause(versions: number[]): string {
  const parts = runs(versions).map(([a, b]) => (a === b ? `ArPolicyVersion = ${a}` : `ArPolicyVersion BETWEEN ${a} AND ${b}`));
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/** Other tiers than the three are chased on the standard ladder: they go with it. */
function tierClause(tiers: LadderTier[]): string {
  if (tiers.length === LADDER_TIERS.length) return '';
  const list = (ts: readonly string[]) => ts.map((t) => `"${t}"`).join(', ');
  if (tiers.includes('standard')) return ` AND ArTier NOT IN (${list(LADDER_TIERS.filter((t) => !tiers.includes(t)))})`;
  return ` AND ArTier IN (${list(tiers)})`;
}

function runs(sorted: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

const ranges = (versions: number[]) => runs(versions).map(([a, b]) => (a === b ? `v${a}` : `v${a}–${b}`));
