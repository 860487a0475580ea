import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autonomyGate, shadowChoice } from '../../domain/autonomy';
import { DEFAULT_POLICY, policySchema } from '../../domain/policy';
import {
  autonomyAtPhase,
  DEFAULT_ROLLOUT_PLAN,
  demotionCriteriaSchema,
  promotionCriteriaSchema,
  rolloutPlanSchema,
  scopesAtPhase,
} from '../../domain/rollout-plan';
import { checkDemotion, checkPromotion, emptyEvidence } from '../../rollout/criteria';
import { candidateScopes, covers, evidenceFor, measure, type RolloutFact } from '../../rollout/measure';
import type { Health, ScopeEvidence } from '../../rollout/messages';
import { isSampled, parseAutonomousApprover } from '../../rollout/review-queue';
import { wilsonInterval } from '../../insights/metrics/stats';

const PROMOTION = promotionCriteriaSchema.parse({});
const DEMOTION = demotionCriteriaSchema.parse({});
const NO_BASELINE: Health = { ceiDropPoints: null, dsoRiseDays: null };
const ev = (over: Partial<ScopeEvidence>): ScopeEvidence => ({ ...emptyEvidence('reminder-small'), ...over });

const fact = (over: Partial<RolloutFact> = {}): RolloutFact => ({
  atMs: Date.parse('2026-03-10T10:00:00Z'),
  action: 'reminder',
  tier: 'small',
  segment: 'default',
  currency: 'USD',
  amountMinor: 20_000,
  riskScore: 40,
  outcome: 'approved',
  shadowScope: null,
  review: null,
  bouncedOrComplained: false,
  disputedAfter: false,
  ...over,
});

describe('promotion criteria', () => {
  it('needs the minimum sample, the lower bound, the edit ceiling and the baseline margins', () => {
    const pass = checkPromotion(ev({ decided: 100, approvedAsDrafted: 98, approvedWithEdits: 2 }), NO_BASELINE, PROMOTION);
    expect(pass.pass).toBe(true);
    const small = checkPromotion(ev({ decided: 49, approvedAsDrafted: 49 }), NO_BASELINE, PROMOTION);
    expect(small.checks.find((c) => !c.pass)?.name).toBe('sample');
    const loose = checkPromotion(ev({ decided: 60, approvedAsDrafted: 58, approvedWithEdits: 2 }), NO_BASELINE, PROMOTION);
    expect(loose.checks.filter((c) => !c.pass).map((c) => c.detail)).toEqual(['approved-as-drafted lower bound 88.6% < 90.0%']);
    const edited = checkPromotion(ev({ decided: 100, approvedAsDrafted: 88, approvedWithEdits: 12 }), NO_BASELINE, {
      ...PROMOTION,
      minApprovedLowerBound: 0.5,
    });
    expect(edited.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['edit_rate']);
    const drift = checkPromotion(ev({ decided: 100, approvedAsDrafted: 100 }), { ceiDropPoints: 6, dsoRiseDays: 1 }, PROMOTION);
    expect(drift.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['cei_drop']);
  });

  it('requires shadow agreement only when the criteria ask for it', () => {
    const e = ev({ decided: 100, approvedAsDrafted: 100, shadowDecided: 10, shadowAgreed: 5 });
    expect(checkPromotion(e, NO_BASELINE, PROMOTION).pass).toBe(true);
    const v = checkPromotion(e, NO_BASELINE, { ...PROMOTION, minShadowAgreementLowerBound: 0.8 });
    expect(v.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['shadow_agreement_lower_bound']);
  });

  it('passes exactly when every check passes, and the lower bound check agrees with Wilson (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (a, e, r) => {
        const decided = a + e + r;
        const v = checkPromotion(ev({ decided, approvedAsDrafted: a, approvedWithEdits: e, rejected: r }), NO_BASELINE, PROMOTION);
        expect(v.pass).toBe(v.checks.every((c) => c.pass));
        const lower = decided ? wilsonInterval(a, decided)!.lower : null;
        expect(v.checks.find((c) => c.name === 'approved_lower_bound')!.pass).toBe(lower !== null && lower >= 0.9);
        // More approvals as drafted never turn a pass into a fail.
        if (v.pass && r > 0)
          expect(
            checkPromotion(ev({ decided, approvedAsDrafted: a + 1, approvedWithEdits: e, rejected: r - 1 }), NO_BASELINE, PROMOTION).pass,
          ).toBe(true);
      }),
    );
  });
});

describe('demotion criteria', () => {
  it('judges reviews only past the minimum, then demotes under the floor', () => {
    expect(checkDemotion(ev({ autonomous: 20, reviewed: 9, reviewedRight: 0 }), NO_BASELINE, DEMOTION).pass).toBe(true);
    const wrong = checkDemotion(ev({ autonomous: 20, reviewed: 12, reviewedRight: 0 }), NO_BASELINE, DEMOTION);
    expect(wrong.pass).toBe(false);
    expect(wrong.checks.find((c) => !c.pass)!.detail).toMatch(/reviewed-correct lower bound 0\.0% < 50\.0% \(0\/12 right\)/);
    expect(checkDemotion(ev({ autonomous: 100, reviewed: 10, reviewedRight: 10 }), NO_BASELINE, DEMOTION).pass).toBe(true);
  });

  it('demotes on bounces or complaints, disputes after autonomous sends, and DSO drift', () => {
    const names = (e: Partial<ScopeEvidence>, h = NO_BASELINE) =>
      checkDemotion(ev(e), h, DEMOTION)
        .checks.filter((c) => !c.pass)
        .map((c) => c.name);
    // Judged on the lower bound: 12 of 100 is confidently over 5%, 6 of 100 is not (one unlucky week).
    expect(names({ autonomous: 100, bouncedOrComplained: 12 })).toEqual(['bounce_complaint_rate']);
    expect(names({ autonomous: 100, disputedAfter: 12 })).toEqual(['dispute_after_rate']);
    expect(names({ autonomous: 100, disputedAfter: 6, bouncedOrComplained: 6 })).toEqual([]);
    expect(names({ autonomous: 100 }, { ceiDropPoints: 0, dsoRiseDays: 11 })).toEqual(['dso_rise']);
  });

  it('demotes a scope that sends email when the delivery breaker tripped in the window, whatever its own counts', () => {
    const clean = ev({ autonomous: 100, reviewed: 10, reviewedRight: 10 });
    const trip = { at: '2026-03-19T08:00:00.000Z', reason: 'bounce rate 25.0% (5 of 20 emails sent) over the last 60 minutes' };
    const tripped = checkDemotion(clean, NO_BASELINE, DEMOTION, [trip]);
    expect(tripped.pass).toBe(false);
    expect(tripped.checks.filter((c) => !c.pass)).toEqual([
      {
        name: 'delivery_breaker',
        value: 1,
        limit: 0,
        pass: false,
        detail: `the delivery breaker tripped the kill switch once in the window, last at 2026-03-19T08:00:00.000Z (${trip.reason})`,
      },
    ]);
    expect(checkDemotion(clean, NO_BASELINE, DEMOTION, []).pass).toBe(true);
    expect(checkDemotion(clean, NO_BASELINE, DEMOTION, []).checks.map((c) => c.name)).toContain('delivery_breaker');
    // A scope that sends no email is not given the trips: no breaker check at all.
    expect(checkDemotion(clean, NO_BASELINE, DEMOTION).checks.map((c) => c.name)).not.toContain('delivery_breaker');
  });
});

describe('the plan', () => {
  it('starts supervised, widens scopes phase by phase, and never grants what stays human', () => {
    expect(DEFAULT_POLICY.rollout.phase).toBe(0);
    expect(scopesAtPhase(DEFAULT_ROLLOUT_PLAN, 0)).toEqual([]);
    expect(scopesAtPhase(DEFAULT_ROLLOUT_PLAN, 1).map((s) => [s.id, s.maxAmountMinor?.USD])).toEqual([['reminder-small', 50_000]]);
    expect(scopesAtPhase(DEFAULT_ROLLOUT_PLAN, 2).map((s) => [s.id, s.maxAmountMinor?.USD])).toEqual([
      ['reminder-small', 500_000],
      ['reminder-standard', 100_000],
    ]);
    expect(scopesAtPhase(DEFAULT_ROLLOUT_PLAN, 4).map((s) => s.id)).toEqual([
      'reminder-small',
      'reminder-standard',
      'promise-logging',
      'cash-match-clean',
      'statement',
    ]);
    expect(candidateScopes(DEFAULT_ROLLOUT_PLAN, 1).map((s) => s.id)).toEqual(['reminder-small', 'reminder-standard']);
    expect(candidateScopes(DEFAULT_ROLLOUT_PLAN, 4)).toEqual([]);
  });

  it('refuses a plan that grants a write-off or a payment plan, starts autonomous, or names a missing phase', () => {
    const bad = (plan: unknown) => {
      const r = policySchema.safeParse({ ...DEFAULT_POLICY, rollout: plan });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const grant = (action: string) => ({
      phases: [
        { name: 'p0', grants: [] },
        { name: 'p1', grants: [{ id: 'x', action, tiers: ['small'] }] },
      ],
    });
    expect(bad(grant('write_off'))).toEqual([
      'rollout.phases.1.grants.0.action: is always decided by a person: no rollout phase may grant it',
    ]);
    expect(bad(grant('payment_plan_offer'))).toHaveLength(1);
    expect(bad({ phases: [{ name: 'p0', grants: [{ id: 'x', action: 'reminder', tiers: ['small'] }] }] })).toEqual([
      'rollout.phases.0.grants: phase 0 must grant nothing: the rollout starts supervised',
    ]);
    expect(bad({ ...grant('reminder'), phase: 2 })).toEqual(['rollout.phase: must name one of the 2 phases (0..1)']);
    expect(bad({ ...grant('reminder'), promotion: { minApprovedLowerBound: 1.5 } })[0]).toMatch(
      /^rollout\.promotion\.minApprovedLowerBound: /,
    );
  });

  it('writes granted scopes autonomous and the next phase in shadow, keeping hand-written scopes', () => {
    const handWritten = { action: 'statement' as const, tiers: ['small' as const], mode: 'autonomous' as const, reviewSampleRate: 0.1 };
    const scopes = autonomyAtPhase(DEFAULT_ROLLOUT_PLAN, 1, [handWritten, { ...handWritten, id: 'old' }]);
    expect(scopes.map((s) => [s.id, s.mode])).toEqual([
      [undefined, 'autonomous'],
      ['reminder-small', 'autonomous'],
      ['reminder-small', 'shadow'],
      ['reminder-standard', 'shadow'],
    ]);
    const policy = policySchema.parse({ ...DEFAULT_POLICY, autonomy: scopes.slice(1) });
    const gate = { action: 'reminder' as const, tier: 'small', segment: 'default', currency: 'USD', noTouch: false, riskScore: 40 };
    expect(autonomyGate({ ...gate, amountMinor: 40_000 }, policy.autonomy)).toMatchObject({
      mode: 'autonomous',
      scopeId: 'reminder-small',
    });
    // Above the phase-1 ceiling: proposed, and the shadow records that phase 2 would have sent it.
    expect(autonomyGate({ ...gate, amountMinor: 90_000 }, policy.autonomy).mode).toBe('supervised');
    expect(shadowChoice({ ...gate, amountMinor: 90_000 }, policy.autonomy)?.scopeId).toBe('reminder-small');
    expect(shadowChoice({ ...gate, tier: 'strategic', amountMinor: 100 }, policy.autonomy)).toBeNull();
    // No-touch stays human whatever the scopes say.
    expect(autonomyGate({ ...gate, amountMinor: 100, noTouch: true }, policy.autonomy).mode).toBe('supervised');
  });
});

describe('measuring scopes', () => {
  const small = scopesAtPhase(DEFAULT_ROLLOUT_PLAN, 1)[0]!;

  it('counts a fact for a scope only inside its tiers, ceilings and risk limit', () => {
    expect(covers(small, fact())).toBe(true);
    expect(covers(small, fact({ tier: 'standard' }))).toBe(false);
    expect(covers(small, fact({ amountMinor: 50_001 }))).toBe(false);
    expect(covers(small, fact({ currency: 'JPY' }))).toBe(false);
    expect(covers(small, fact({ riskScore: 70 }))).toBe(false);
    expect(covers(small, fact({ action: 'statement' }))).toBe(false);
  });

  it('splits decisions, shadow agreement and reviewed autonomous actions, inside the window only', () => {
    const from = Date.parse('2026-03-01T00:00:00Z');
    const facts = [
      fact(),
      fact({ outcome: 'approved_with_edits', shadowScope: 'reminder-small' }),
      fact({ shadowScope: 'reminder-small' }),
      fact({ outcome: 'rejected' }),
      fact({ outcome: 'autonomous', review: 'wrong', disputedAfter: true }),
      fact({ outcome: 'autonomous', review: 'right', bouncedOrComplained: true }),
      fact({ atMs: from - 1 }),
    ];
    expect(evidenceFor([small], facts, from).get('reminder-small')).toEqual({
      scopeId: 'reminder-small',
      decided: 4,
      approvedAsDrafted: 2,
      approvedWithEdits: 1,
      rejected: 1,
      shadowDecided: 2,
      shadowAgreed: 1,
      autonomous: 2,
      reviewed: 2,
      reviewedRight: 1,
      bouncedOrComplained: 1,
      disputedAfter: 1,
    });
  });

  it('measures the next phase for promotion and the granted scopes for demotion', () => {
    const plan = rolloutPlanSchema.parse({ ...DEFAULT_ROLLOUT_PLAN, phase: 1 });
    const asOf = new Date('2026-03-20T00:00:00Z');
    const m = measure(plan, { policyVersion: 7, asOf, facts: [fact()], health: NO_BASELINE });
    expect(m.candidates.map((c) => c.verdict.scopeId)).toEqual(['reminder-small', 'reminder-standard']);
    expect(m.granted.map((g) => [g.verdict.scopeId, g.grantedAtPhase, g.verdict.pass])).toEqual([['reminder-small', 1, true]]);
    expect(m).toMatchObject({ phase: 1, policyVersion: 7, consecutive: 3, windowDays: 28 });
  });

  it('judges granted scopes on the short demotion window, candidates on the promotion window', () => {
    const plan = rolloutPlanSchema.parse({ ...DEFAULT_ROLLOUT_PLAN, phase: 1 });
    const asOf = new Date('2026-03-20T00:00:00Z');
    const at = (daysAgo: number) => asOf.getTime() - daysAgo * 86_400_000;
    const wrong = Array.from({ length: 12 }, () => fact({ atMs: at(10), outcome: 'autonomous', review: 'wrong' }));
    const recent = Array.from({ length: 12 }, () => fact({ atMs: at(2), outcome: 'autonomous', review: 'right' }));
    const m = measure(plan, {
      policyVersion: 7,
      asOf,
      facts: [...wrong, ...recent, fact({ atMs: at(20), amountMinor: 60_000 })],
      health: NO_BASELINE,
    });
    // Ten days ago is outside the 7-day demotion window: only the 12 recent right reviews count.
    expect(m.granted[0]!.evidence).toMatchObject({ autonomous: 12, reviewed: 12, reviewedRight: 12 });
    expect(m.granted[0]!.verdict.pass).toBe(true);
    // The 20-day-old decision (above phase 1's ceiling, inside phase 2's) counts for promotion.
    expect(m.candidates.find((c) => c.verdict.scopeId === 'reminder-small')!.evidence.decided).toBe(1);
  });
});

describe('the delivery breaker in a measurement', () => {
  it('fails every granted reminder scope, and only those, so the rollout returns to before the first reminder grant', () => {
    const plan = rolloutPlanSchema.parse({ ...DEFAULT_ROLLOUT_PLAN, phase: 3 });
    const asOf = new Date('2026-03-20T00:00:00Z');
    const breakerTrips = [{ at: '2026-03-18T10:00:00.000Z', reason: 'complaint rate 5.0% (1 of 20 emails sent)' }];
    const m = measure(plan, { policyVersion: 7, asOf, facts: [], health: NO_BASELINE, breakerTrips });
    expect(m.granted.map((g) => [g.verdict.scopeId, g.verdict.pass])).toEqual([
      ['reminder-small', false],
      ['reminder-standard', false],
      ['promise-logging', true],
      ['cash-match-clean', true],
    ]);
    expect(m.breakerTrips).toEqual(breakerTrips);
    const failing = m.granted.filter((g) => !g.verdict.pass);
    expect(Math.min(...failing.map((g) => g.grantedAtPhase - 1))).toBe(0);
    // No trip: the same measurement demotes nothing.
    expect(
      measure(plan, { policyVersion: 7, asOf, facts: [], health: NO_BASELINE, breakerTrips: [] }).granted.every((g) => g.verdict.pass),
    ).toBe(true);
  });

  it("counts the provider's bounces of autonomous sends in the scope's bounce/complaint rate", () => {
    const plan = rolloutPlanSchema.parse({ ...DEFAULT_ROLLOUT_PLAN, phase: 1 });
    const asOf = new Date('2026-03-20T00:00:00Z');
    const sends = Array.from({ length: 40 }, (_, i) =>
      fact({ atMs: asOf.getTime() - 86_400_000, outcome: 'autonomous', bouncedOrComplained: i < 10 }),
    );
    const m = measure(plan, { policyVersion: 7, asOf, facts: sends, health: NO_BASELINE });
    expect(m.granted[0]!.evidence).toMatchObject({ autonomous: 40, bouncedOrComplained: 10, reviewed: 0 });
    expect(m.granted[0]!.verdict.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['bounce_complaint_rate']);
  });
});

describe('review sampling', () => {
  it('reads the phase and scope from an autonomous approver', () => {
    expect(parseAutonomousApprover('autonomy:policy-v12:phase-2:reminder-small:autonomous')).toEqual({
      policyVersion: 12,
      phase: 2,
      scopeId: 'reminder-small',
    });
    expect(parseAutonomousApprover('autonomy:policy-v3')).toBeNull();
    expect(parseAutonomousApprover('alice')).toBeNull();
  });

  it('samples the same keys every time, about the rate over many', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `invoice-${i}/overdue-1/sent`);
    const share = keys.filter((k) => isSampled(k, 0.1)).length / keys.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect(keys.filter((k) => isSampled(k, 0))).toEqual([]);
    expect(keys.every((k) => isSampled(k, 1))).toBe(true);
    expect(keys.slice(0, 50).map((k) => isSampled(k, 0.3))).toEqual(keys.slice(0, 50).map((k) => isSampled(k, 0.3)));
  });
});
