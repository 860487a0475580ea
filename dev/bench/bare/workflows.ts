/**
 * The bare-Temporal ceilings `npm run bench:approvals` compares the invoice decision against: the same
 * server, worker options and concurrency, but workflows that do nothing except answer one Update
 * (and, for the approval's shapes, hand one message to a second workflow that "sends" it, or
 * "send" it from an activity of its own).
 */
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { BareActivities, BareRequest } from './activities';

export const bareDecideUpdate = defineUpdate<string, [string]>('decide');
export const bareRequestSignal = defineSignal<[BareRequest]>('request');

const { recordDecision, handOver, send } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** The Update returns at once: the floor of a decision's round trip through Temporal. */
export async function bareDecisionWorkflow(): Promise<void> {
  let decided = false;
  setHandler(bareDecideUpdate, (decision) => {
    decided = true;
    return decision;
  });
  await condition(() => decided);
}

/** The Update awaits one no-op activity: the floor of a decision that writes something before answering. */
export async function bareActivityDecisionWorkflow(): Promise<void> {
  let decided = false;
  setHandler(bareDecideUpdate, async (decision) => {
    const answer = await recordDecision(decision);
    decided = true;
    return answer;
  });
  await condition(() => decided);
}

/** The approval shapes' Update: answered once a local activity (the decision's row) is done. */
async function decidedAfterLocalRecord(): Promise<void> {
  let decided = false;
  setHandler(bareDecideUpdate, async (decision) => {
    const answer = await local.recordDecision(decision);
    decided = true;
    return answer;
  });
  await condition(() => decided);
}

/**
 * An approval's Temporal shape with none of its rules: the Update answers once a local activity
 * (the decision's row) is done; then an activity hands the message to a second workflow with its
 * task token and is completed by the "send", and the workflow sleeps until its next step. The
 * counts match what bench:approvals reads from an approved invoice and its outreach workflow
 * (2 workflow tasks, 1 activity, 1 local activity, 1 timer each), so the ratio to this is what
 * the AR rules and writes cost over the shape itself.
 */
export async function bareDeliveryDecisionWorkflow(input: { outreachId: string }): Promise<void> {
  await decidedAfterLocalRecord();
  await handOver({ outreachId: input.outreachId });
  await condition(() => false, '30 days');
}

/**
 * The approval's shape since the invoice sends at once (outreach/at-once.ts), with none of its rules:
 * the Update answers once a local activity (the decision's row) is done, then one activity "sends"
 * and the workflow sleeps until its next step: the two workflow tasks and one activity of the bare
 * Update with an activity, plus a local activity and a timer, and the Update answered in the first
 * task. The ratio to this is what the AR rules, reads and writes cost.
 */
export async function bareAtOnceDecisionWorkflow(): Promise<void> {
  await decidedAfterLocalRecord();
  await recordDecision('sent');
  await condition(() => false, '30 days');
}

/** The second workflow of that shape: reads (a local activity), sends (an activity), waits for more. */
export async function bareOutreachWorkflow(): Promise<void> {
  const queue: BareRequest[] = [];
  setHandler(bareRequestSignal, (r) => void queue.push(r));
  while (true) {
    if (!(await condition(() => queue.length > 0, '30 days'))) return;
    await local.recordDecision('rules');
    await send(queue.splice(0));
  }
}
