/**
 * Scores match results against the generator's labels: precision of what would be applied
 * automatically, the automatic rate among credits a person could attribute, and automatic
 * applications of credits nobody could attribute (which must be zero).
 */
import type { MatchResult } from '../types';
import type { LabelledCredit, Scenario } from './generator';

interface ScenarioCounts {
  n: number;
  auto: number;
  autoCorrect: number;
  propose: number;
  proposeCorrect: number;
  unapplied: number;
}

export interface Accuracy {
  readonly byScenario: ReadonlyMap<Scenario, ScenarioCounts>;
  readonly credits: number;
  readonly autoApplied: number;
  readonly autoCorrect: number;
  /** Correct automatic applications over all automatic applications (1 when there are none). */
  readonly precision: number;
  readonly matchable: number;
  readonly autoMatchable: number;
  /** Matchable credits applied automatically (and correctly) over all matchable credits. */
  readonly autoRate: number;
  readonly unattributableAuto: number;
  /** Credit ids of wrong automatic applications, for debugging. */
  readonly wrongAuto: readonly string[];
}

function sameAllocation(result: MatchResult, expected: NonNullable<LabelledCredit['expected']>): boolean {
  if (result.customerId !== expected.customerId) return false;
  const key = (a: { invoiceNumber: string; amountMinor: number }) => `${a.invoiceNumber}=${a.amountMinor}`;
  const got = result.allocations.map(key).sort();
  const want = expected.allocations.map(key).sort();
  return got.length === want.length && got.every((g, i) => g === want[i]);
}

export function evaluate(labelled: readonly LabelledCredit[], results: readonly MatchResult[]): Accuracy {
  const byScenario = new Map<Scenario, ScenarioCounts>();
  let autoApplied = 0;
  let autoCorrect = 0;
  let matchable = 0;
  let autoMatchable = 0;
  let unattributableAuto = 0;
  const wrongAuto: string[] = [];
  labelled.forEach((l, i) => {
    const r = results[i]!;
    const s = byScenario.get(l.scenario) ?? { n: 0, auto: 0, autoCorrect: 0, propose: 0, proposeCorrect: 0, unapplied: 0 };
    byScenario.set(l.scenario, s);
    s.n++;
    const correct = l.expected !== null && sameAllocation(r, l.expected);
    if (l.expected) matchable++;
    if (r.outcome === 'auto') {
      s.auto++;
      autoApplied++;
      if (correct) {
        s.autoCorrect++;
        autoCorrect++;
        autoMatchable++;
      } else wrongAuto.push(l.credit.id);
      if (!l.expected) unattributableAuto++;
    } else if (r.outcome === 'propose') {
      s.propose++;
      if (correct) s.proposeCorrect++;
    } else s.unapplied++;
  });
  return {
    byScenario,
    credits: labelled.length,
    autoApplied,
    autoCorrect,
    precision: autoApplied ? autoCorrect / autoApplied : 1,
    matchable,
    autoMatchable,
    autoRate: matchable ? autoMatchable / matchable : 0,
    unattributableAuto,
    wrongAuto,
  };
}
