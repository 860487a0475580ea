/**
 * Publishes a new policy version and tells every running invoice workflow to re-plan with it
 * (they would otherwise pick it up at their next step, possibly days away).
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { publishPolicy } from './store';
import type { Policy } from '../domain/policy';
import { policyChangedSignal } from '../collections/messages';
import { outreachPolicyChangedSignal } from '../outreach/messages';

export async function publishAndNotify(
  client: Client,
  db: Db,
  body: unknown,
  opts: { note: string; createdBy: string },
): Promise<{ policy: Policy; notified: number }> {
  const policy = await publishPolicy(db, body, opts);
  return { policy, notified: await notifyPolicyChanged(client) };
}

/** Signals every running invoice workflow to re-plan with the policy in force; returns how many. */
export async function notifyPolicyChanged(client: Client): Promise<number> {
  let notified = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"` })) {
    try {
      await client.workflow.getHandle(wf.workflowId).signal(policyChangedSignal);
      notified++;
    } catch (err) {
      // A workflow that completed between the listing and the signal needs nothing.
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }
  // Outreach workflows waiting out a batch window adopt a shorter one at once.
  for await (const wf of client.workflow.list({ query: `WorkflowType = "outreachWorkflow" AND ExecutionStatus = "Running"` })) {
    try {
      await client.workflow.getHandle(wf.workflowId).signal(outreachPolicyChangedSignal);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }
  return notified;
}
