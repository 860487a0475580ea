/**
 * `npm run sim:rollout`: a 12-week pilot of earned autonomy, simulated on the rules the ar-rollout
 * workflow runs (RolloutCase over measure(), the real autonomy gate over the policy's scopes), with
 * a seeded generator for the decisions: each day's actions are proposed or sent autonomously as
 * the phase in force allows; approvers approve, edit or reject; a sample of autonomous sends is
 * reviewed. In week 7 a stale-contact problem makes autonomous reminders go wrong, reviews catch
 * it and the scope is demoted. Admins hold over quarter end, force an advance and roll it back.
 * Prints every decision that was not "no change" as a markdown table, then a weekly summary.
 */
import { autonomyGate, shadowChoice } from '../../domain/autonomy';
import { DEFAULT_POLICY, policySchema } from '../../domain/policy';
import type { ActionKind } from '../../domain/policy-terms';
import { autonomyAtPhase, DEFAULT_ROLLOUT_PLAN } from '../../domain/rollout-plan';
import { measure, type RolloutFact } from '../../rollout/measure';
import type { Measurement, RolloutDecision } from '../../rollout/messages';
import { isSampled } from '../../rollout/review-queue';
import { RolloutCase } from '../../rollout/rollout-case';

const DAYS = 84;
const START = Date.parse('2026-03-02T00:15:00Z');
const DAY_MS = 86_400_000;

/** mulberry32: the same pilot on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(12);

/** A day's work: action, tier, amount range (USD minor), per day, and how approvers treat its drafts. */
const STREAMS: {
  action: ActionKind;
  tier: 'small' | 'standard' | 'strategic';
  min: number;
  max: number;
  perDay: number;
  approve: number;
  edit: number;
}[] = [
  { action: 'reminder', tier: 'small', min: 5_000, max: 50_000, perDay: 24, approve: 0.975, edit: 0.015 },
  { action: 'reminder', tier: 'small', min: 50_001, max: 500_000, perDay: 9, approve: 0.96, edit: 0.03 },
  { action: 'reminder', tier: 'standard', min: 10_000, max: 100_000, perDay: 14, approve: 0.955, edit: 0.03 },
  { action: 'reminder', tier: 'standard', min: 100_001, max: 1_000_000, perDay: 6, approve: 0.9, edit: 0.07 },
  { action: 'reminder', tier: 'strategic', min: 100_000, max: 5_000_000, perDay: 4, approve: 0.8, edit: 0.15 },
  { action: 'promise_logging', tier: 'small', min: 5_000, max: 500_000, perDay: 5, approve: 0.985, edit: 0.01 },
  { action: 'promise_logging', tier: 'standard', min: 5_000, max: 500_000, perDay: 4, approve: 0.98, edit: 0.01 },
  { action: 'cash_match', tier: 'standard', min: 5_000, max: 1_000_000, perDay: 8, approve: 0.975, edit: 0.015 },
  { action: 'statement', tier: 'standard', min: 0, max: 0, perDay: 3, approve: 0.93, edit: 0.05 },
];

/** Reviewed-wrong rate of autonomous actions: 2%, except the stale-contact problem of days 42–48 on small reminders. */
const wrongRate = (day: number, f: { action: string; tier: string }) =>
  day >= 42 && day <= 48 && f.action === 'reminder' && f.tier === 'small' ? 0.45 : 0.02;

const ADMIN: Record<number, (rc: RolloutCase, m: () => Measurement, at: Date) => RolloutDecision> = {
  26: (rc, _m, at) => rc.hold(at, 'cfo', 'quarter-end close: no new autonomy until the books are closed'),
  31: (rc, _m, at) => rc.resume(at, 'cfo', 'books closed'),
  81: (rc, m, at) => rc.advance(m(), at, 'ops-lead', 'pilot: try statements and wider standard reminders in the last days', true),
  84: (rc, m, at) => rc.rollback(m(), at, 'ops-lead', 'statements confused two strategic accounts; back to the earned phase'),
};

let phase = 0;
let policyVersion = 1;
const facts: RolloutFact[] = [];
const rc = new RolloutCase('ar-rollout');
const rows: { day: number; d: RolloutDecision; m: Measurement | null }[] = [];
const weekly: { week: number; phase: number; proposed: number; autonomous: number; reviewed: number; wrong: number }[] = [];
let week = { proposed: 0, autonomous: 0, reviewed: 0, wrong: 0 };
let seq = 0;

const planAt = (p: number) => ({ ...DEFAULT_ROLLOUT_PLAN, phase: p });
const policyAt = (p: number) =>
  policySchema.parse({ ...DEFAULT_POLICY, rollout: planAt(p), autonomy: autonomyAtPhase(DEFAULT_ROLLOUT_PLAN, p, []) });
let policy = policyAt(0);
// Receivables health against the pilot baseline: DSO eases as reminders go out on time.
const health = (day: number) => ({ ceiDropPoints: -0.05 * day, dsoRiseDays: -0.04 * day });

for (let day = 0; day < DAYS; day++) {
  const dayStart = START + day * DAY_MS;
  for (const s of STREAMS) {
    for (let i = 0; i < s.perDay; i++) {
      const atMs = dayStart + 8 * 3_600_000 + Math.floor(rand() * 9 * 3_600_000);
      const amountMinor = s.min + Math.floor(rand() * (s.max - s.min + 1));
      const riskScore = Math.floor(rand() * 90);
      const input = { action: s.action, tier: s.tier, segment: 'default', currency: 'USD', amountMinor, noTouch: rand() < 0.02, riskScore };
      const gate = autonomyGate(input, policy.autonomy);
      const base = { atMs, action: s.action, tier: s.tier, segment: 'default', currency: 'USD', amountMinor, riskScore };
      if (gate.mode === 'autonomous') {
        const key = `sim/${++seq}/sent`;
        const rate = policy.autonomy.find((a) => a.id === gate.scopeId)?.reviewSampleRate ?? 0.1;
        const review = isSampled(key, rate) ? (rand() < wrongRate(day, s) ? 'wrong' : 'right') : null;
        facts.push({
          ...base,
          outcome: 'autonomous',
          shadowScope: null,
          review,
          bouncedOrComplained: rand() < 0.004,
          disputedAfter: rand() < 0.01,
        });
        week.autonomous++;
        if (review) week.reviewed++;
        if (review === 'wrong') week.wrong++;
      } else {
        const r = rand();
        const outcome = r < s.approve ? 'approved' : r < s.approve + s.edit ? 'approved_with_edits' : 'rejected';
        const shadow = shadowChoice(input, policy.autonomy)?.scopeId ?? null;
        facts.push({ ...base, outcome, shadowScope: shadow, review: null, bouncedOrComplained: false, disputedAfter: false });
        week.proposed++;
      }
    }
  }
  // The evaluation at 00:15 the next day, then any admin action of that day.
  const at = new Date(dayStart + DAY_MS);
  const measureNow = () => measure(planAt(phase), { policyVersion, asOf: at, facts, health: health(day) });
  const apply = (d: RolloutDecision, m: Measurement | null) => {
    if (d.toPhase !== d.fromPhase) {
      phase = d.toPhase;
      policy = policyAt(phase);
      policyVersion++;
    }
    rows.push({ day: day + 1, d: rc.applied(d, policyVersion), m });
  };
  const m = measureNow();
  apply(rc.evaluate(m, at, 'schedule', 'ar-rollout'), m);
  const admin = ADMIN[day + 1];
  if (admin) {
    let seen: Measurement | null = null;
    const d = admin(rc, () => (seen = measureNow()), at);
    apply(d, seen);
  }
  if ((day + 1) % 7 === 0) {
    weekly.push({ week: (day + 1) / 7, phase, ...week });
    week = { proposed: 0, autonomous: 0, reviewed: 0, wrong: 0 };
  }
}

const date = (d: RolloutDecision) => d.at.slice(0, 10);
const cell = (s: string) => s.replaceAll('|', '\\|');
function evidence(m: Measurement | null, d: RolloutDecision): string {
  if (!m) return '—';
  const ids = new Set(
    d.seen.filter((s) => (d.kind === 'demote' ? !s.pass && s.role === 'granted' : s.role === 'candidate')).map((s) => s.scopeId),
  );
  const parts: string[] = [];
  for (const c of m.candidates)
    if (ids.has(c.verdict.scopeId) && d.kind !== 'demote') {
      const e = c.evidence;
      const lb = c.verdict.checks.find((k) => k.name === 'approved_lower_bound')?.value ?? null;
      parts.push(`${c.verdict.scopeId}: ${e.approvedAsDrafted}/${e.decided} as drafted, LB ${lb === null ? '—' : (lb * 100).toFixed(1)}%`);
    }
  for (const g of m.granted)
    if (ids.has(g.verdict.scopeId) && d.kind === 'demote') {
      const e = g.evidence;
      const lb = g.verdict.checks.find((k) => k.name === 'reviewed_correct_lower_bound')?.value ?? null;
      parts.push(`${g.verdict.scopeId}: ${e.reviewedRight}/${e.reviewed} reviewed right, LB ${lb === null ? '—' : (lb * 100).toFixed(1)}%`);
    }
  return parts.join('; ') || '—';
}

console.log(`# Simulated 12-week pilot (${DAYS} daily evaluations, default plan, seeded)\n`);
console.log('| day | date | decision | phase | policy | by | evidence seen | why |');
console.log('|---:|---|---|---|---:|---|---|---|');
for (const { day, d, m } of rows) {
  if (d.kind === 'none') continue;
  console.log(
    `| ${day} | ${date(d)} | ${d.kind}${d.forced ? ' (forced)' : ''} | ${d.fromPhase} → ${d.toPhase} | v${d.policyVersion ?? '—'} | ${d.by} | ${cell(evidence(m, d))} | ${cell(d.note ? `"${d.note}": ${d.why}` : d.why)} |`,
  );
}
console.log('\n| week | phase at end | proposed to a person | sent autonomously | reviewed | reviewed wrong |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const w of weekly) console.log(`| ${w.week} | ${w.phase} | ${w.proposed} | ${w.autonomous} | ${w.reviewed} | ${w.wrong} |`);
console.log(`\n${rows.length} decisions recorded (${rows.filter((r) => r.d.kind === 'none').length} "no change"); final phase ${phase}.`);
