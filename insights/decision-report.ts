/**
 * The decision metrics of a window ending at an instant, read from the stored decisions: what
 * `ar metrics decisions`, `ar metrics tuning`, GET /api/metrics/decisions and the dashboard show.
 * Each tuning row carries its sentence, the line a team reads to know which policy to fix.
 */
import type { Db } from '../db/client';
import { loadDecisionRows } from '../ledger/read-models/decision-facts';
import { computeDecisionMetrics, type DecisionMetrics, describeTuningRow, type TuningRow } from './metrics';

const DAY_MS = 86_400_000;

export interface DecisionReport extends Omit<DecisionMetrics, 'tuning'> {
  readonly tuning: readonly (TuningRow & { readonly sentence: string })[];
}

export async function decisionReport(db: Db, opts: { asOf: Date; windowDays?: number }): Promise<DecisionReport> {
  const windowDays = opts.windowDays ?? 30;
  const to = opts.asOf;
  const rows = await loadDecisionRows(db, { from: new Date(to.getTime() - windowDays * DAY_MS), to });
  const m = computeDecisionMetrics(rows, { asOf: to.toISOString(), windowDays });
  return { ...m, tuning: m.tuning.map((t) => ({ ...t, sentence: describeTuningRow(t) })) };
}

/** The end of a calendar date in UTC: `--as-of 2026-03-31` counts decisions made on that day too. */
export function endOfUtcDay(date: string): Date {
  return new Date(`${date}T23:59:59.999Z`);
}
