/**
 * metricsSnapshotWorkflow: what the ar-metrics-daily schedule starts each night. It stores the
 * receivables metrics as of the previous day (the last complete day, UTC), so a trend is stored.
 */
import { proxyActivities } from '@temporalio/workflow';
import { addDays, utcDate } from '../domain/calendar';
import type { InsightsActivities } from './activities';

const { takeDailyMetricsSnapshot } = proxyActivities<InsightsActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 30 },
});

export async function metricsSnapshotWorkflow(input: { asOf?: string } = {}): Promise<{ asOf: string; id: number; stored: boolean }> {
  // Workflow time is deterministic on replay; the run's start is the schedule's fire time.
  const asOf = input.asOf ?? addDays(utcDate(new Date()), -1);
  return { asOf, ...(await takeDailyMetricsSnapshot({ asOf })) };
}
