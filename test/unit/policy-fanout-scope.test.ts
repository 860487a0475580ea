/** Who a publish wakes (policy/fanout-scope.ts) and what an invoice's plan reads of a policy (collections/plan-inputs.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LADDER_TIERS, tiersReplanned } from '../../collections/plan-inputs';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';
import { invoiceScope, RUNNING_INVOICES } from '../../policy/fanout-scope';

const v = (version: number, body: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, ...body, version });
const laterSmall = {
  ladders: { ...DEFAULT_POLICY.ladders, small: DEFAULT_POLICY.ladders.small.map((s) => ({ ...s, offsetDays: s.offsetDays + 2 })) },
};

describe('tiersReplanned', () => {
  it('is none for what a step reads as it runs: grace for promises, limits, owners, autonomy, no-touch lists', () => {
    const newer = v(2, {
      promiseGraceDays: 9,
      minimumChaseMinor: { USD: 5 },
      owners: { approvals: 'x', disputes: 'y', collections: 'z' },
      noTouch: { customers: ['C-1'], invoices: [] },
      proposalEscalationHours: 12,
      batchWindowMinutes: 5,
    });
    expect(tiersReplanned(v(1), newer)).toEqual([]);
  });

  it('is the tier whose ladder changed, and every tier when a calendar rule changed', () => {
    expect(tiersReplanned(v(1), v(2, laterSmall))).toEqual(['small']);
    expect(tiersReplanned(v(1), v(2, { handoffGraceDays: 3 }))).toEqual([...LADDER_TIERS]);
    expect(tiersReplanned(v(1), v(2, { sendWindow: { startHour: 8, endHour: 17, businessDaysOnly: true } }))).toEqual([...LADDER_TIERS]);
    expect(tiersReplanned(v(1), v(2, { holidays: { byTimezone: {}, closingDays: ['2026-12-24'] } }))).toEqual([...LADDER_TIERS]);
  });

  it('does not count a different key order as a change', () => {
    const a = v(1, { sendWindow: { startHour: 9, endHour: 17, businessDaysOnly: true } });
    const b = v(2, { sendWindow: { businessDaysOnly: true, endHour: 17, startHour: 9 } as Policy['sendWindow'] });
    expect(tiersReplanned(a, b)).toEqual([]);
  });

  it('any ladder step edit (offset, tone, key, kind) replans exactly that tier', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LADDER_TIERS),
        fc.nat(),
        fc.constantFrom('offset', 'tone', 'key') as fc.Arbitrary<'offset' | 'tone' | 'key'>,
        (tier, at, what) => {
          const ladder = DEFAULT_POLICY.ladders[tier];
          const i = at % ladder.length;
          const edited = ladder.map((s, j) =>
            j !== i
              ? s
              : what === 'offset'
                ? { ...s, offsetDays: s.offsetDays + 1 }
                : what === 'tone'
                  ? { ...s, tone: s.tone === 'final' ? ('firm' as const) : ('final' as const) }
                  : { ...s, key: `${s.key}-x` },
          );
          expect(tiersReplanned(v(1), v(2, { ladders: { ...DEFAULT_POLICY.ladders, [tier]: edited } }))).toEqual([tier]);
        },
      ),
    );
  });
});

describe('invoiceScope', () => {
  it('wakes only the never-read when nothing any version planned with changes', () => {
    const s = invoiceScope([{ version: 1, policy: v(1) }], v(2, { promiseGraceDays: 9 }));
    expect(s.groups).toEqual([]);
    expect(s.query).toBe(`${RUNNING_INVOICES} AND (ArPolicyVersion IS NULL)`);
    expect(s.description).toBe('no plan changes since any earlier version: invoices read v2 at their next step');
  });

  it('groups versions by the tiers they re-plan, in ranges, and names the tiers in the query', () => {
    // v1 and v2 share the old small ladder; v3 already had the new one; v4 changed only a limit.
    const older = [
      { version: 1, policy: v(1) },
      { version: 2, policy: v(2, { promiseGraceDays: 5 }) },
      { version: 3, policy: v(3, laterSmall) },
      { version: 4, policy: v(4, { ...laterSmall, handoffGraceDays: 2 }) },
    ];
    const s = invoiceScope(older, v(5, laterSmall));
    expect(s.groups).toEqual([
      { versions: [1, 2], tiers: ['small'] },
      { versions: [4], tiers: [...LADDER_TIERS] },
    ]);
    expect(s.query).toBe(
      `${RUNNING_INVOICES} AND (ArPolicyVersion IS NULL OR (ArPolicyVersion BETWEEN 1 AND 2 AND ArTier IN ("small")) OR (ArPolicyVersion = 4))`,
    );
    expect(s.description).toBe('re-plan v1–2: small; v4: all tiers');
  });

  it('a changed standard ladder takes the tiers other than the three with it (they are chased on it)', () => {
    const standard = DEFAULT_POLICY.ladders.standard.map((s) => ({ ...s, offsetDays: s.offsetDays + 1 }));
    const s = invoiceScope([{ version: 1, policy: v(1) }], v(2, { ladders: { ...DEFAULT_POLICY.ladders, standard } }));
    expect(s.query).toContain('(ArPolicyVersion = 1 AND ArTier NOT IN ("strategic", "small"))');
  });

  it('versions that are not consecutive stay apart', () => {
    const older = [1, 2, 3, 4, 5].map((n) => ({ version: n, policy: n % 2 ? v(n) : v(n, laterSmall) }));
    const s = invoiceScope(older, v(6, laterSmall));
    expect(s.query).toContain('((ArPolicyVersion = 1 OR ArPolicyVersion = 3 OR ArPolicyVersion = 5) AND ArTier IN ("small"))');
    expect(s.description).toBe('re-plan v1, v3, v5: small');
  });
});
