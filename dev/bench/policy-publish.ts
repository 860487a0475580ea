/**
 * `npm run bench:policy-publish`: how long does a policy publish take to answer, and how long until
 * every running workflow has heard of it?
 *
 * Starts the whole stack in this process (Temporal dev server, a fresh PostgreSQL database on
 * TEST_DATABASE_URL's server or embedded PGlite, the `ar` worker, the admin endpoint), seeds
 * BENCH_WORKFLOWS invoices (default 500, one customer each) due in three weeks, starts their
 * workflows with the real sync and waits until all are running and asleep. Then:
 *
 *   before   the old path, for comparison in the same run: list every running invoice workflow and
 *            signal them one by one, as POST /api/policy used to inside the request (BENCH_BEFORE=0 skips);
 *   publish  POST /api/policy: the time to the answer;
 *   fan-out  the policy-fanout-v<N> workflow's own start → finish (policy_fanouts) and the wall time
 *            from the POST until GET /api/policy/status says done; signals per second;
 *   reached  the wall time from the POST until every invoice workflow's state query shows the new version.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { performance } from 'node:perf_hooks';
import { invoiceStateQuery, policyChangedSignal } from '../../collections/messages';
import { addDays } from '../../domain/calendar';
import { createDevLogSender } from '../../outreach/channels/email';
import { forEachBounded } from '../../policy/fanout-page';
import { startAdminStack } from '../harness/admin-stack';
import { waitFor } from '../harness/wait';

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 500);
const BEFORE = process.env.BENCH_BEFORE !== '0';
const RUNNING = 'WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"';

Runtime.install({ logger: new DefaultLogger('WARN') });

const s = await startAdminStack({ email: createDevLogSender(() => undefined) });
try {
  const { db } = s.stack;
  const client = s.stack.env.client;
  const due = addDays(new Date().toISOString().slice(0, 10), 21);
  const numbers = Array.from({ length: WORKFLOWS }, (_, i) => `PB-${String(i + 1).padStart(6, '0')}`);
  await forEachBounded(numbers, 8, async (n) => {
    await s.stack.seed.customer(db, { id: `C-${n}`, email: `ap@${n.toLowerCase()}.example` });
    await s.stack.seed.invoice(db, { number: n, customerId: `C-${n}`, amountMinor: 50_000, dueDate: due });
  });
  const t0 = performance.now();
  await s.syncWorkflows();
  // Asleep: every workflow has read the ledger and the policy (its search attributes say so).
  await waitFor(async () => (await client.workflow.count(`${RUNNING} AND ArPolicyVersion IS NOT NULL`)).count >= WORKFLOWS, {
    tries: 36_000,
    what: `${WORKFLOWS} invoice workflows asleep`,
  });
  console.log(`${WORKFLOWS} invoice workflows running and asleep after ${((performance.now() - t0) / 1000).toFixed(1)}s`);

  let beforeS: number | null = null;
  if (BEFORE) {
    const b0 = performance.now();
    let told = 0;
    for await (const wf of client.workflow.list({ query: RUNNING })) {
      await client.workflow.getHandle(wf.workflowId).signal(policyChangedSignal);
      told++;
    }
    beforeS = (performance.now() - b0) / 1000;
    console.log(`before (one by one, inside the request): ${told} signalled in ${beforeS.toFixed(2)}s (${(told / beforeS).toFixed(0)}/s)`);
  }

  const read = await s.http('GET', '/api/policy', { as: 'ada' });
  const p0 = performance.now();
  const published = await s.http('POST', '/api/policy', {
    as: 'ada',
    body: { policy: { ...read.body.policy, promiseGraceDays: read.body.policy.promiseGraceDays + 1 }, note: 'bench' },
  });
  const answerMs = performance.now() - p0;
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  const v = published.body.version as number;
  console.log(`publish: answered in ${answerMs.toFixed(0)} ms (${JSON.stringify(published.body)})`);

  const fan = await waitFor(
    async () => {
      const st = (await s.http('GET', '/api/policy/status', { as: 'vic' })).body;
      return st.fanOut?.version === v && st.fanOut.status !== 'running' ? st.fanOut : null;
    },
    { tries: 36_000, what: 'the fan-out to finish' },
  );
  const doneWallS = (performance.now() - p0) / 1000;
  const fanS = (Date.parse(fan.finishedAt) - Date.parse(fan.startedAt)) / 1000;
  console.log(
    `fan-out ${fan.workflowId}: ${fan.status}, ${fan.signalled.total} of ${fan.total} signalled in ${fan.pages} pages, ` +
      `${fanS.toFixed(2)}s start → finish (${(fan.signalled.total / fanS).toFixed(0)} signals/s); done per /api/policy/status ${doneWallS.toFixed(2)}s after the POST`,
  );

  // Every workflow on the new version: asked through its state query, 16 at a time, until none is behind.
  let behind = numbers;
  while (behind.length > 0) {
    const still: string[] = [];
    await forEachBounded(behind, 16, async (n) => {
      const st = await client.workflow.getHandle(`invoice-${n}`).query(invoiceStateQuery);
      if (st.policyVersion !== v) still.push(n);
    });
    behind = still;
    if (behind.length > 0) await new Promise((r) => setTimeout(r, 500));
  }
  const reachedS = (performance.now() - p0) / 1000;
  console.log(`every invoice workflow on v${v} ${reachedS.toFixed(2)}s after the POST`);
  console.log(
    JSON.stringify({
      workflows: WORKFLOWS,
      beforeSeconds: beforeS === null ? null : +beforeS.toFixed(2),
      publishAnswerMs: Math.round(answerMs),
      fanOutSeconds: +fanS.toFixed(2),
      signalsPerSecond: Math.round(fan.signalled.total / fanS),
      fanOutDoneAfterPostSeconds: +doneWallS.toFixed(2),
      allOnNewVersionSeconds: +reachedS.toFixed(2),
    }),
  );
} finally {
  await s.close();
}
