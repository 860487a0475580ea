/**
 * Workflow task processing time read from histories: WorkflowTaskStarted → WorkflowTaskCompleted, in
 * the server's own timestamps, so it is the worker's time per activation (plus one local round trip).
 */
import type { Client } from '@temporalio/client';
function millis(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

export async function workflowTaskDurations(client: Client, workflowIds: string[]): Promise<{ durations: number[]; events: number[] }> {
  const durations: number[] = [];
  const events: number[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const list = history.events ?? [];
    events.push(list.length);
    let startedAt: number | null = null;
    for (const e of list) {
      if (e.workflowTaskStartedEventAttributes) startedAt = millis(e.eventTime);
      else if (e.workflowTaskCompletedEventAttributes && startedAt !== null) {
        durations.push(millis(e.eventTime) - startedAt);
        startedAt = null;
      }
    }
  }
  return { durations, events };
}
