/**
 * A workflow's history, or none when the workflow was never started: a customer whose reminders all
 * went out at once from their invoices' hand-overs has no outreach workflow (outreach/at-once.ts).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

export async function historyOrNone(client: Client, workflowId: string): Promise<History | null> {
  try {
    return await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (err) {
    // fetchHistory's not-found is the raw gRPC status (5, NOT_FOUND), not WorkflowNotFoundError.
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) return null;
    throw err;
  }
}
