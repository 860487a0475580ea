/**
 * Starting the cash workflow of each imported statement. Temporal's workflow-id uniqueness makes
 * it idempotent: a statement whose workflow ran (or runs) is not started again, except after a
 * failure, when a new run resumes from what the rows say was done.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { cashWorkflowId } from '../temporal/workflow-ids';
import type { CashProgress } from './messages';
import type { StoredStatement } from './store';

export interface CashStart {
  statementKey: string;
  workflowId: string;
  started: boolean;
}

export async function startCashWorkflows(client: Client, taskQueue: string, statements: readonly StoredStatement[]): Promise<CashStart[]> {
  const out: CashStart[] = [];
  for (const s of statements) {
    const workflowId = cashWorkflowId(s.key);
    try {
      await client.workflow.start('cashWorkflow', {
        workflowId,
        taskQueue,
        args: [{ statementKey: s.key }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        staticSummary: `Bank statement ${s.statementId} · ${s.format} · account ${s.accountId} · ${s.credits} credits, ${s.debits} debits (${s.currency})`,
      });
      out.push({ statementKey: s.key, workflowId, started: true });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      out.push({ statementKey: s.key, workflowId, started: false });
    }
  }
  return out;
}

/** Waits for each statement's workflow to finish and returns its final progress. */
export async function waitForCashWorkflows(client: Client, workflowIds: readonly string[]): Promise<CashProgress[]> {
  return Promise.all(workflowIds.map((id) => client.workflow.getHandle(id).result() as Promise<CashProgress>));
}
