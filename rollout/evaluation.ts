/**
 * Reading the evidence of one evaluation from the database: the window's decisions and
 * autonomous actions, the delivery breaker's trips, and receivables health (today's CEI and DSO against the newest baseline).
 */
import type { Db } from '../db/client';
import { utcDate } from '../domain/calendar';
import { metricsReport } from '../insights/metrics';
import { listSnapshots } from '../insights/snapshots';
import { loadMetricFacts } from '../ledger/read-models/metric-facts';
import { loadBreakerTrips, loadRolloutFacts } from '../ledger/read-models/rollout-facts';
import { currentPolicy } from '../policy/store';
import { healthAgainst } from './health';
import { measure } from './measure';
import type { Health, Measurement } from './messages';

const DAY_MS = 86_400_000;

async function currentHealth(db: Db, asOf: Date): Promise<Health> {
  const [baseline] = await listSnapshots(db, { kind: 'baseline', limit: 1 });
  if (!baseline) return { ceiDropPoints: null, dsoRiseDays: null };
  const date = utcDate(asOf);
  const report = metricsReport(await loadMetricFacts(db, date), { asOf: date });
  return healthAgainst(baseline.byCurrency, report.byCurrency);
}

export async function measureNow(db: Db, asOf: Date): Promise<Measurement> {
  const policy = await currentPolicy(db);
  const windowDays = Math.max(
    policy.rollout.promotion.windowDays,
    policy.rollout.demotion.windowDays,
    ...policy.rollout.phases.map((p) => p.promotion?.windowDays ?? 0),
  );
  const facts = await loadRolloutFacts(db, { from: new Date(asOf.getTime() - windowDays * DAY_MS), to: asOf });
  const breakerTrips = await loadBreakerTrips(db, {
    from: new Date(asOf.getTime() - policy.rollout.demotion.windowDays * DAY_MS),
    to: asOf,
  });
  return measure(policy.rollout, { policyVersion: policy.version, asOf, facts, health: await currentHealth(db, asOf), breakerTrips });
}
