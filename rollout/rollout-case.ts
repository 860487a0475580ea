/**
 * The rollout's state and rules, free of Temporal: the phase, a hold, the streak of passing
 * evaluations per candidate scope, and the decision history. The workflow feeds it measurements
 * and admin requests; it answers with the decision to record (and publish, when the phase moves).
 */
import type { Measurement, RolloutCarry, RolloutDecision, RolloutDecisionKind, RolloutStateView } from './messages';

/** Decisions kept in memory (and carried across continue-as-new); every one is also in autonomy_changes. */
const HISTORY_KEPT = 200;

export class RolloutRefusal extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RolloutRefusal';
  }
}

export class RolloutCase {
  phase: number | null;
  held: RolloutCarry['held'];
  streaks: Record<string, number>;
  readonly history: RolloutDecision[];
  seq: number;
  nextEvaluationAt: string | null;
  lastMeasurement: Measurement | null = null;
  /** Decisions made in this run (continue-as-new counts them). */
  decisionsThisRun = 0;

  constructor(
    readonly workflowId: string,
    carried?: RolloutCarry,
  ) {
    this.phase = carried?.phase ?? null;
    this.held = carried?.held ?? null;
    this.streaks = { ...(carried?.streaks ?? {}) };
    this.history = [...(carried?.history ?? [])];
    this.seq = carried?.seq ?? 0;
    this.nextEvaluationAt = carried?.nextEvaluationAt ?? null;
  }

  /** The policy holds the phase in force: adopt it (a person may have published one by hand). */
  adopt(m: Measurement): void {
    this.lastMeasurement = m;
    this.phase = m.phase;
  }

  /** A scheduled or on-demand evaluation: demotion first (safety), then promotion unless held. */
  evaluate(m: Measurement, at: Date, trigger: 'schedule' | 'on_demand', by: string): RolloutDecision {
    this.adopt(m);
    const from = m.phase;
    const seen = this.seen(m);
    // Every evaluation's decision differs only in its kind, target phase and reason.
    const decide = (kind: 'demote' | 'promote' | 'held' | 'none', to: number, why: string) =>
      this.record({ kind, at, from, to, by, trigger, why, seen, policyVersion: m.policyVersion });
    const failing = m.granted.filter((g) => !g.verdict.pass);
    if (failing.length > 0) {
      const to = Math.max(0, Math.min(...failing.map((g) => g.grantedAtPhase - 1)));
      this.streaks = {};
      const why = failing
        .map(
          (g) =>
            `${g.verdict.scopeId}: ${g.verdict.checks
              .filter((c) => !c.pass)
              .map((c) => c.detail)
              .join('; ')}`,
        )
        .join(' | ');
      return decide('demote', to, `demoted to phase ${to}: ${why}`);
    }
    const next = from + 1 < m.phaseNames.length ? from + 1 : null;
    const streaks: Record<string, number> = {};
    for (const c of m.candidates) streaks[c.verdict.scopeId] = c.verdict.pass ? (this.streaks[c.verdict.scopeId] ?? 0) + 1 : 0;
    this.streaks = streaks;
    if (next === null) return decide('none', from, 'the last phase is in force');
    const short = m.candidates.filter((c) => (streaks[c.verdict.scopeId] ?? 0) < m.consecutive);
    if (short.length === 0 && this.held)
      return decide('held', from, `criteria for phase ${next} hold, but the rollout is held by ${this.held.by}: ${this.held.note}`);
    if (short.length === 0) {
      this.streaks = {};
      const why = `every scope of phase ${next} (${m.candidates.map((c) => c.verdict.scopeId).join(', ') || 'none new'}) passed ${m.consecutive} consecutive evaluations`;
      return decide('promote', next, `promoted to phase ${next}: ${why}`);
    }
    const why = short
      .map((c) => {
        const failed = c.verdict.checks.filter((k) => !k.pass);
        return failed.length
          ? `${c.verdict.scopeId}: ${failed.map((k) => k.detail).join('; ')}`
          : `${c.verdict.scopeId}: passing ${streaks[c.verdict.scopeId]} of ${m.consecutive} consecutive evaluations`;
      })
      .join(' | ');
    return decide('none', from, `stays at phase ${from}: ${why}`);
  }

  // ---- admin requests: validate (throws RolloutRefusal) then apply ---------------------------------

  validateHold(): void {
    if (this.held) throw new RolloutRefusal('AlreadyHeld', `the rollout is already held by ${this.held.by}: ${this.held.note}`);
  }

  validateResume(): void {
    if (!this.held) throw new RolloutRefusal('NotHeld', 'the rollout is not held');
  }

  validateAdvance(phaseCount: number | null): void {
    if (this.phase !== null && phaseCount !== null && this.phase + 1 >= phaseCount)
      throw new RolloutRefusal('LastPhase', `phase ${this.phase} is the last phase of the plan`);
  }

  validateRollback(): void {
    if (this.phase === 0) throw new RolloutRefusal('FirstPhase', 'phase 0 (all supervised) is the first phase: nothing to roll back');
  }

  hold(at: Date, by: string, note: string): RolloutDecision {
    this.held = { by, note, at: at.toISOString() };
    const phase = this.phase ?? 0;
    return this.record({
      kind: 'hold',
      at,
      from: phase,
      to: phase,
      by,
      trigger: 'admin',
      why: `held: no promotion until resumed`,
      note,
      seen: [],
      policyVersion: null,
    });
  }

  resume(at: Date, by: string, note: string): RolloutDecision {
    this.held = null;
    const phase = this.phase ?? 0;
    return this.record({
      kind: 'resume',
      at,
      from: phase,
      to: phase,
      by,
      trigger: 'admin',
      why: 'resumed: evaluations may promote again',
      note,
      seen: [],
      policyVersion: null,
    });
  }

  /** A manual advance; past unmet criteria it needs force, and is recorded as forced. */
  advance(m: Measurement, at: Date, by: string, note: string, force: boolean): RolloutDecision {
    this.adopt(m);
    const from = m.phase;
    if (from + 1 >= m.phaseNames.length) throw new RolloutRefusal('LastPhase', `phase ${from} is the last phase of the plan`);
    const unmet = m.candidates.filter((c) => !c.verdict.pass);
    if (unmet.length > 0 && !force)
      throw new RolloutRefusal(
        'CriteriaUnmet',
        `criteria for phase ${from + 1} are not met (${unmet
          .map(
            (c) =>
              `${c.verdict.scopeId}: ${c.verdict.checks
                .filter((k) => !k.pass)
                .map((k) => k.detail)
                .join('; ')}`,
          )
          .join(' | ')}): advance with force to override`,
      );
    this.streaks = {};
    const why = unmet.length
      ? `advanced by hand past unmet criteria (${unmet.map((c) => c.verdict.scopeId).join(', ')}), forced`
      : 'advanced by hand; the criteria are met';
    return this.record({
      kind: 'advance',
      at,
      from,
      to: from + 1,
      by,
      trigger: 'admin',
      why,
      note,
      forced: unmet.length > 0,
      seen: this.seen(m),
      policyVersion: m.policyVersion,
    });
  }

  rollback(m: Measurement, at: Date, by: string, note: string): RolloutDecision {
    this.adopt(m);
    const from = m.phase;
    if (from === 0) throw new RolloutRefusal('FirstPhase', 'phase 0 (all supervised) is the first phase: nothing to roll back');
    this.streaks = {};
    return this.record({
      kind: 'rollback',
      at,
      from,
      to: from - 1,
      by,
      trigger: 'admin',
      why: `rolled back by hand to phase ${from - 1}`,
      note,
      seen: this.seen(m),
      policyVersion: m.policyVersion,
    });
  }

  /** After the change is published: the new phase and the version that carries it. */
  applied(d: RolloutDecision, policyVersion: number): RolloutDecision {
    this.phase = d.toPhase;
    const done = { ...d, policyVersion };
    const i = this.history.findIndex((h) => h.seq === d.seq);
    if (i >= 0) this.history[i] = done;
    return done;
  }

  static changesPhase(d: RolloutDecision): boolean {
    return d.toPhase !== d.fromPhase;
  }

  carry(): RolloutCarry {
    return {
      phase: this.phase,
      held: this.held,
      streaks: this.streaks,
      history: this.history,
      seq: this.seq,
      nextEvaluationAt: this.nextEvaluationAt,
    };
  }

  view(): RolloutStateView {
    const names = this.lastMeasurement?.phaseNames;
    return {
      workflowId: this.workflowId,
      phase: this.phase,
      phaseName: this.phase !== null && names ? (names[this.phase] ?? null) : null,
      held: this.held,
      streaks: this.streaks,
      nextEvaluationAt: this.nextEvaluationAt,
      lastMeasurement: this.lastMeasurement,
      history: this.history,
    };
  }

  /** One line for the Web UI's summary and current details. */
  summary(): string {
    const phase =
      this.phase === null ? 'phase not read yet' : `phase ${this.phase}${this.view().phaseName ? ` (${this.view().phaseName})` : ''}`;
    const last = this.history.at(-1);
    return `${phase}${this.held ? `; held by ${this.held.by}` : ''}${last ? `; last: ${last.kind} at ${last.at}` : ''}`;
  }

  private seen(m: Measurement): RolloutDecision['seen'] {
    return [
      ...m.candidates.map((c) => ({
        scopeId: c.verdict.scopeId,
        role: 'candidate' as const,
        pass: c.verdict.pass,
        failing: c.verdict.checks.filter((k) => !k.pass).map((k) => k.name),
      })),
      ...m.granted.map((g) => ({
        scopeId: g.verdict.scopeId,
        role: 'granted' as const,
        pass: g.verdict.pass,
        failing: g.verdict.checks.filter((k) => !k.pass).map((k) => k.name),
      })),
    ];
  }

  private record(d: {
    kind: RolloutDecisionKind;
    at: Date;
    from: number;
    to: number;
    by: string;
    trigger: RolloutDecision['trigger'];
    why: string;
    note?: string;
    forced?: boolean;
    seen: RolloutDecision['seen'];
    policyVersion: number | null;
  }): RolloutDecision {
    const decision: RolloutDecision = {
      seq: ++this.seq,
      at: d.at.toISOString(),
      kind: d.kind,
      fromPhase: d.from,
      toPhase: d.to,
      by: d.by,
      trigger: d.trigger,
      why: d.why,
      forced: d.forced ?? false,
      ...(d.note ? { note: d.note } : {}),
      streaks: { ...this.streaks },
      policyVersion: d.policyVersion,
      seen: d.seen,
    };
    this.history.push(decision);
    if (this.history.length > HISTORY_KEPT) this.history.splice(0, this.history.length - HISTORY_KEPT);
    this.decisionsThisRun++;
    return decision;
  }
}
