/** The activities of the bare baselines: they do nothing of their own, so only Temporal's cost is measured. */
import { activityInfo, CompleteAsyncError } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

export interface BareRequest {
  /** The hand-over's task token (base64), completed by the send. */
  completion: string;
}

export function createBareActivities(deps: { client?: Client; taskQueue?: string } = {}) {
  const client = () => {
    if (!deps.client || !deps.taskQueue) throw new Error('the delivery baseline needs a client and its task queue');
    return deps.client;
  };
  return {
    async recordDecision(decision: string): Promise<string> {
      return decision;
    },

    /** Signal-with-start of the second workflow with this attempt's token, completed later by `send`. */
    async handOver(input: { outreachId: string }): Promise<string> {
      const request: BareRequest = { completion: Buffer.from(activityInfo().taskToken).toString('base64') };
      await client().workflow.signalWithStart('bareOutreachWorkflow', {
        workflowId: input.outreachId,
        taskQueue: deps.taskQueue!,
        signal: 'request',
        signalArgs: [request],
      });
      throw new CompleteAsyncError();
    },

    async send(requests: BareRequest[]): Promise<void> {
      for (const r of requests) await client().activity.complete(Buffer.from(r.completion, 'base64'), 'sent');
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
