/**
 * The rollout as `ar rollout status` and GET /api/rollout show it: the plan and phase in force,
 * the scopes, the evidence per scope against its criteria, the timeline of decisions from
 * autonomy_changes (what each saw and why) and the review queue's size.
 */
import { desc, sql } from 'drizzle-orm';
import { type Db, schema } from '../db/client';
import { currentPolicy } from '../policy/store';
import { measureNow } from './evaluation';
import type { Measurement, RolloutDecision, RolloutStateView } from './messages';

export async function rolloutStatus(db: Db, opts: { state: RolloutStateView | null; now: Date; timeline?: number }) {
  const policy = await currentPolicy(db);
  const t = schema.autonomyChanges;
  const rows = await db
    .select()
    .from(t)
    .orderBy(desc(t.at), desc(t.id))
    .limit(opts.timeline ?? 100);
  const [counts] = await db
    .select({
      open: sql<number>`count(*) filter (where ${schema.autonomyReviews.verdict} is null)::int`,
      reviewed: sql<number>`count(*) filter (where ${schema.autonomyReviews.verdict} is not null)::int`,
    })
    .from(schema.autonomyReviews);
  // The workflow's last reading if it is newer than the policy; else measured now (a read, nothing is decided).
  const last = opts.state?.lastMeasurement;
  const measurement: Measurement = last && last.policyVersion === policy.version ? last : await measureNow(db, opts.now);
  return {
    workflow: { running: opts.state !== null, held: opts.state?.held ?? null, nextEvaluationAt: opts.state?.nextEvaluationAt ?? null },
    policyVersion: policy.version,
    phase: policy.rollout.phase,
    phases: policy.rollout.phases.map((p, index) => ({ index, name: p.name, grants: p.grants.map((g) => g.id) })),
    scopes: policy.autonomy.map((s) => ({
      id: s.id,
      action: s.action,
      tiers: s.tiers,
      mode: s.mode,
      reviewSampleRate: s.reviewSampleRate,
    })),
    measurement,
    timeline: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      kind: r.kind,
      fromPhase: r.fromPhase,
      toPhase: r.toPhase,
      forced: r.forced,
      decidedBy: r.decidedBy,
      note: r.note,
      policyVersion: r.policyVersion,
      why: (r.change as Partial<RolloutDecision>).why ?? '',
    })),
    reviews: { open: counts?.open ?? 0, reviewed: counts?.reviewed ?? 0 },
  };
}

export type RolloutStatus = Awaited<ReturnType<typeof rolloutStatus>>;
