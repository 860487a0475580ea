/** Activities of the insights room: storing the daily metrics snapshot. */
import type { Db } from '../db/client';
import { takeSnapshot } from './snapshots';

export function createInsightsActivities(deps: { db: Db }) {
  return {
    /** Idempotent per date: a retried or re-triggered run stores nothing new. */
    async takeDailyMetricsSnapshot(input: { asOf: string }): Promise<{ id: number; stored: boolean }> {
      const { id, stored } = await takeSnapshot(deps.db, { kind: 'daily', asOf: input.asOf, takenBy: 'schedule' });
      return { id, stored };
    },
  };
}

export type InsightsActivities = ReturnType<typeof createInsightsActivities>;
