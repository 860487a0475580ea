/**
 * bench:scale's policy publish measurement: the time until the publish answers (the version is
 * stored and its background fan-out started), until the fan-out has told the invoice workflows
 * whose plan the version changes, and the task queue's backlog meanwhile (its count and the age of
 * its oldest task: how long a decision's task would wait behind the re-plans). The benchmark then
 * waits, on its own, until every workflow has re-planned and sleeps.
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { resumeUpdate } from '../../collections/messages';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../db/client';
import type { FanOutPacing } from '../../policy/messages';
import { publishAndFanOut } from '../../policy/publishing';
import { workflowBacklogStats } from '../../temporal/task-queue';
import { waitForPolicyFanOut } from '../harness/policy-fanout';
import { percentile } from './pool';

export interface PublishFigures {
  seconds: number;
  fanOutSeconds: number;
  notified: number;
  scope: string | null;
  pacing: FanOutPacing;
}

export async function measurePolicyPublish(
  client: Client,
  db: Db,
  body: unknown,
  taskQueue: string,
  opts: { note: string; maxBacklog?: number },
): Promise<PublishFigures> {
  const t0 = performance.now();
  const r = await publishAndFanOut(client, db, body, { note: opts.note, createdBy: 'bench', taskQueue, maxBacklog: opts.maxBacklog });
  const seconds = (performance.now() - t0) / 1000;
  const done = await waitForPolicyFanOut(client, r.policy.version);
  return {
    seconds,
    fanOutSeconds: (performance.now() - t0) / 1000,
    notified: done.counts.invoices,
    scope: done.scope,
    pacing: done.pacing,
  };
}

/** Samples a task queue's workflow backlog every `everyMs` until stopped: its peak count and peak age. */
export function sampleBacklog(client: Client, taskQueue: string, everyMs = 2000) {
  let peak = 0;
  let peakAgeS = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const stats = await workflowBacklogStats(client, taskQueue);
        peak = Math.max(peak, stats?.count ?? 0);
        peakAgeS = Math.max(peakAgeS, stats?.oldestSeconds ?? 0);
      } catch {
        // a missed sample is only a missed sample
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ peak: number; peakAgeS: number }> {
      stopped = true;
      await loop;
      return { peak, peakAgeS };
    },
  };
}

/**
 * What an approver feels meanwhile: every `everyMs` a `resume` Update to a random invoice that is
 * not paused. Its validator refuses it, so it leaves no event, but it needs a workflow task like
 * any decision, and that task waits in the queue behind the re-plans (on the sticky queue when the
 * workflow is cached). Latency per probe, until stopped.
 */
export function probeDecisions(client: Client, workflowIds: readonly string[], everyMs = 500) {
  const latencies: number[] = [];
  let stopped = false;
  let unexpected = 0;
  const loop = (async () => {
    while (!stopped) {
      const id = workflowIds[Math.floor(Math.random() * workflowIds.length)]!;
      const t0 = performance.now();
      try {
        await client.workflow.getHandle(id).executeUpdate(resumeUpdate, { args: [{ by: 'bench-probe' }] });
        unexpected++;
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) unexpected++;
      }
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ count: number; p50: number; p99: number; max: number; unexpected: number }> {
      stopped = true;
      await loop;
      const sorted = [...latencies].sort((a, b) => a - b);
      return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100), unexpected };
    },
  };
}
