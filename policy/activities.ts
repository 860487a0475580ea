/**
 * Activities of the policy fan-out: decide and count who is to be told (the invoice workflows whose
 * plan the version changes, fanout-scope.ts, and the running outreach workflows), tell one
 * visibility page of them (bounded concurrency, heartbeating how far it got), and record the end.
 * Each writes the policy_fanouts row as totals, so a retry leaves the same numbers.
 */
import { ApplicationFailure, activityInfo, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { policyChangedSignal } from '../collections/messages';
import { outreachPolicyChangedSignal } from '../outreach/messages';
import { workflowBacklog } from '../temporal/task-queue';
import { BacklogGate } from './fanout-pace';
import { forEachBounded, PageTally, type PageCheckpoint, type SignalOutcome } from './fanout-page';
import { invoiceScope, RUNNING_INVOICES } from './fanout-scope';
import { newerPolicyPublished, recordFanOutCounts, recordFanOutEnd, recordFanOutTotal } from './fanout-store';
import { policiesUpTo } from './store';
import { FANOUT_TARGETS, type FanOutCounts, type FanOutPage, type FanOutProgress, type FanOutTarget } from './messages';

const RUNNING: Record<FanOutTarget, string> = {
  invoice: RUNNING_INVOICES,
  outreach: 'WorkflowType = "outreachWorkflow" AND ExecutionStatus = "Running"',
};
/** Signals in flight at once: enough to keep the server busy, few enough not to starve the workers. */
const IN_FLIGHT = 32;
const PAGE_SIZE = 1000;
const PAGE_ERRORS = 5;
const GRPC_UNIMPLEMENTED = 12;
/** POLICY_FANOUT_MAX_BACKLOG's default: a decision's task waits behind a few seconds of one worker's re-plans. */
const MAX_BACKLOG = 500;

export function createPolicyActivities(deps: { db: Db; temporal: () => Promise<Client>; policyFanOutMaxBacklog?: number }) {
  const { db } = deps;
  return {
    /**
     * Who is to be told (the invoice workflows whose plan the version changes, and every running
     * outreach workflow) and how many they are: the "of N" of its progress (null if visibility
     * cannot count). The scope is decided once, here, so every page of every run lists the same set.
     */
    async countPolicyFanOutTargets(input: {
      version: number;
    }): Promise<{ total: number | null; scope: { invoiceQuery: string; description: string } }> {
      const versions = await policiesUpTo(db, input.version);
      const current = versions.find((p) => p.version === input.version);
      if (!current) throw ApplicationFailure.nonRetryable(`policy v${input.version} is not stored`, 'PolicyNotFound');
      const scoped = invoiceScope(
        versions.filter((p) => p.version < input.version).map((policy) => ({ version: policy.version, policy })),
        current,
      );
      const scope = { invoiceQuery: scoped.query, description: scoped.description };
      const client = await deps.temporal();
      let total: number | null = 0;
      try {
        for (const t of FANOUT_TARGETS) total += (await client.workflow.count(t === 'invoice' ? scope.invoiceQuery : RUNNING[t])).count;
      } catch {
        total = null;
      }
      await recordFanOutTotal(db, input.version, total, scope.description);
      return { total, scope };
    },

    /** Signals the running workflows of one visibility page; `before` is the fan-out's counts up to this page. */
    async fanOutPolicyPage(input: {
      version: number;
      target: FanOutTarget;
      pageToken: string | null;
      before: FanOutCounts;
      pageSize?: number;
      /** The visibility query of this target (the invoices' scope); absent: every running workflow of it. */
      query?: string;
      /** Workflow tasks allowed to wait on this task queue before signals are held (fanout-pace.ts); 0: none. Absent: the worker's POLICY_FANOUT_MAX_BACKLOG. */
      maxBacklog?: number;
    }): Promise<FanOutPage> {
      const empty = { target: input.target, signalled: 0, notFound: 0, failed: 0, errors: [] as string[], nextPageToken: null };
      // Workflows re-read the policy in force, so the newest version's fan-out tells them everything.
      if (await newerPolicyPublished(db, input.version)) return { ...empty, superseded: true };
      const client = await deps.temporal();
      const res = await client.workflowService
        .listWorkflowExecutions({
          namespace: client.options.namespace,
          query: input.query ?? RUNNING[input.target],
          pageSize: input.pageSize ?? PAGE_SIZE,
          nextPageToken: input.pageToken ? Buffer.from(input.pageToken, 'base64') : undefined,
        })
        .catch((err: { code?: number; message?: string }) => {
          // A server without visibility listing (the time-skipping test server) will not grow one on retry.
          if (err.code === GRPC_UNIMPLEMENTED) throw ApplicationFailure.nonRetryable(String(err.message), 'VisibilityUnavailable');
          throw err;
        });
      const ids = (res.executions ?? []).map((e) => e.execution?.workflowId ?? '').filter((id) => id !== '');
      const tally = new PageTally(ids, activityInfo().heartbeatDetails as PageCheckpoint | undefined);
      const signal = input.target === 'invoice' ? policyChangedSignal : outreachPolicyChangedSignal;
      const errors: string[] = [];
      // The woken workflows' tasks share this worker's queue (the fan-out runs on it too).
      const maxBacklog = input.maxBacklog ?? deps.policyFanOutMaxBacklog ?? MAX_BACKLOG;
      const gate = new BacklogGate({
        maxBacklog,
        readBacklog: () => (maxBacklog > 0 ? workflowBacklog(client, activityInfo().taskQueue) : Promise.resolve(null)),
        onHold: () => heartbeat(tally.checkpoint()),
      });
      await forEachBounded(tally.pending(), IN_FLIGHT, async (i) => {
        await gate.admit();
        let outcome: SignalOutcome = 'signalled';
        try {
          await client.workflow.getHandle(ids[i]!).signal(signal);
        } catch (err) {
          // Closed between the listing and the signal: nothing left to tell.
          if ((err as Error).name === 'WorkflowNotFoundError') outcome = 'notFound';
          else {
            outcome = 'failed';
            if (errors.length < PAGE_ERRORS) errors.push(`${ids[i]}: ${(err as Error).message}`);
          }
        }
        tally.record(i, outcome);
        heartbeat(tally.checkpoint());
      });
      const t = tally.totals();
      const b = input.before;
      await recordFanOutCounts(db, input.version, {
        invoices: b.invoices + (input.target === 'invoice' ? t.signalled : 0),
        outreach: b.outreach + (input.target === 'outreach' ? t.signalled : 0),
        notFound: b.notFound + t.notFound,
        failed: b.failed + t.failed,
        pages: b.pages + 1,
      });
      const next = res.nextPageToken && res.nextPageToken.length > 0 ? Buffer.from(res.nextPageToken).toString('base64') : null;
      return { ...empty, ...t, errors, nextPageToken: next, superseded: false, pacing: { heldMs: gate.heldMs, peakBacklog: gate.peak } };
    },

    /** The fan-out's end (done, failed or superseded), with its final counts and errors. */
    async recordPolicyFanOut(input: { progress: FanOutProgress }): Promise<void> {
      await recordFanOutEnd(db, input.progress);
    },
  };
}

export type PolicyActivities = ReturnType<typeof createPolicyActivities>;
