/**
 * bench:scale's policy publish measurement: the time until the publish answers (the version is
 * stored and its background fan-out started), and until the fan-out has told every running
 * workflow. The benchmark then waits, on its own, until every workflow has re-planned and sleeps.
 */
import type { Client } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../db/client';
import { publishAndFanOut } from '../../policy/publishing';
import { waitForPolicyFanOut } from '../harness/policy-fanout';

export async function measurePolicyPublish(
  client: Client,
  db: Db,
  body: unknown,
  taskQueue: string,
): Promise<{ seconds: number; fanOutSeconds: number; notified: number }> {
  const t0 = performance.now();
  const r = await publishAndFanOut(client, db, body, { note: 'bench:scale publish', createdBy: 'bench', taskQueue });
  const seconds = (performance.now() - t0) / 1000;
  const done = await waitForPolicyFanOut(client, r.policy.version);
  return { seconds, fanOutSeconds: (performance.now() - t0) / 1000, notified: done.counts.invoices };
}
