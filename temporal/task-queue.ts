/** What a task queue says of itself: the workflow tasks waiting on it (the fan-out paces itself by this). */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// The package is CommonJS: its namespace comes as the default export under ESM.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** The workflow tasks waiting on a task queue and how long the oldest has waited (null where the server does not report it). */
export async function workflowBacklogStats(client: Client, taskQueue: string): Promise<{ count: number; oldestSeconds: number } | null> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  const count = res.stats?.approximateBacklogCount;
  if (count === undefined || count === null) return null;
  const age = res.stats?.approximateBacklogAge;
  return { count: Number(count), oldestSeconds: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9 };
}

/** The workflow tasks waiting on a task queue (null where the server does not report it). */
export async function workflowBacklog(client: Client, taskQueue: string): Promise<number | null> {
  return (await workflowBacklogStats(client, taskQueue))?.count ?? null;
}
