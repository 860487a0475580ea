/**
 * Starts the ar-rollout workflow once per namespace: `npm start` and every `ar rollout` command
 * that talks to it call this; a second call finds it running and starts nothing.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ROLLOUT_WORKFLOW_ID } from './messages';

export async function ensureRolloutWorkflow(client: Client, taskQueue: string): Promise<{ started: boolean }> {
  try {
    await client.workflow.start('rolloutWorkflow', {
      workflowId: ROLLOUT_WORKFLOW_ID,
      taskQueue,
      args: [{}],
      staticSummary: 'ar-rollout: earns and withdraws autonomy per scope from measured evidence (daily and on demand)',
    });
    return { started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
    throw err;
  }
}
