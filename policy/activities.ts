/**
 * Activities of the policy fan-out: count who is to be told, tell one visibility page of them
 * (bounded concurrency, heartbeating how far it got), and record the end. Each writes the
 * policy_fanouts row as totals, so a retry leaves the same numbers.
 */
import { ApplicationFailure, activityInfo, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { policyChangedSignal } from '../collections/messages';
import { outreachPolicyChangedSignal } from '../outreach/messages';
import { forEachBounded, PageTally, type PageCheckpoint, type SignalOutcome } from './fanout-page';
import { newerPolicyPublished, recordFanOutCounts, recordFanOutEnd, recordFanOutTotal } from './fanout-store';
import { FANOUT_TARGETS, type FanOutCounts, type FanOutPage, type FanOutProgress, type FanOutTarget } from './messages';

const RUNNING: Record<FanOutTarget, string> = {
  invoice: 'WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"',
  outreach: 'WorkflowType = "outreachWorkflow" AND ExecutionStatus = "Running"',
};
/** Signals in flight at once: enough to keep the server busy, few enough not to starve the workers. */
const IN_FLIGHT = 32;
const PAGE_SIZE = 1000;
const PAGE_ERRORS = 5;
const GRPC_UNIMPLEMENTED = 12;

export function createPolicyActivities(deps: { db: Db; temporal: () => Promise<Client> }) {
  const { db } = deps;
  return {
    /** How many are running when the fan-out begins: the "of N" of its progress (null if visibility cannot count). */
    async countPolicyFanOutTargets(input: { version: number }): Promise<{ total: number | null }> {
      const client = await deps.temporal();
      let total: number | null = 0;
      try {
        for (const t of FANOUT_TARGETS) total += (await client.workflow.count(RUNNING[t])).count;
      } catch {
        total = null;
      }
      await recordFanOutTotal(db, input.version, total);
      return { total };
    },

    /** Signals the running workflows of one visibility page; `before` is the fan-out's counts up to this page. */
    async fanOutPolicyPage(input: {
      version: number;
      target: FanOutTarget;
      pageToken: string | null;
      before: FanOutCounts;
      pageSize?: number;
    }): Promise<FanOutPage> {
      const empty = { target: input.target, signalled: 0, notFound: 0, failed: 0, errors: [] as string[], nextPageToken: null };
      // Workflows re-read the policy in force, so the newest version's fan-out tells them everything.
      if (await newerPolicyPublished(db, input.version)) return { ...empty, superseded: true };
      const client = await deps.temporal();
      const res = await client.workflowService
        .listWorkflowExecutions({
          namespace: client.options.namespace,
          query: RUNNING[input.target],
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
      await forEachBounded(tally.pending(), IN_FLIGHT, async (i) => {
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
      return { ...empty, ...t, errors, nextPageToken: next, superseded: false };
    },

    /** The fan-out's end (done, failed or superseded), with its final counts and errors. */
    async recordPolicyFanOut(input: { progress: FanOutProgress }): Promise<void> {
      await recordFanOutEnd(db, input.progress);
    },
  };
}

export type PolicyActivities = ReturnType<typeof createPolicyActivities>;
