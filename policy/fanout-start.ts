/**
 * Starts the background fan-out of a policy version, once: the id is the version's
 * (`policy-fanout-v<N>`), so a retried publish (or a retried rollout activity) finds the fan-out
 * already started and starts nothing. Only a run that failed may be started again.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Db } from '../db/client';
import { SA } from '../temporal/search-attributes';
import { policyFanOutWorkflowId } from '../temporal/workflow-ids';
import { fanOutRow, recordFanOutNotStarted, recordFanOutRestart, recordFanOutStart } from './fanout-store';
import type { FanOutStatus, PolicyFanOutInput } from './messages';

export interface FanOutStart {
  workflowId: string;
  status: FanOutStatus;
  /** False when a fan-out of this version had already been started. */
  started: boolean;
  /** Workflows signalled so far (normally 0 at the answer: the fan-out has only just begun). */
  signalled: number;
  error?: string;
}

export async function startPolicyFanOut(
  client: Client,
  db: Db,
  version: number,
  opts: { taskQueue: string } & Omit<PolicyFanOutInput, 'version' | 'carried'>,
): Promise<FanOutStart> {
  const workflowId = policyFanOutWorkflowId(version);
  await recordFanOutStart(db, version, workflowId);
  // Before the start, so a fast fan-out's own end is never overwritten; only a failed one is retried.
  await recordFanOutRestart(db, version);
  const { taskQueue, ...input } = opts;
  try {
    await client.workflow.start('policyFanOutWorkflow', {
      workflowId,
      taskQueue,
      args: [{ version, ...input } satisfies PolicyFanOutInput],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [
        { key: SA.policyVersion, value: version },
        { key: SA.status, value: 'fanout-running' },
      ],
      staticSummary: `policy v${version}: tells the running invoices whose plan it changes, and every outreach workflow, to re-plan with it`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      // The version is stored either way; workflows read it at their next step.
      const error = `could not start ${workflowId}: ${(err as Error).message}`;
      await recordFanOutNotStarted(db, version, error);
      return { workflowId, status: 'failed', started: false, signalled: 0, error };
    }
    const row = await fanOutRow(db, version);
    return { workflowId, status: row?.status ?? 'running', started: false, signalled: signalledOf(row) };
  }
  return { workflowId, status: 'running', started: true, signalled: 0 };
}

const signalledOf = (row: { invoicesSignalled: number; outreachSignalled: number } | undefined) =>
  row ? row.invoicesSignalled + row.outreachSignalled : 0;
