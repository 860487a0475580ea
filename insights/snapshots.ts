/**
 * Stored metrics: a daily snapshot (taken by the ar-metrics-daily schedule) and baselines a person
 * takes before a pilot, so a trend is read from what each day said, never recomputed from a ledger
 * that has changed since.
 */
import { desc, sql } from 'drizzle-orm';
import { type Db, schema } from '../db/client';
import { loadMetricFacts } from '../ledger/read-models/metric-facts';
import { type MetricsReport, metricsReport } from './metrics';

export type SnapshotKind = (typeof schema.METRIC_SNAPSHOT_KINDS)[number];

export interface TakeSnapshot {
  kind: SnapshotKind;
  asOf: string;
  takenBy: string;
  note?: string;
}

/** Computes the report as of the date and stores it. A daily snapshot is stored once per date: a repeat says so. */
export async function takeSnapshot(db: Db, s: TakeSnapshot): Promise<{ id: number; stored: boolean; report: MetricsReport }> {
  const report = metricsReport(await loadMetricFacts(db, s.asOf), { asOf: s.asOf });
  const rows = await db
    .insert(schema.metricSnapshots)
    .values({ kind: s.kind, asOf: s.asOf, note: s.note ?? null, takenBy: s.takenBy, report })
    .onConflictDoNothing({ target: schema.metricSnapshots.asOf, where: sql`kind = 'daily'` })
    .returning({ id: schema.metricSnapshots.id });
  if (rows[0]) return { id: rows[0].id, stored: true, report };
  const [existing] = await db
    .select({ id: schema.metricSnapshots.id })
    .from(schema.metricSnapshots)
    .where(sql`kind = 'daily' and as_of = ${s.asOf}`);
  return { id: existing!.id, stored: false, report };
}

/** The headline figures of one stored snapshot, per currency (the whole report stays in the row). */
export interface SnapshotSummary {
  id: number;
  kind: SnapshotKind;
  asOf: string;
  note: string | null;
  takenBy: string;
  takenAt: string;
  byCurrency: Record<string, Pick<MetricsReport['byCurrency'][string], 'arOpen' | 'dsoStandardDays' | 'dsoCountbackDays' | 'ceiPercent'>>;
}

/** Newest first; `kind` narrows to daily snapshots or baselines. */
export async function listSnapshots(db: Db, opts: { kind?: SnapshotKind; limit?: number } = {}): Promise<SnapshotSummary[]> {
  const t = schema.metricSnapshots;
  const rows = await db
    .select()
    .from(t)
    .where(opts.kind ? sql`${t.kind} = ${opts.kind}` : undefined)
    .orderBy(desc(t.asOf), desc(t.id))
    .limit(opts.limit ?? 400);
  return rows.map((r) => {
    const report = r.report as MetricsReport;
    const byCurrency: SnapshotSummary['byCurrency'] = {};
    for (const [cur, m] of Object.entries(report.byCurrency ?? {})) {
      byCurrency[cur] = {
        arOpen: m.arOpen,
        dsoStandardDays: m.dsoStandardDays,
        dsoCountbackDays: m.dsoCountbackDays,
        ceiPercent: m.ceiPercent,
      };
    }
    return { id: r.id, kind: r.kind, asOf: r.asOf, note: r.note, takenBy: r.takenBy, takenAt: r.takenAt.toISOString(), byCurrency };
  });
}
