/**
 * The ar-ledger-sync Temporal Schedule: ledgerSyncWorkflow every AR_SYNC_INTERVAL_SECONDS.
 * `npm start` and the worker register it; registering it again keeps it, with the interval of
 * the configuration that registered it last.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const LEDGER_SYNC_SCHEDULE_ID = 'ar-ledger-sync';

export async function ensureLedgerSyncSchedule(
  client: Client,
  opts: { taskQueue: string; intervalSeconds: number },
): Promise<{ created: boolean; intervalSeconds: number }> {
  const every = `${opts.intervalSeconds} seconds`;
  try {
    await client.schedule.create({
      scheduleId: LEDGER_SYNC_SCHEDULE_ID,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'ledgerSyncWorkflow',
        workflowId: 'ledger-sync',
        taskQueue: opts.taskQueue,
        args: [{ lookbackSeconds: 2 * opts.intervalSeconds }],
        staticSummary: `ledger sync every ${opts.intervalSeconds} s: new invoices get workflows, closed ones end`,
      },
      // A slow sync is never run twice at once, and a stack down for a night does not replay the missed runs.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      memo: { purpose: 'starts a workflow for every new open invoice in the ledger and ends those the ledger closed: ar sync, by itself' },
    });
    return { created: true, intervalSeconds: opts.intervalSeconds };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  // Already there: adopt this configuration's interval and task queue if they changed.
  const handle = client.schedule.getHandle(LEDGER_SYNC_SCHEDULE_ID);
  await handle.update((previous) => ({
    ...previous,
    spec: { intervals: [{ every }] },
    action: {
      ...previous.action,
      taskQueue: opts.taskQueue,
      args: [{ lookbackSeconds: 2 * opts.intervalSeconds }],
    } as typeof previous.action,
  }));
  return { created: false, intervalSeconds: opts.intervalSeconds };
}
