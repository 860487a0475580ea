import { describe, expect, it } from 'vitest';
import {
  amountBand,
  computeDecisionMetrics,
  DEFAULT_AMOUNT_BANDS,
  type DecisionRow,
  describeTuningRow,
  type EditCategory,
  wilsonInterval,
} from '../../insights/metrics/decisions';

describe('wilsonInterval', () => {
  it('matches the formula on known values', () => {
    // 45/50: p = 0.9, z² = 3.841459, z²/n = 0.0768292; centre = (0.9 + 0.0384146) ÷ 1.0768292 = 0.871460;
    // half = 1.959964 × √(0.0018 + 0.000384146) ÷ 1.0768292 = 1.959964 × 0.0467349 ÷ 1.0768292 = 0.085063
    const w = wilsonInterval(45, 50)!;
    expect(w.rate).toBe(0.9);
    expect(w.lower).toBeCloseTo(0.7864, 4);
    expect(w.upper).toBeCloseTo(0.9565, 4);
    // 5/10: centre 0.5, half = 1.959964 × √(0.025 + 0.0096036) ÷ 1.3841459 = 0.263408 → [0.2366, 0.7634]
    expect(wilsonInterval(5, 10)).toMatchObject({ rate: 0.5 });
    expect(wilsonInterval(5, 10)!.lower).toBeCloseTo(0.2366, 4);
    expect(wilsonInterval(5, 10)!.upper).toBeCloseTo(0.7634, 4);
    // 3/10: centre (0.3 + 0.192073) ÷ 1.3841459 = 0.355506, half 0.247714 → [0.1078, 0.6032]
    expect(wilsonInterval(3, 10)!.lower).toBeCloseTo(0.1078, 4);
    expect(wilsonInterval(3, 10)!.upper).toBeCloseTo(0.6032, 4);
    // 0/10: lower 0, upper = (z²/n) ÷ (1 + z²/n) = 0.3841459 ÷ 1.3841459 = 0.27753; 10/10 mirrors it
    expect(wilsonInterval(0, 10)).toEqual({ rate: 0, lower: 0, upper: expect.closeTo(0.27753, 5) });
    expect(wilsonInterval(10, 10)).toEqual({ rate: 1, lower: expect.closeTo(0.72247, 5), upper: 1 });
  });

  it('n = 0 → null; nonsense counts are refused', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe('amount bands', () => {
  it('per currency, in minor units; unknown currencies are unbanded', () => {
    expect(amountBand(DEFAULT_AMOUNT_BANDS, 'USD', 99_999)).toBe('small'); // 999.99
    expect(amountBand(DEFAULT_AMOUNT_BANDS, 'USD', 100_000)).toBe('medium'); // 1,000.00
    expect(amountBand(DEFAULT_AMOUNT_BANDS, 'USD', 999_999)).toBe('medium');
    expect(amountBand(DEFAULT_AMOUNT_BANDS, 'USD', 1_000_000)).toBe('large'); // 10,000.00
    expect(amountBand(DEFAULT_AMOUNT_BANDS, 'JPY', 5)).toBe('unbanded');
    const bands = { byCurrency: { JPY: [{ band: 'small', belowMinor: 100_000 }] }, topBand: 'big' };
    expect(amountBand(bands, 'JPY', 100_000)).toBe('big'); // ¥100,000 (JPY has no minor unit)
  });
});

const AS_OF = '2026-03-31T23:59:59Z';

function row(over: Partial<DecisionRow>): DecisionRow {
  return {
    decidedAt: '2026-03-20T10:00:00Z',
    actionKind: 'reminder',
    tier: 'strategic',
    segment: 'enterprise',
    currency: 'USD',
    amountMinor: 50_000,
    outcome: 'approved',
    stepKey: 'overdue-21',
    customerId: 'cA',
    ...over,
  };
}

/*
 * Scope reminder|strategic|enterprise|small (USD 500.00, step overdue-21):
 *   people: 3 approved (cA, cB, cC), 5 with edits (tone cA, tone cB, tone cC, tone cA, amount cB), 2 rejected (cC, cA)
 *   autonomous: 4 for cA, reviewed right, right, wrong, and one not sampled
 *   → 14 decisions, 10 by a person; customers cA 8, cB 3, cC 3
 * Scope reminder|strategic|enterprise|large: EUR 20,000.00 approved (step overdue-7)
 * Scope reminder|small|smb|unbanded: JPY ¥5000 approved (step overdue-21)
 * Outside the window [2026-03-01T23:59:59Z, 2026-03-31T23:59:59Z]: 2026-03-01T23:59:58Z,
 *   2026-04-01T00:00:00Z and 2026-03-31T20:00:00-05:00 (= 2026-04-01T01:00:00Z).
 * On the edges, included: 2026-03-01T23:59:59Z (the first approved) and asOf itself (the first rejected).
 */
const ROWS: DecisionRow[] = [
  row({ outcome: 'approved', customerId: 'cA', decidedAt: '2026-03-01T23:59:59Z' }),
  row({ outcome: 'approved', customerId: 'cB' }),
  row({ outcome: 'approved', customerId: 'cC', decidedAt: '2026-03-21T00:30:00+01:00' }),
  ...(['tone', 'tone', 'tone', 'tone', 'amount'] as EditCategory[]).map((editCategory, i) =>
    row({ outcome: 'approved_with_edits', editCategory, customerId: ['cA', 'cB', 'cC', 'cA', 'cB'][i]! }),
  ),
  row({ outcome: 'rejected', customerId: 'cC', decidedAt: AS_OF }),
  row({ outcome: 'rejected', customerId: 'cA' }),
  row({ outcome: 'autonomous', reviewOutcome: 'right' }),
  row({ outcome: 'autonomous', reviewOutcome: 'right' }),
  row({ outcome: 'autonomous', reviewOutcome: 'wrong' }),
  row({ outcome: 'autonomous' }),
  row({ currency: 'EUR', amountMinor: 2_000_000, stepKey: 'overdue-7', customerId: 'cD' }),
  row({ currency: 'JPY', amountMinor: 5000, tier: 'small', segment: 'smb', customerId: 'cE' }),
  row({ decidedAt: '2026-03-01T23:59:58Z', outcome: 'rejected' }),
  row({ decidedAt: '2026-04-01T00:00:00Z', outcome: 'rejected' }),
  row({ decidedAt: '2026-03-31T20:00:00-05:00', outcome: 'rejected' }),
];

describe('computeDecisionMetrics', () => {
  const m = computeDecisionMetrics(ROWS, { asOf: AS_OF, windowDays: 30 });

  it('window: both ends included, offsets honoured', () => {
    expect(m.windowFrom).toBe('2026-03-01T23:59:59.000Z');
    expect(m.decisions).toBe(16); // 14 + EUR + JPY
    expect(m.outsideWindow).toBe(3);
    expect(m.scopes.map((s) => s.key)).toEqual([
      'reminder|small|smb|unbanded',
      'reminder|strategic|enterprise|large',
      'reminder|strategic|enterprise|small',
    ]);
  });

  it('counts and rates of one scope', () => {
    const s = m.scopes.find((x) => x.key === 'reminder|strategic|enterprise|small')!;
    expect(s.scope).toEqual({ actionKind: 'reminder', tier: 'strategic', segment: 'enterprise', amountBand: 'small' });
    expect(s.counts).toEqual({
      total: 14,
      reviewedByPerson: 10,
      approvedAsDrafted: 3,
      approvedWithEdits: 5,
      rejected: 2,
      autonomous: 4,
      editCategories: { tone: 4, amount: 1, contact: 0, timing: 0, wording: 0, other: 0, unspecified: 0 },
      sampled: 3,
      sampledRight: 2,
      sampledWrong: 1,
      distinctCustomers: 3,
      maxTouchesPerCustomer: 8, // cA: 1 approved + 2 edits + 1 rejected + 4 autonomous
    });
    expect(s.touchesPerCustomer).toBeCloseTo(14 / 3, 10);
    // approved as drafted 3/10 → Wilson [0.1078, 0.6032]
    expect(s.rates.approvedAsDrafted).toMatchObject({ numerator: 3, count: 10, rate: 0.3 });
    expect(s.rates.approvedAsDrafted.lower).toBeCloseTo(0.1078, 4);
    expect(s.rates.approvedAsDrafted.upper).toBeCloseTo(0.6032, 4);
    // edited 5/10 → [0.2366, 0.7634]
    expect(s.rates.approvedWithEdits).toMatchObject({
      numerator: 5,
      count: 10,
      rate: 0.5,
      lower: expect.closeTo(0.2366, 4),
      upper: expect.closeTo(0.7634, 4),
    });
    expect(s.rates.rejected).toMatchObject({ numerator: 2, count: 10, rate: 0.2 });
    // 4 of 14 taken without a person
    expect(s.rates.autonomousShare).toMatchObject({ numerator: 4, count: 14, rate: 4 / 14 });
    expect(s.rates.sampledShare).toMatchObject({ numerator: 3, count: 4, rate: 0.75 });
    expect(s.rates.sampledWrong).toMatchObject({ numerator: 1, count: 3, rate: 1 / 3 });
    // tone 4 of 5 edits
    expect(s.rates.editCategories.tone).toMatchObject({ numerator: 4, count: 5, rate: 0.8 });
    expect(s.rates.editCategories.contact).toMatchObject({ numerator: 0, count: 5, rate: 0 });
  });

  it('a scope without a person decision has null rates for them', () => {
    const only = computeDecisionMetrics([row({ outcome: 'autonomous' })], { asOf: AS_OF });
    const s = only.scopes[0]!;
    expect(s.rates.approvedAsDrafted).toEqual({ numerator: 0, count: 0, rate: null, lower: null, upper: null });
    expect(s.rates.autonomousShare).toMatchObject({ numerator: 1, count: 1, rate: 1 });
    expect(s.rates.sampledWrong.rate).toBeNull();
  });

  it('overall touches per customer across scopes', () => {
    // 16 decisions over cA, cB, cC, cD, cE
    expect(m.overall.counts.distinctCustomers).toBe(5);
    expect(m.overall.touchesPerCustomer).toBeCloseTo(16 / 5, 10);
    expect(m.overall.rates.autonomousShare).toMatchObject({ numerator: 4, count: 16 });
  });

  it('tuning table and its sentences', () => {
    expect(m.tuning.map((t) => `${t.tier}|${t.stepKey}`)).toEqual(['small|overdue-21', 'strategic|overdue-21', 'strategic|overdue-7']);
    const t = m.tuning[1]!;
    expect(t).toMatchObject({
      tier: 'strategic',
      stepKey: 'overdue-21',
      drafts: 10,
      approvedAsDrafted: 3,
      edits: 5,
      rejections: 2,
      topEditCategory: 'tone',
    });
    // tone: 4 of 10 drafts, 4 of 5 edits
    expect(t.topEditShareOfDrafts).toMatchObject({ numerator: 4, count: 10, rate: 0.4 });
    expect(t.topEditShareOfEdits).toMatchObject({ numerator: 4, count: 5, rate: 0.8 });
    expect(describeTuningRow(t, { tone: 'softened the tone of' })).toBe(
      'approvers softened the tone of 40% of overdue-21 drafts for the strategic tier (4 of 10); they rejected 20% (2 of 10)',
    );
    expect(describeTuningRow(t)).toBe(
      'approvers changed the tone of 40% of overdue-21 drafts for the strategic tier (4 of 10); they rejected 20% (2 of 10)',
    );
    expect(describeTuningRow(m.tuning[2]!)).toBe('approvers approved all 1 overdue-7 drafts for the strategic tier as drafted');
  });

  it('tuning: ties go to the first category in order; unrecorded categories; rejections only', () => {
    const tie = computeDecisionMetrics(
      [row({ outcome: 'approved_with_edits', editCategory: 'timing' }), row({ outcome: 'approved_with_edits', editCategory: 'amount' })],
      { asOf: AS_OF },
    ).tuning[0]!;
    expect(tie.topEditCategory).toBe('amount'); // amount comes before timing in EDIT_CATEGORIES
    const unspecified = computeDecisionMetrics([row({ outcome: 'approved_with_edits' }), row({ outcome: 'approved' })], { asOf: AS_OF })
      .tuning[0]!;
    expect(unspecified.topEditCategory).toBeNull();
    expect(unspecified.editCategories.unspecified).toBe(1);
    expect(describeTuningRow(unspecified)).toBe(
      'approvers edited 50% of overdue-21 drafts for the strategic tier (1 of 2, no edit category recorded)',
    );
    const rejected = computeDecisionMetrics(
      [row({ outcome: 'rejected' }), row({ outcome: 'approved' }), row({ outcome: 'approved' }), row({ outcome: 'approved' })],
      { asOf: AS_OF },
    ).tuning[0]!;
    expect(describeTuningRow(rejected)).toBe(
      'approvers edited none of the 4 overdue-21 drafts for the strategic tier; they rejected 25% (1 of 4)',
    );
  });

  it('refuses instants without an offset and unknown outcomes', () => {
    expect(() => computeDecisionMetrics([row({ decidedAt: '2026-03-20T10:00:00' })], { asOf: AS_OF })).toThrow(
      /not an ISO instant with an offset/,
    );
    expect(() => computeDecisionMetrics([], { asOf: '2026-03-31' })).toThrow(/asOf/);
    expect(() => computeDecisionMetrics([row({ outcome: 'maybe' as DecisionRow['outcome'] })], { asOf: AS_OF })).toThrow(/outcome/);
    expect(() => computeDecisionMetrics([row({ editCategory: 'colour' as EditCategory })], { asOf: AS_OF })).toThrow(/editCategory/);
  });
});
