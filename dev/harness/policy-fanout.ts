/** Waits for a policy version's background fan-out to end (across its continue-as-new runs) and returns its progress. */
import type { Client } from '@temporalio/client';
import type { FanOutProgress } from '../../policy/messages';
import { policyFanOutWorkflowId } from '../../temporal/workflow-ids';

export function waitForPolicyFanOut(client: Client, version: number): Promise<FanOutProgress> {
  return client.workflow.getHandle(policyFanOutWorkflowId(version)).result() as Promise<FanOutProgress>;
}
