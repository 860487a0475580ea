/**
 * bench:scale's policy publish measurement, alone in its file so a new publish path (a background
 * fan-out) can replace it: the time until the publish call returns, and how many workflows it says
 * it reached. The benchmark then waits, on its own, until every workflow has re-planned and sleeps.
 */
import type { Client } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../db/client';
import { publishAndNotify } from '../../policy/publish';

export async function measurePolicyPublish(client: Client, db: Db, body: unknown): Promise<{ seconds: number; notified: number }> {
  const t0 = performance.now();
  const r = await publishAndNotify(client, db, body, { note: 'bench:scale publish', createdBy: 'bench' });
  return { seconds: (performance.now() - t0) / 1000, notified: r.notified };
}
