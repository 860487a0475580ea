/**
 * The ar-metrics-daily Temporal Schedule: one metricsSnapshotWorkflow a night. `npm start` and
 * `ar metrics schedule` register it; registering it again changes nothing.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const METRICS_SCHEDULE_ID = 'ar-metrics-daily';

export async function ensureMetricsSchedule(client: Client, taskQueue: string): Promise<{ created: boolean }> {
  try {
    await client.schedule.create({
      scheduleId: METRICS_SCHEDULE_ID,
      // 00:15 UTC: the previous day is complete everywhere the ledger's dates are UTC dates.
      spec: { calendars: [{ hour: 0, minute: 15 }] },
      action: { type: 'startWorkflow', workflowType: 'metricsSnapshotWorkflow', workflowId: 'metrics-snapshot', taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: 'stores the receivables metrics (aging, DSO, CEI) as of the previous day: ar metrics history' },
    });
    return { created: true };
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return { created: false };
    throw err;
  }
}
