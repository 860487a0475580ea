/**
 * A worker of the production hand-over activities on a task queue of its own, running the probe
 * workflows (hand-over-probe-workflow.ts): how a test runs a new attempt of an invoice's hand-over.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../../apps/worker/activities';
import type { TestStack } from '../../dev/harness/stack';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createDevLogSender } from '../../outreach/channels/email';
import type { ReminderRequest } from '../../outreach/messages';
import { eventsOfType } from './invoice';

const PROBE_WORKFLOW = fileURLToPath(new URL('./hand-over-probe-workflow.ts', import.meta.url));

/** `outreachOnly`: the attempt hands the reminder to outreach, never sends it at once. */
export async function handOverProbeWorker(
  stack: TestStack,
  opts: { outreachOnly?: boolean } = {},
): Promise<{ worker: Worker; taskQueue: string }> {
  const { env, db } = stack;
  const { awaitReminderDelivery } = createActivities({
    db,
    ledger: createBuiltinLedger(db),
    email: createDevLogSender(() => undefined),
    temporal: async () => env.client,
    taskQueue: stack.taskQueue,
    emailFrom: 'ar@example.com',
    outreachOnly: opts.outreachOnly,
  });
  const taskQueue = `${stack.taskQueue}-probe`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: PROBE_WORKFLOW,
    activities: { awaitReminderDelivery },
  });
  return { worker, taskQueue };
}

/** The hand-over's schedule event (the first awaitReminderDelivery) in an invoice's history. */
export const handOverScheduled = (events: temporal.api.history.v1.IHistoryEvent[]) =>
  eventsOfType(events, 'activityTaskScheduled').find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitReminderDelivery',
  );

/** The request an invoice handed over, as a retried attempt would hand it over again. */
export async function handedOver(h: WorkflowHandle): Promise<{ customerId: string; request: ReminderRequest }> {
  const scheduled = handOverScheduled((await h.fetchHistory()).events ?? []);
  return defaultPayloadConverter.fromPayload(scheduled!.activityTaskScheduledEventAttributes!.input!.payloads![0]!);
}
