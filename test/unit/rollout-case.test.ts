import { describe, expect, it } from 'vitest';
import type { Measurement, ScopeMeasure } from '../../rollout/messages';
import { RolloutCase, RolloutRefusal } from '../../rollout/rollout-case';
import { emptyEvidence } from '../../rollout/criteria';

const AT = new Date('2026-03-01T00:15:00Z');
const NAMES = ['supervised', 'small reminders', 'higher ceilings'];

const scope = (scopeId: string, pass: boolean): ScopeMeasure => ({
  evidence: emptyEvidence(scopeId),
  verdict: { scopeId, pass, checks: pass ? [] : [{ name: 'sample', value: 3, limit: 50, pass: false, detail: 'decisions 3 < 50' }] },
});

function m(phase: number, candidatesPass: boolean[], grantedPass: boolean[] = []): Measurement {
  return {
    asOf: AT.toISOString(),
    policyVersion: 3,
    phase,
    phaseNames: NAMES,
    windowDays: 28,
    consecutive: 3,
    candidates: candidatesPass.map((p, i) => scope(`c${i}`, p)),
    granted: grantedPass.map((p, i) => ({ ...scope(`g${i}`, p), grantedAtPhase: 1 })),
    health: { ceiDropPoints: null, dsoRiseDays: null },
  };
}

describe('RolloutCase', () => {
  it('promotes only after K consecutive passes of every candidate scope; a miss restarts the streak', () => {
    const rc = new RolloutCase('ar-rollout');
    expect(rc.evaluate(m(0, [true, true]), AT, 'schedule', 'sys').kind).toBe('none');
    expect(rc.evaluate(m(0, [true, false]), AT, 'schedule', 'sys').streaks).toEqual({ c0: 2, c1: 0 });
    rc.evaluate(m(0, [true, true]), AT, 'schedule', 'sys');
    rc.evaluate(m(0, [true, true]), AT, 'schedule', 'sys');
    const d = rc.evaluate(m(0, [true, true]), AT, 'schedule', 'sys');
    expect(d).toMatchObject({ kind: 'promote', fromPhase: 0, toPhase: 1 });
    expect(rc.history.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('demotes at once, to before the failing scope was granted, even while held', () => {
    const rc = new RolloutCase('ar-rollout');
    rc.hold(AT, 'bob', 'audit');
    const d = rc.evaluate(m(2, [true], [true, false]), AT, 'schedule', 'sys');
    expect(d).toMatchObject({ kind: 'demote', fromPhase: 2, toPhase: 0 });
    expect(d.why).toContain('g1: decisions 3 < 50');
  });

  it('holds promotions while held, and refuses impossible admin requests', () => {
    const rc = new RolloutCase('ar-rollout');
    rc.hold(AT, 'bob', 'quarter end');
    for (let i = 0; i < 2; i++) rc.evaluate(m(0, [true]), AT, 'schedule', 'sys');
    expect(rc.evaluate(m(0, [true]), AT, 'schedule', 'sys').kind).toBe('held');
    expect(() => rc.validateHold()).toThrow(RolloutRefusal);
    rc.resume(AT, 'bob', 'done');
    expect(rc.evaluate(m(0, [true]), AT, 'schedule', 'sys').kind).toBe('promote');
    expect(() => rc.advance(m(0, [false]), AT, 'carol', 'why', false)).toThrow(/not met .*force/);
    expect(rc.advance(m(0, [false]), AT, 'carol', 'why', true)).toMatchObject({ kind: 'advance', forced: true });
    expect(() => rc.advance(m(2, []), AT, 'carol', 'why', true)).toThrow(/last phase/);
    expect(() => rc.rollback(m(0, []), AT, 'carol', 'why')).toThrow(/nothing to roll back/);
  });

  it('carries its history, streaks and hold into a new run', () => {
    const rc = new RolloutCase('ar-rollout');
    rc.evaluate(m(0, [true]), AT, 'schedule', 'sys');
    rc.hold(AT, 'bob', 'x');
    const next = new RolloutCase('ar-rollout', structuredClone(rc.carry()));
    expect(next.history).toEqual(rc.history);
    expect(next.held?.by).toBe('bob');
    expect(next.evaluate(m(0, [true]), AT, 'schedule', 'sys')).toMatchObject({ seq: 3, streaks: { c0: 2 } });
  });
});
