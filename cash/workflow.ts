/**
 * The `cash-<statement key>` workflow: one bank statement, stored by the import, taken through
 * matching → apply or propose per credit → post each allocation through the ERP port → tell each
 * invoice workflow (paymentApplied) → reverse returned credits. Every activity is idempotent, so a
 * retry, a worker killed halfway or a second run of the same statement posts nothing twice.
 */
import { proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { CashActivities } from './activities';
import { cashProgressQuery, type CashProgress } from './messages';
import { StatementRun } from './statement-state';

export interface CashWorkflowInput {
  statementKey: string;
}

const quick = proxyActivities<CashActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

// Matching a big statement takes a while; heartbeats show it is alive, so a dead worker is noticed in 30 s, not 30 min.
const matching = proxyActivities<CashActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Postings per activity: small enough to retry cheaply, big enough to keep the history short. */
const BATCH = 25;

export async function cashWorkflow(input: CashWorkflowInput): Promise<CashProgress> {
  const run = new StatementRun(input.statementKey);
  setHandler(cashProgressQuery, () => run.view());
  const show = () => setCurrentDetails(run.details());

  show();
  run.loaded(await quick.loadStatement(input.statementKey));
  run.enter('matching');
  show();
  const summary = await matching.matchStatementCredits(input.statementKey);
  run.matched(summary.decided);

  for (let i = 0; i < summary.toPost.length; i += BATCH) {
    run.enter('posting');
    show();
    const posted = await matching.postAllocations(summary.toPost.slice(i, i + BATCH));
    run.postedBatch(posted);
    run.enter('notifying');
    show();
    run.told(await quick.notifyInvoices(posted.flatMap((p) => p.notices)));
  }
  for (let i = 0; i < summary.returns.length; i += BATCH) {
    run.enter('reversing returns');
    show();
    run.reversed(await quick.reverseReturns(summary.returns.slice(i, i + BATCH)));
  }
  run.enter('done');
  show();
  return run.view();
}
