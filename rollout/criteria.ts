/**
 * The rollout's criteria, pure: the evidence measured for one scope in, a verdict with every check
 * it made out (value, limit, pass), so a decision says exactly what it saw and why.
 */
import type { DemotionCriteria, PromotionCriteria } from '../domain/rollout-plan';
import { wilsonInterval } from '../insights/metrics/stats';
import type { BreakerTrip, Check, Health, ScopeEvidence, Verdict } from './messages';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function atLeast(name: string, value: number | null, limit: number, show: (x: number) => string, what: string): Check {
  const pass = value !== null && value >= limit;
  return {
    name,
    value,
    limit,
    pass,
    detail: `${what} ${value === null ? 'not measurable' : show(value)} ${pass ? '≥' : '<'} ${show(limit)}`,
  };
}

function atMost(name: string, value: number | null, limit: number, show: (x: number) => string, what: string): Check {
  const pass = value === null || value <= limit;
  return {
    name,
    value,
    limit,
    pass,
    detail: `${what} ${value === null ? 'not measured' : show(value)} ${pass ? '≤' : '>'} ${show(limit)}`,
  };
}

/** A bad-outcome rate over autonomous actions: fails when even its Wilson lower bound is over the ceiling. */
function badRate(name: string, bad: number, n: number, ceiling: number, what: string): Check {
  const w = wilsonInterval(bad, n);
  const pass = w === null || w.lower <= ceiling;
  return {
    name,
    value: w?.lower ?? null,
    limit: ceiling,
    pass,
    detail:
      w === null
        ? `${what}: no autonomous action yet`
        : `${what} ${pct(w.rate)} (${bad}/${n}), lower bound ${pct(w.lower)} ${pass ? '≤' : '>'} ${pct(ceiling)}`,
  };
}

function healthChecks(h: Health, margins: { ceiMarginPoints: number; dsoMarginDays: number }): Check[] {
  const days = (x: number) => `${x.toFixed(1)}d`;
  const points = (x: number) => `${x.toFixed(1)}pt`;
  return [
    atMost('cei_drop', h.ceiDropPoints, margins.ceiMarginPoints, points, 'CEI below baseline by'),
    atMost('dso_rise', h.dsoRiseDays, margins.dsoMarginDays, days, 'DSO above baseline by'),
  ];
}

/** May the scope be granted? Every check must pass (the streak of passing evaluations is the case's). */
export function checkPromotion(e: ScopeEvidence, health: Health, c: PromotionCriteria): Verdict {
  const approved = wilsonInterval(e.approvedAsDrafted, e.decided);
  const checks: Check[] = [
    atLeast('sample', e.decided, c.minSample, String, 'decisions'),
    atLeast('approved_lower_bound', approved?.lower ?? null, c.minApprovedLowerBound, pct, 'approved-as-drafted lower bound'),
    atMost('edit_rate', e.decided ? e.approvedWithEdits / e.decided : null, c.maxEditRate, pct, 'edit rate'),
    ...healthChecks(health, c),
  ];
  if (c.minShadowAgreementLowerBound !== undefined) {
    const agreed = wilsonInterval(e.shadowAgreed, e.shadowDecided);
    checks.push(
      atLeast('shadow_agreement_lower_bound', agreed?.lower ?? null, c.minShadowAgreementLowerBound, pct, 'shadow agreement lower bound'),
    );
  }
  return { scopeId: e.scopeId, pass: checks.every((k) => k.pass), checks };
}

/**
 * A trip of the delivery breaker (the kill switch tripped by bounces or complaints) in the window:
 * every scope that sends email fails it, whatever its own counts say.
 */
function breakerCheck(trips: readonly BreakerTrip[]): Check {
  const last = trips.at(-1);
  return {
    name: 'delivery_breaker',
    value: trips.length,
    limit: 0,
    pass: trips.length === 0,
    detail: last
      ? `the delivery breaker tripped the kill switch ${trips.length === 1 ? 'once' : `${trips.length} times`} in the window, last at ${last.at} (${last.reason})`
      : 'the delivery breaker did not trip in the window',
  };
}

/**
 * Must a granted scope be taken back? Any failing check demotes (pass: false means demote).
 * `breakerTrips` is given for scopes that send email (reminders): a trip in the window fails them.
 */
export function checkDemotion(e: ScopeEvidence, health: Health, c: DemotionCriteria, breakerTrips?: readonly BreakerTrip[]): Verdict {
  const correct = e.reviewed >= c.minReviewed ? (wilsonInterval(e.reviewedRight, e.reviewed)?.lower ?? null) : null;
  const checks: Check[] = [
    {
      name: 'reviewed_correct_lower_bound',
      value: correct,
      limit: c.minReviewedCorrectLowerBound,
      pass: correct === null || correct >= c.minReviewedCorrectLowerBound,
      detail:
        correct === null
          ? `${e.reviewed} of ${c.minReviewed} reviews needed before the correct rate is judged`
          : `reviewed-correct lower bound ${pct(correct)} ${correct >= c.minReviewedCorrectLowerBound ? '≥' : '<'} ${pct(c.minReviewedCorrectLowerBound)} (${e.reviewedRight}/${e.reviewed} right)`,
    },
    badRate('bounce_complaint_rate', e.bouncedOrComplained, e.autonomous, c.maxBounceRate, 'bounce/complaint rate'),
    badRate('dispute_after_rate', e.disputedAfter, e.autonomous, c.maxDisputeRate, 'dispute-after-autonomous rate'),
    ...healthChecks(health, c),
  ];
  if (breakerTrips) checks.push(breakerCheck(breakerTrips));
  return { scopeId: e.scopeId, pass: checks.every((k) => k.pass), checks };
}

export function emptyEvidence(scopeId: string): ScopeEvidence {
  return {
    scopeId,
    decided: 0,
    approvedAsDrafted: 0,
    approvedWithEdits: 0,
    rejected: 0,
    shadowDecided: 0,
    shadowAgreed: 0,
    autonomous: 0,
    reviewed: 0,
    reviewedRight: 0,
    bouncedOrComplained: 0,
    disputedAfter: 0,
  };
}
