/**
 * Workflow task processing time read from histories: WorkflowTaskStarted → WorkflowTaskCompleted, in
 * the server's own timestamps, so it is the worker's time per activation (plus one local round trip).
 */
import type { Client } from '@temporalio/client';
function millis(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/**
 * `durations`: every task. `withoutLocal`: the tasks that ran no local activity (a local activity
 * runs inside the task that asked for it, so its database round trips count as task time).
 */
export async function workflowTaskDurations(
  client: Client,
  workflowIds: string[],
): Promise<{ durations: number[]; withoutLocal: number[]; events: number[] }> {
  const durations: number[] = [];
  const withoutLocal: number[] = [];
  const events: number[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const list = history.events ?? [];
    events.push(list.length);
    let startedAt: number | null = null;
    list.forEach((e, i) => {
      if (e.workflowTaskStartedEventAttributes) startedAt = millis(e.eventTime);
      else if (e.workflowTaskCompletedEventAttributes && startedAt !== null) {
        const ms = millis(e.eventTime) - startedAt;
        durations.push(ms);
        startedAt = null;
        // The task's commands follow its Completed event, up to the next task.
        const next = list.findIndex((x, j) => j > i && x.workflowTaskScheduledEventAttributes);
        const commands = list.slice(i + 1, next < 0 ? undefined : next);
        if (!commands.some((x) => x.markerRecordedEventAttributes?.markerName === 'core_local_activity')) withoutLocal.push(ms);
      }
    });
  }
  return { durations, withoutLocal, events };
}
