/**
 * `npm run bench:approvals`: how fast can people decide proposals through the admin endpoint?
 *
 * Starts the whole stack in this process (Temporal dev server, a fresh PostgreSQL database on
 * TEST_DATABASE_URL's server or embedded PGlite, the `ar` worker, the endpoint on a free port),
 * seeds BENCH_INVOICES overdue invoices (default 200, one customer each) whose first dunning step
 * is due, lets the real sync start their workflows and waits until every one has proposed. Then:
 *
 *   baseline   GET /healthz (token-free; one PostgreSQL and one Temporal round trip) with the same
 *              number of requests and concurrency;
 *   decisions  POST /api/approvals/:id/approve for every proposal, BENCH_CONCURRENCY at a time
 *              (default 8): authenticate, read the proposal, the Update to the workflow, which
 *              records the decision in PostgreSQL before answering.
 *
 *   direct     the same Update sent straight to the workflows with the Temporal client (no HTTP,
 *              no token check, no database read) on another BENCH_INVOICES proposals, after the
 *              first batch's emails are out: what the endpoint adds to a decision.
 *
 *   bare       the Temporal ceilings on the same server, in the same process, at the same
 *              concurrency: BENCH_INVOICES bare workflows whose Update returns at once, and as many
 *              whose Update awaits one no-op activity (dev/bench/bare/). The invoice decision's
 *              throughput and p99 are printed as ratios of these, and of the approval's own
 *              Temporal shapes without its rules: through a second workflow, and at once (a local
 *              activity before the answer, one activity after, a timer).
 *
 *   tasks      workflow task time (WorkflowTaskStarted → Completed, server timestamps) read from the
 *              histories of the decided invoice workflows and of the bare ones: p50 and p90.
 *
 * Reports decisions per second and p50/p99 latency next to the baseline (the ratio is the cost of
 * a decision over a bare round trip through the same server), and waits for every approved email
 * to reach the outbox. BENCH_DIRECT=0 skips the direct comparison. The direct decisions run twice,
 * on a batch each: approvals, then rejections, the decision alone, without the delivery an
 * approval sets off (BENCH_DIRECT_DECISION=approve or =reject runs one of them)
 * (an outreach workflow, its reads, the email, the signal back), which splits a decision's cost.
 * BENCH_OUTREACH_ONLY=1 sends every approved reminder through the customer's outreach workflow,
 * none at once from the invoice's hand-over (outreach/at-once.ts): the path before issue 15's last change.
 * BENCH_STACK_TRACES=off runs the ar worker with WORKFLOW_STACK_TRACES=off (apps/worker/no-stack-traces.ts:
 * workflow code captures no stack frames); the bare workflows keep theirs.
 * BENCH_SHARED_MODULES=0 runs the ar worker without its shared modules (apps/worker/shared-modules.ts:
 * zod and the message schemas evaluated once per workflow thread), to measure what they buy.
 *
 * CPU/req on each line is the CPU this process (endpoint, client, worker, activities), the dev
 * server and PostgreSQL's processes spent while the pool ran and until the dev server settled after
 * it (its visibility writes trail the tasks), divided by its requests: on a 2-core box CPU is the
 * ceiling. Each pool starts on a settled server. BENCH_SQL_TOP=1 lists the statements of a direct decision by text.
 * BENCH_SERVER_CALLS=1 lists, for each pool, the dev server's requests, tasks, persistence and
 * visibility operations per request, by operation (its metrics; dev/bench/server-calls.ts).
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { count, eq } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDevLogSender } from '../../outreach/channels/email';
import { schema } from '../../db/client';
import { startAdminStack } from '../harness/admin-stack';
import { waitFor } from '../harness/wait';
import { forEachBounded } from '../../policy/fanout-page';
import { percentile } from './pool';
import { decideProposalUpdate } from '../../collections/messages';
import { createBareActivities } from './bare/activities';
import { workflowTaskDurations } from './bare/task-durations';
import { decisionChain, formatChain } from './decision-chain';
import { cpuSeconds, cpuSecondsOfAll, descendantPids } from './proc-stats';
import { freePort } from '../harness/free-port';
import { perRequest, readServerCounts } from './server-calls';

const BARE_WORKFLOWS = fileURLToPath(new URL('./bare/workflows.ts', import.meta.url));

const N = Number(process.env.BENCH_INVOICES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const DIRECT = process.env.BENCH_DIRECT !== '0';
const DIRECT_DECISIONS: ('approve' | 'reject')[] =
  process.env.BENCH_DIRECT_DECISION === 'reject'
    ? ['reject']
    : process.env.BENCH_DIRECT_DECISION === 'approve'
      ? ['approve']
      : ['approve', 'reject'];
const SHARED_MODULES = process.env.BENCH_SHARED_MODULES !== '0';
const OUTREACH_ONLY = process.env.BENCH_OUTREACH_ONLY === '1';
const STACK_TRACES = process.env.BENCH_STACK_TRACES === 'off' ? 'off' : 'full';
// BENCH_SHARED_MODULES=0 replaces the worker's preload list, which is where the setting's module goes.
if (STACK_TRACES === 'off' && !SHARED_MODULES)
  throw new Error(
    'BENCH_STACK_TRACES=off with BENCH_SHARED_MODULES=0: the second preloads nothing, so the first would not apply; run them apart',
  );

Runtime.install({ logger: new DefaultLogger('WARN') });

interface Sample {
  ms: number;
  status: number;
}

/** CPU each side spent per request of a pool: this process (endpoint, client, worker, activities) and the dev server. */
interface CpuPerRequest {
  workerMs: number;
  serverMs: number;
  /** PostgreSQL's processes (all of them on this machine: the bench's database is the only busy one). */
  databaseMs: number;
  /** SQL statements this process sent to PostgreSQL (begin and commit included). */
  statements: number;
}

// Every statement this process sends (endpoint, activities) goes through pg.Client#query: counted
// here, so a line can say how much database work a request costs. Instrumentation of the bench only.
let statements = 0;
// BENCH_SQL_TOP=1: which statements a decision sends, counted by text over the direct pool.
const SQL_TOP = process.env.BENCH_SQL_TOP === '1';
// BENCH_PROFILE_WINDOWS=1 (with node --cpu-prof): print each pool's time window, to read its samples alone.
const PROFILE_WINDOWS = process.env.BENCH_PROFILE_WINDOWS === '1';
let statementTexts: Map<string, number> | null = null;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  if (statementTexts) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = (typeof first === 'string' ? first : (first?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 140);
    statementTexts.set(text, (statementTexts.get(text) ?? 0) + 1);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

let serverPid: number | null = null;
const SERVER_CALLS = process.env.BENCH_SERVER_CALLS === '1';
const metricsPort = SERVER_CALLS ? await freePort() : undefined;
const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

/**
 * Until the dev server has settled (under 5 % of a core over 300 ms; 20 s at most). Its visibility
 * writes trail the tasks that asked for them, so a pool's would otherwise land in the next one's
 * window: its CPU counted against the next pool and the next pool slowed by it.
 */
async function serverSettled(): Promise<void> {
  if (!serverPid) return;
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const before = cpuSeconds(serverPid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (cpuSeconds(serverPid) - before < 0.015) return;
  }
}

async function runPool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<Sample>,
): Promise<{ samples: Sample[]; seconds: number; cpu: CpuPerRequest | null; serverCalls?: [string, number][] }> {
  const samples: Sample[] = [];
  await serverSettled();
  const countsBefore = SERVER_CALLS ? await readServerCounts(metricsUrl) : null;
  const cpuBefore = [cpuSeconds(process.pid), serverPid ? cpuSeconds(serverPid) : 0, cpuSecondsOfAll('postgres')];
  const statementsBefore = statements;
  const start = performance.now();
  const startUs = process.hrtime.bigint() / 1000n;
  await forEachBounded(items, concurrency, async (item) => {
    samples.push(await fn(item));
  });
  const seconds = (performance.now() - start) / 1000;
  // The pool's window on the monotonic clock V8's profiler stamps samples with: profile-top.ts --from --to.
  if (PROFILE_WINDOWS) console.log(`pool window: --from=${startUs} --to=${process.hrtime.bigint() / 1000n}`);
  // Work a pool set off that outlives it (an email sent after the answer, the server's visibility
  // writes) counts until the server has settled; the throughput is the pool's own window.
  await serverSettled();
  const per = (now: number, before: number) => (1000 * (now - before)) / Math.max(1, samples.length);
  const cpu = serverPid
    ? {
        workerMs: per(cpuSeconds(process.pid), cpuBefore[0]!),
        serverMs: per(cpuSeconds(serverPid), cpuBefore[1]!),
        databaseMs: per(cpuSecondsOfAll('postgres'), cpuBefore[2]!),
        statements: (statements - statementsBefore) / Math.max(1, samples.length),
      }
    : null;
  const serverCalls = countsBefore ? perRequest(countsBefore, await readServerCounts(metricsUrl), samples.length) : undefined;
  return { samples, seconds, cpu, serverCalls };
}

function summarise(name: string, r: Awaited<ReturnType<typeof runPool>>) {
  const ms = r.samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses = r.samples.reduce<Record<number, number>>((acc, s) => ((acc[s.status] = (acc[s.status] ?? 0) + 1), acc), {});
  return {
    name,
    requests: ms.length,
    perSecond: ms.length / r.seconds,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    statuses,
    cpu: r.cpu,
    serverCalls: r.serverCalls,
  };
}

async function timed(fn: () => Promise<Response>): Promise<Sample> {
  const t = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  return { ms: performance.now() - t, status: res.status };
}

const setupStart = performance.now();
const s = await startAdminStack({
  email: createDevLogSender(() => undefined),
  outreachOnly: OUTREACH_ONLY,
  workflowStackTraces: STACK_TRACES,
  ...(SHARED_MODULES ? {} : { workerOptions: { bundlerOptions: { preloadModules: [] } } }),
  devServerMetricsPort: metricsPort,
});
try {
  // The dev server the harness spawned (a child of this process): its CPU is half a decision's cost.
  serverPid = descendantPids('temporal')[0] ?? null;
  console.log(
    `stack up in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (database: ${s.stack.database.kind}, endpoint: ${s.url})`,
  );
  const total = DIRECT ? (1 + DIRECT_DECISIONS.length) * N : N;
  const numbers = Array.from({ length: total }, (_, i) => `BENCH-${String(i + 1).padStart(5, '0')}`);
  await s.seedOverdueInvoices(numbers);
  const syncStart = performance.now();
  await s.syncWorkflows();
  const pending = await waitFor(
    async () => {
      const rows = await s.stack.db
        .select({ id: schema.proposals.id, workflowId: schema.proposals.workflowId, customerId: schema.proposals.customerId })
        .from(schema.proposals)
        .where(eq(schema.proposals.status, 'pending'))
        .orderBy(schema.proposals.id);
      return rows.length >= total ? rows : null;
    },
    { tries: 3000, what: `${total} pending proposals` },
  );
  console.log(`${total} workflows started and proposing in ${((performance.now() - syncStart) / 1000).toFixed(1)} s`);
  const ids = pending.slice(0, N).map((r) => r.id);

  const outboxAtLeast = (n: number) =>
    waitFor(
      async () => {
        const [row] = await s.stack.db.select({ n: count() }).from(schema.emailOutbox);
        return (row?.n ?? 0) >= n;
      },
      { tries: 6000, what: `${n} outbox rows` },
    );

  const auth = { authorization: `Bearer ${s.tokens.alice}`, 'content-type': 'application/json' };
  // Warm-up: connections, JIT, the first query plans.
  for (let i = 0; i < 20; i++) await timed(() => fetch(`${s.url}/healthz`));

  const health = summarise('GET /healthz (baseline)', await runPool(ids, CONCURRENCY, () => timed(() => fetch(`${s.url}/healthz`))));
  const decisions = summarise(
    'POST /api/approvals/:id/approve',
    await runPool(ids, CONCURRENCY, (id) =>
      timed(() => fetch(`${s.url}/api/approvals/${encodeURIComponent(id)}/approve`, { method: 'POST', headers: auth, body: '{}' })),
    ),
  );

  const sentStart = performance.now();
  await outboxAtLeast(N);
  const allSent = (performance.now() - sentStart) / 1000;

  const direct: { decision: 'approve' | 'reject'; r: ReturnType<typeof summarise> }[] = [];
  if (DIRECT) {
    const client = s.stack.env.client;
    let approved = N;
    for (const [i, decision] of DIRECT_DECISIONS.entries()) {
      const batch = pending.slice((i + 1) * N, (i + 2) * N);
      if (SQL_TOP) statementTexts = new Map();
      const r = summarise(
        `${decision} Update via Temporal client (no HTTP)`,
        await runPool(batch, CONCURRENCY, async (p) => {
          const t = performance.now();
          await client.workflow.getHandle(p.workflowId).executeUpdate(decideProposalUpdate, {
            args: [
              decision === 'reject'
                ? { proposalId: p.id, decision: 'reject', by: 'bench', reason: 'measuring the decision without its delivery' }
                : { proposalId: p.id, decision: 'approve', by: 'bench' },
            ],
          });
          return { ms: performance.now() - t, status: 200 };
        }),
      );
      direct.push({ decision, r });
      if (decision === 'approve') await outboxAtLeast((approved += N));
      if (statementTexts) {
        console.log(
          `\nSQL statements per direct ${decision}, by text (${N} decisions${decision === 'approve' ? ', until every email is in the outbox' : ''}):`,
        );
        for (const [text, n] of [...statementTexts].sort((a, b) => b[1] - a[1])) console.log(`${(n / N).toFixed(2).padStart(6)}  ${text}`);
        statementTexts = null;
      }
    }
  }

  // The bare ceilings: the same server and connection, default worker options like the ar worker's.
  const bareQueue = `bench-bare-${Date.now().toString(36)}`;
  const bareWorker = await Worker.create({
    connection: s.stack.env.nativeConnection,
    namespace: s.stack.env.namespace ?? 'default',
    taskQueue: bareQueue,
    workflowsPath: BARE_WORKFLOWS,
    activities: createBareActivities({ client: s.stack.env.client, taskQueue: bareQueue }),
  });
  const bare = await bareWorker.runUntil(async () => {
    const client = s.stack.env.client;
    const run = async (
      workflowType: 'bareDecisionWorkflow' | 'bareActivityDecisionWorkflow' | 'bareDeliveryDecisionWorkflow' | 'bareAtOnceDecisionWorkflow',
      name: string,
    ) => {
      const ids = Array.from({ length: N }, (_, i) => `${bareQueue}-${workflowType}-${i}`);
      await Promise.all(
        ids.map((workflowId) =>
          client.workflow.start(workflowType, {
            taskQueue: bareQueue,
            workflowId,
            // The delivery shape: one second workflow per decision, as one customer per invoice gives here.
            args: workflowType === 'bareDeliveryDecisionWorkflow' ? [{ outreachId: `${workflowId}-outreach` }] : [],
          }),
        ),
      );
      // Measured as the invoice workflows are: started, first task done, waiting in the worker's cache
      // (without this the first Updates wait on the starts' tasks and the ceiling's p99 is the start-up).
      await waitFor(
        async () => {
          const lengths = await Promise.all(ids.map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));
          return lengths.every((n) => n >= 4) || null;
        },
        { tries: 600, what: `${N} bare workflows past their first task` },
      );
      const r = summarise(
        name,
        await runPool(ids, CONCURRENCY, async (id) => {
          const t = performance.now();
          await client.workflow.getHandle(id).executeUpdate('decide', { args: ['approve'] });
          return { ms: performance.now() - t, status: 200 };
        }),
      );
      return { r, ids };
    };
    const immediate = await run('bareDecisionWorkflow', 'bare Update, returns at once');
    const withActivity = await run('bareActivityDecisionWorkflow', 'bare Update awaiting one activity');
    const withDelivery = await run('bareDeliveryDecisionWorkflow', 'bare approval shape (hand-over, send)');
    const atOnce = await run('bareAtOnceDecisionWorkflow', 'bare at-once shape (local act., send)');
    // Their Updates answer before the hand-over and send run (as an approval's does): the worker stays
    // until every one has delivered and sleeps again, so the histories read below are whole.
    // Each history is read until it has delivered, not again after.
    const undelivered = new Set([...withDelivery.ids, ...atOnce.ids]);
    await waitFor(
      async () => {
        for (const id of [...undelivered]) {
          const events = (await s.stack.env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
          if (!events.some((e) => e.timerStartedEventAttributes)) return false;
          undelivered.delete(id);
        }
        return true;
      },
      { tries: 600, what: `${N} bare approval shapes delivered` },
    );
    return { immediate, withActivity, withDelivery, atOnce };
  });

  const sample = (ids: string[]) => ids.slice(0, Math.min(ids.length, 50));
  const invoiceTasks = await workflowTaskDurations(s.stack.env.client, sample(pending.slice(0, N).map((p) => p.workflowId)));
  const bareTasks = await workflowTaskDurations(s.stack.env.client, sample(bare.withActivity.ids));
  const rejectAt = DIRECT ? DIRECT_DECISIONS.indexOf('reject') : -1;
  const rejectedTasks =
    rejectAt >= 0
      ? await workflowTaskDurations(
          s.stack.env.client,
          sample(pending.slice((rejectAt + 1) * N, (rejectAt + 2) * N).map((p) => p.workflowId)),
        )
      : null;
  const trace = process.env.BENCH_CHAIN_TRACE === '1';
  const chain = await decisionChain(s.stack.env.client, pending.slice(0, Math.min(N, 50)), { trace });
  const rejectionChain =
    rejectAt >= 0
      ? await decisionChain(s.stack.env.client, pending.slice((rejectAt + 1) * N, (rejectAt + 1) * N + Math.min(N, 50)), {
          outreach: false,
          trace,
        })
      : null;
  const taskLine = (name: string, t: { durations: number[]; withoutLocal: number[]; events: number[] }) => {
    const d = [...t.durations].sort((a, b) => a - b);
    const w = [...t.withoutLocal].sort((a, b) => a - b);
    const ev = [...t.events].sort((a, b) => a - b);
    const noLocal =
      w.length > 0 && w.length < d.length ? `; ${w.length} without a local activity p50 ${percentile(w, 50).toFixed(1)} ms` : '';
    return `${name.padEnd(38)} ${String(d.length).padStart(5)} tasks  p50 ${percentile(d, 50).toFixed(1).padStart(6)} ms  p90 ${percentile(d, 90).toFixed(1).padStart(6)} ms  (events per history p50 ${percentile(ev, 50)}${noLocal})`;
  };

  const fmt = (r: ReturnType<typeof summarise>) =>
    `${r.name.padEnd(38)} ${String(r.requests).padStart(5)} req  ${r.perSecond.toFixed(1).padStart(7)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ${JSON.stringify(r.statuses)}${r.cpu ? `  CPU/req ${r.cpu.workerMs.toFixed(1)} ms here + ${r.cpu.serverMs.toFixed(1)} ms dev server + ${r.cpu.databaseMs.toFixed(1)} ms PostgreSQL, ${r.cpu.statements.toFixed(1)} SQL statements` : ''}`;
  console.log(
    `\nconcurrency ${CONCURRENCY}, ${N} proposals, database ${s.stack.database.kind}, worker ${SHARED_MODULES ? 'with' : 'WITHOUT'} shared modules, workflow stack traces ${STACK_TRACES}${OUTREACH_ONLY ? ', every reminder through outreach' : ''}`,
  );
  console.log(fmt(health));
  console.log(fmt(decisions));
  console.log(
    `decision / baseline: throughput ${(decisions.perSecond / health.perSecond).toFixed(2)}x, p50 ${(decisions.p50 / health.p50).toFixed(1)}x, p99 ${(decisions.p99 / health.p99).toFixed(1)}x`,
  );
  for (const { r } of direct) console.log(fmt(r));
  const directApproval = direct.find((d) => d.decision === 'approve')?.r;
  if (directApproval) {
    const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} ms`;
    console.log(
      `HTTP endpoint vs direct Update: p50 ${signed(decisions.p50 - directApproval.p50)}, p99 ${signed(decisions.p99 - directApproval.p99)} (within run-to-run noise when small)`,
    );
  }
  console.log(fmt(bare.immediate.r));
  console.log(fmt(bare.withActivity.r));
  console.log(fmt(bare.withDelivery.r));
  console.log(fmt(bare.atOnce.r));
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  for (const [label, ceiling] of [
    ['bare Update returning at once', bare.immediate.r],
    ['bare Update awaiting one activity', bare.withActivity.r],
    ['bare at-once shape', bare.atOnce.r],
  ] as const) {
    console.log(
      `HTTP decision / ${label}: throughput ${ratio(decisions.perSecond, ceiling.perSecond)}, p50 ${ratio(decisions.p50, ceiling.p50)}, p99 ${ratio(decisions.p99, ceiling.p99)}`,
    );
    for (const { decision, r } of direct)
      console.log(
        `direct ${decision === 'approve' ? 'approval (with its delivery)' : 'rejection (the decision alone)'} / ${label}: throughput ${ratio(r.perSecond, ceiling.perSecond)}, p50 ${ratio(r.p50, ceiling.p50)}, p99 ${ratio(r.p99, ceiling.p99)}`,
      );
  }
  // An approval against the same Temporal shape without the AR rules: what the rules and writes cost.
  for (const [label, r] of [
    ['HTTP approval', decisions],
    ['direct approval', direct.find((d) => d.decision === 'approve')?.r],
  ] as const)
    if (r)
      console.log(
        `${label} / bare approval shape: throughput ${ratio(r.perSecond, bare.withDelivery.r.perSecond)}, p50 ${ratio(r.p50, bare.withDelivery.r.p50)}, p99 ${ratio(r.p99, bare.withDelivery.r.p99)}`,
      );
  console.log('\nworkflow task time, from the histories (sample of 50 workflows each):');
  console.log(taskLine('invoice workflows (decided over HTTP)', invoiceTasks));
  if (rejectedTasks) console.log(taskLine('invoice workflows (rejected directly)', rejectedTasks));
  console.log(taskLine('bare Update awaiting one activity', bareTasks));
  console.log(`\nwhat one approval sets off, from the histories (mean of ${chain.decisions} decisions):`);
  console.log(formatChain('invoice workflow, from the decision', chain.invoice));
  console.log(formatChain('outreach workflow that delivered it', chain.outreach));
  const bareChain = await decisionChain(
    s.stack.env.client,
    sample(bare.withDelivery.ids).map((workflowId) => ({ workflowId, customerId: '' })),
    { outreachOf: (d) => `${d.workflowId}-outreach` },
  );
  console.log(formatChain('bare approval shape, first workflow', bareChain.invoice));
  console.log(formatChain('bare approval shape, second workflow', bareChain.outreach));
  const atOnceChain = await decisionChain(
    s.stack.env.client,
    sample(bare.atOnce.ids).map((workflowId) => ({ workflowId, customerId: '' })),
    { outreach: false },
  );
  console.log(formatChain('bare at-once shape', atOnceChain.invoice));
  if (rejectionChain) console.log(formatChain('invoice workflow, from a rejection', rejectionChain.invoice));
  if (SERVER_CALLS)
    for (const r of [...direct.map((d) => d.r), bare.withActivity.r, bare.atOnce.r]) {
      console.log(`\ndev server per request, ${r.name.trim()}:`);
      for (const [key, n] of r.serverCalls ?? []) console.log(`${n.toFixed(2).padStart(7)}  ${key}`);
    }
  console.log(`all ${N} approved emails in the outbox ${allSent.toFixed(1)} s after the last HTTP decision`);
  const failed = decisions.requests - (decisions.statuses[200] ?? 0);
  if (failed) {
    console.error(`${failed} decisions did not succeed`);
    process.exitCode = 1;
  }
} finally {
  await s.close();
}
