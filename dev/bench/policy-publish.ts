/**
 * `npm run bench:policy-publish`: how long does a policy publish take to answer, and how long until
 * every running workflow has heard of it?
 *
 * Starts the whole stack in this process (Temporal dev server, a fresh PostgreSQL database on
 * TEST_DATABASE_URL's server or embedded PGlite, the `ar` worker, the admin endpoint), seeds
 * BENCH_WORKFLOWS invoices (default 500, one customer each, the tiers in turn) due in three weeks,
 * starts their workflows with the real sync and waits until all are running and asleep. Then:
 *
 *   publish  POST /api/policy of a calendar rule (every plan reads it, so every invoice is told):
 *            the time to the answer;
 *   fan-out  the policy-fanout-v<N> workflow's own start → finish (policy_fanouts), the time its page
 *            activities spent signalling (signals/s), and where the rest went (each activity's wait);
 *   reached  the wall time from the POST until every invoice workflow's state query shows the new version;
 *   scoped   a change of the small ladder (only the small tier is told, and reaches it) and of a
 *            limit (nobody is told; the invoices read it at their next step);
 *   before   the old path in the same run, before (cold: each workflow's first message) and after (warm,
 *            the fair comparison): a version stored, every running invoice workflow listed and signalled
 *            one by one, as POST /api/policy used to inside the request (its answer time), and until all
 *            are on that version (BENCH_BEFORE=0 skips both).
 */
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { performance } from 'node:perf_hooks';
import { invoiceStateQuery, policyChangedSignal } from '../../collections/messages';
import { addDays } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import { createDevLogSender } from '../../outreach/channels/email';
import { forEachBounded } from '../../policy/fanout-page';
import { publishPolicy } from '../../policy/store';
import { startAdminStack } from '../harness/admin-stack';
import { waitFor } from '../harness/wait';

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 500);
const BEFORE = process.env.BENCH_BEFORE !== '0';
const RUNNING = 'WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"';

Runtime.install({ logger: new DefaultLogger('WARN') });

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;

/** Each activity of a workflow's latest run: its wait for a worker and its own run, in server timestamps. */
async function activityTimes(client: Client, workflowId: string) {
  const scheduled = new Map<number, { name: string; at: number }>();
  const started = new Map<number, { at: number; attempt: number }>();
  const out: { name: string; waitedMs: number; ranMs: number; attempt: number }[] = [];
  for (const e of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
    const at = millis(e.eventTime);
    const sch = e.activityTaskScheduledEventAttributes;
    if (sch) scheduled.set(Number(e.eventId), { name: sch.activityType?.name ?? '?', at });
    const st = e.activityTaskStartedEventAttributes;
    if (st) started.set(Number(st.scheduledEventId), { at, attempt: st.attempt ?? 1 });
    const done = e.activityTaskCompletedEventAttributes;
    const s = done && scheduled.get(Number(done.scheduledEventId));
    const r = done && started.get(Number(done.scheduledEventId));
    if (s && r) out.push({ name: s.name, waitedMs: r.at - s.at, ranMs: at - r.at, attempt: r.attempt });
  }
  return out;
}

const s = await startAdminStack({ email: createDevLogSender(() => undefined) });
try {
  const { db } = s.stack;
  const client = s.stack.env.client;
  const due = addDays(new Date().toISOString().slice(0, 10), 21);
  const numbers = Array.from({ length: WORKFLOWS }, (_, i) => `PB-${String(i + 1).padStart(6, '0')}`);
  const tiers = ['strategic', 'standard', 'small'] as const;
  const tierOf = (n: string) => tiers[Number(n.slice(3)) % 3]!;
  await forEachBounded(numbers, 8, async (n) => {
    await s.stack.seed.customer(db, { id: `C-${n}`, email: `ap@${n.toLowerCase()}.example`, tier: tierOf(n) });
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

  /** Seconds from `since` until every invoice workflow's state query shows version `v`. */
  async function allOn(v: number, since: number, which = numbers): Promise<number> {
    let behind = which;
    while (behind.length > 0) {
      const still: string[] = [];
      await forEachBounded(behind, 16, async (n) => {
        if ((await client.workflow.getHandle(`invoice-${n}`).query(invoiceStateQuery)).policyVersion !== v) still.push(n);
      });
      behind = still;
      if (behind.length > 0) await new Promise((r) => setTimeout(r, 500));
    }
    return (performance.now() - since) / 1000;
  }

  /** The old path: a version stored, then every running invoice workflow listed and signalled one by one. */
  async function oldPath(label: string, promiseGraceDays: number) {
    const b0 = performance.now();
    const old = await publishPolicy(
      db,
      { ...DEFAULT_POLICY, promiseGraceDays },
      { note: `bench: the old path, ${label}`, createdBy: 'bench' },
    );
    let told = 0;
    for await (const wf of client.workflow.list({ query: RUNNING })) {
      await client.workflow.getHandle(wf.workflowId).signal(policyChangedSignal);
      told++;
    }
    const answerSeconds = (performance.now() - b0) / 1000;
    const allOnNewVersionSeconds = await allOn(old.version, b0);
    console.log(
      `before, ${label} (one by one, inside the request): ${told} signalled, answered after ${answerSeconds.toFixed(2)}s ` +
        `(${(told / answerSeconds).toFixed(0)} signals/s); every invoice workflow on v${old.version} ${allOnNewVersionSeconds.toFixed(2)}s after the request`,
    );
    return { answerSeconds: +answerSeconds.toFixed(2), allOnNewVersionSeconds: +allOnNewVersionSeconds.toFixed(2) };
  }

  // A workflow's first message after it starts costs more (issue 15): the cold run only warms them up.
  const beforeCold = BEFORE ? await oldPath('cold', 8) : null;

  const read = await s.http('GET', '/api/policy', { as: 'ada' });
  const p0 = performance.now();
  const published = await s.http('POST', '/api/policy', {
    as: 'ada',
    body: { policy: { ...read.body.policy, handoffGraceDays: read.body.policy.handoffGraceDays + 1 }, note: 'bench' },
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
  const acts = await activityTimes(client, fan.workflowId);
  const signallingS = acts.filter((a) => a.name === 'fanOutPolicyPage').reduce((t, a) => t + a.ranMs, 0) / 1000;
  console.log(
    `fan-out ${fan.workflowId}: ${fan.status}, ${fan.signalled.total} of ${fan.total} signalled in ${fan.pages} pages; ` +
      `${fanS.toFixed(2)}s start → finish, of which ${signallingS.toFixed(2)}s signalling (${(fan.signalled.total / signallingS).toFixed(0)} signals/s); ` +
      `done per /api/policy/status ${doneWallS.toFixed(2)}s after the POST`,
  );
  for (const a of acts)
    console.log(`  ${a.name}: waited ${a.waitedMs.toFixed(0)} ms for a worker, ran ${a.ranMs.toFixed(0)} ms (attempt ${a.attempt})`);
  const reachedS = await allOn(v, p0);
  console.log(`every invoice workflow on v${v} ${reachedS.toFixed(2)}s after the POST`);

  /** A publish through the same path, its fan-out waited for: who it told, and when those were on it. */
  async function scoped(label: string, policy: unknown, told: string[]) {
    const q0 = performance.now();
    const r = await s.http('POST', '/api/policy', { as: 'ada', body: { policy, note: `bench: ${label}` } });
    if (r.status !== 200) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
    const f = await waitFor(
      async () => {
        const st = (await s.http('GET', '/api/policy/status', { as: 'vic' })).body;
        return st.fanOut?.version === r.body.version && st.fanOut.status !== 'running' ? st.fanOut : null;
      },
      { tries: 36_000, what: `the ${label} fan-out` },
    );
    const reached = await allOn(r.body.version as number, q0, told);
    console.log(`${label}: told ${f.signalled.invoices} (${f.scope}); those on v${r.body.version} ${reached.toFixed(2)}s after the POST`);
    return { told: f.signalled.invoices as number, expected: told.length, reachedSeconds: +reached.toFixed(2), scope: f.scope as string };
  }
  const current = (await s.http('GET', '/api/policy', { as: 'ada' })).body.policy;
  const small = current.ladders.small.map((st: { offsetDays: number }) => ({ ...st, offsetDays: st.offsetDays + 2 }));
  const oneLadder = await scoped(
    'the small ladder',
    { ...current, ladders: { ...current.ladders, small } },
    numbers.filter((n) => tierOf(n) === 'small'),
  );
  const aLimit = await scoped(
    'a limit',
    { ...current, ladders: { ...current.ladders, small }, promiseGraceDays: current.promiseGraceDays + 2 },
    [],
  );

  const beforeWarm = BEFORE ? await oldPath('warm', 10) : null;

  console.log(
    JSON.stringify({
      workflows: WORKFLOWS,
      publishAnswerMs: Math.round(answerMs),
      fanOutSeconds: +fanS.toFixed(2),
      signallingSeconds: +signallingS.toFixed(2),
      signalsPerSecond: Math.round(fan.signalled.total / signallingS),
      fanOutDoneAfterPostSeconds: +doneWallS.toFixed(2),
      allOnNewVersionSeconds: +reachedS.toFixed(2),
      scoped: { oneLadder, aLimit },
      before: { cold: beforeCold, warm: beforeWarm },
    }),
  );
} finally {
  await s.close();
}
