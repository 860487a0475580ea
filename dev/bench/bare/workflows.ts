/**
 * The bare-Temporal ceilings `npm run bench:approvals` compares the invoice decision against: the same
 * server, worker options and concurrency, but workflows that do nothing except answer one Update.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BareActivities } from './activities';

export const bareDecideUpdate = defineUpdate<string, [string]>('decide');

const { recordDecision } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

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
