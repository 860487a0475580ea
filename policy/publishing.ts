/**
 * Publishes a new policy version and answers at once: telling the running invoice and outreach
 * workflows (they would otherwise pick it up at their next step, possibly days away) is the
 * background fan-out's job (fanout-start.ts, workflow.ts).
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import type { Policy } from '../domain/policy';
import { type FanOutStart, startPolicyFanOut } from './fanout-start';
import { publishPolicy } from './store';

export async function publishAndFanOut(
  client: Client,
  db: Db,
  body: unknown,
  opts: { note: string; createdBy: string; taskQueue: string; maxBacklog?: number },
): Promise<{ policy: Policy; fanOut: FanOutStart }> {
  const policy = await publishPolicy(db, body, opts);
  const fanOut = await startPolicyFanOut(client, db, policy.version, { taskQueue: opts.taskQueue, maxBacklog: opts.maxBacklog });
  return { policy, fanOut };
}
