/**
 * The ar-metrics-daily Temporal Schedule on a real dev server and PostgreSQL: triggered, it runs
 * metricsSnapshotWorkflow, which stores the metrics of the previous day once (a second run for the
 * same day stores nothing new), and `listSnapshots` reads them back with baselines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, utcDate } from '../../domain/calendar';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { ensureMetricsSchedule, METRICS_SCHEDULE_ID } from '../../insights/schedule';
import { listSnapshots, takeSnapshot } from '../../insights/snapshots';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await stack.seed.customer(stack.db, { id: 'MS' });
  await stack.seed.invoice(stack.db, {
    number: 'MS-1',
    customerId: 'MS',
    amountMinor: 125_000,
    issueDate: '2026-01-01',
    dueDate: '2026-01-31',
  });
});
afterAll(async () => {
  await stack?.env.client.schedule
    .getHandle(METRICS_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await stack?.close();
});

describe('the daily metrics snapshot', () => {
  it('is a Temporal Schedule that stores the previous day once', async () => {
    expect(await ensureMetricsSchedule(stack.env.client, stack.taskQueue)).toEqual({ created: true });
    expect(await ensureMetricsSchedule(stack.env.client, stack.taskQueue)).toEqual({ created: false });
    const handle = stack.env.client.schedule.getHandle(METRICS_SCHEDULE_ID);
    const described = await handle.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 0, end: 0, step: 1 }],
      minute: [{ start: 15, end: 15, step: 1 }],
    });

    await handle.trigger();
    const yesterday = addDays(utcDate(new Date()), -1);
    const [daily] = await waitFor(
      async () => {
        const rows = await listSnapshots(stack.db, { kind: 'daily' });
        return rows.length > 0 ? rows : null;
      },
      { what: 'a daily snapshot row', tries: 300 },
    );
    expect(daily).toMatchObject({ kind: 'daily', asOf: yesterday, takenBy: 'schedule' });
    expect(daily!.byCurrency.USD?.arOpen).toBe('1250.00');

    // The same day again (a re-trigger, a retried activity): nothing new is stored. The schedule
    // skips a trigger while its last run is still going, so let the first run finish first.
    const first = (await handle.describe()).info.recentActions.at(-1)!.action.workflow;
    await stack.env.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).result();
    await handle.trigger();
    await waitFor(async () => ((await handle.describe()).info.recentActions.length >= 2 ? true : null), {
      what: 'the second run',
      tries: 300,
    });
    const second = (await handle.describe()).info.recentActions.at(-1)!.action.workflow;
    const result = await stack.env.client.workflow.getHandle(second.workflowId, second.firstExecutionRunId).result();
    expect(result).toEqual({ asOf: yesterday, id: daily!.id, stored: false });
    expect(await listSnapshots(stack.db, { kind: 'daily' })).toHaveLength(1);
  });

  it('keeps baselines beside the daily rows, newest first', async () => {
    const { stored } = await takeSnapshot(stack.db, {
      kind: 'baseline',
      asOf: utcDate(new Date()),
      takenBy: 'fay',
      note: 'before the pilot',
    });
    expect(stored).toBe(true);
    const all = await listSnapshots(stack.db);
    expect(all.map((s) => s.kind)).toEqual(['baseline', 'daily']);
    expect(all[0]).toMatchObject({ note: 'before the pilot', takenBy: 'fay' });
  });
});
