/**
 * policyFanOutWorkflow (`policy-fanout-v<version>`): tells the running invoice workflows whose plan
 * the new version changes (fanout-scope.ts), and every running outreach workflow, that it is in
 * force, in the background of the publish. One activity
 * per visibility page; PolicyFanOutCase holds the counts and what comes next; the Web UI shows the
 * progress (current details, ArStatus = fanout-<status>, ArPolicyVersion); continue-as-new keeps
 * each run's history short on 100,000 workflows.
 */
import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PolicyActivities } from './activities';
import { PolicyFanOutCase } from './fanout-case';
import { type FanOutProgress, type PolicyFanOutInput, policyFanOutQuery } from './messages';
import { SA } from '../temporal/search-attributes';

const { countPolicyFanOutTargets } = proxyActivities<PolicyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
// The end must reach the database, or the row says running for ever: idempotent, so it retries until it does.
const { recordPolicyFanOut } = proxyActivities<PolicyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A page signals up to a thousand workflows; the heartbeat says how far it got, so a retry resumes there.
const { fanOutPolicyPage } = proxyActivities<PolicyActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

const nowIso = () => new Date(Date.now()).toISOString();

export async function policyFanOutWorkflow(input: PolicyFanOutInput): Promise<FanOutProgress> {
  const { version } = input;
  const fc = new PolicyFanOutCase(version, workflowInfo().workflowId, nowIso(), input.carried);
  setHandler(policyFanOutQuery, () => fc.view());
  // The status attribute changes only at the end: one upsert then, not an event per page.
  let shownStatus = 'running';
  const show = () => {
    setCurrentDetails(fc.summary());
    const { status } = fc.view();
    if (status !== shownStatus) upsertSearchAttributes([{ key: SA.status, value: `fanout-${status}` }]);
    shownStatus = status;
  };
  show();

  if (!fc.counted) {
    try {
      const counted = await countPolicyFanOutTargets({ version });
      fc.setTotal(counted.total, counted.scope);
    } catch {
      fc.setTotal(null); // the total is for show: signalling goes ahead without it
    }
  }
  for (let next = fc.next(); next; next = fc.next()) {
    if (fc.shouldContinueAsNew(input.pagesPerRun ?? 100, workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof policyFanOutWorkflow>({ ...input, carried: fc.carry() });
    }
    try {
      const query = next.target === 'invoice' ? fc.invoiceQuery : undefined;
      const page = { version, ...next, before: fc.view().counts, pageSize: input.pageSize, query, maxBacklog: input.maxBacklog };
      fc.applyPage(await fanOutPolicyPage(page));
    } catch (err) {
      // An ActivityFailure says only "activity failed"; its cause says why.
      const e = err as Error & { cause?: Error };
      fc.fail(`${next.target} page: ${e.cause?.message ?? e.message}`);
    }
    show();
  }
  fc.finish(nowIso());
  await recordPolicyFanOut({ progress: fc.view() });
  show();
  return fc.view();
}
