/**
 * `npm run bench:scale`: what does the system cost with many open invoices on one box?
 *
 * Like `npm start`: a Temporal dev server on its SQLite file, a fresh PostgreSQL database (on
 * TEST_DATABASE_URL's server; dropped afterwards), and one production worker (apps/worker/main.ts,
 * a child process, its cache sized by the default rule). Imports BENCH_INVOICES invoices (default
 * 2,000; BENCH_INVOICES=100000 is the issue's figure) of BENCH_INVOICES/10 customers through
 * `ar import`, runs the real sync (one invoiceWorkflow per open invoice) and waits until every
 * workflow has run and sleeps until its next step (due 10–60 days ahead; BENCH_DUE_NOW of them,
 * default 50, are overdue and propose at once). Then measures:
 *
 *   sync        time to start all, sync throughput, time until all sleep;
 *   at rest     worker and dev-server RSS and CPU over BENCH_IDLE_SECONDS (default 20), the SQLite
 *               file and pg_database_size, history events per invoice;
 *   restart     the worker stopped and started again: its CPU over the same window, and whether any
 *               history grew (a sleeping workflow gets no task, so nothing is replayed);
 *   decisions   the due-now proposals approved through the decideProposal Update, BENCH_CONCURRENCY
 *               (default 8) at a time, with every other invoice open;
 *   publish     three policy publishes, each until it returns, its fan-out has told whom it
 *               wakes, and every workflow sleeps again, with the task queue's backlog sampled
 *               meanwhile (dev/bench/policy-reach.ts): a limit (no sleeping plan reads it: nobody
 *               is woken), a calendar rule unpaced (everyone is woken at once;
 *               BENCH_PUBLISH_UNPACED=0 skips it), the same paced by the backlog (the default).
 *               BENCH_PUBLISH=0 skips all three.
 *
 * Prints a table with per-invoice ratios and writes .bench-output/scale.json.
 */
import type { Client } from '@temporalio/client';
import { count, eq } from 'drizzle-orm';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decideProposalUpdate } from '../../collections/messages';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import { createBuiltinLedger } from '../../ledger/builtin';
import { importFile } from '../../ledger/import/run';
import { connectClient } from '../../temporal/client';
import { IMMEDIATE_POLICY } from '../harness/admin-stack';
import { createTestDatabase } from '../harness/database';
import { startDevServerOnFreePorts } from '../harness/dev-server-on-free-ports';
import { seedPolicy } from '../harness/seed';
import { timedPool } from './pool';
import { measurePolicyPublish, probeDecisions, sampleBacklog } from './policy-reach';
import { cpuSeconds, rssBytes, sampleWindow } from './proc-stats';
import { generateLedger } from './synthetic-ledger';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const N = Number(process.env.BENCH_INVOICES ?? 2000);
const CUSTOMERS = Math.max(1, Math.round(N / 10));
const DUE_NOW = Math.min(N, Number(process.env.BENCH_DUE_NOW ?? 50));
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PUBLISH = process.env.BENCH_PUBLISH !== '0';
const TASK_QUEUE = 'ar-scale';
const OUTPUT = path.resolve('.bench-output/scale.json');

const MiB = 1024 * 1024;
const since = (t0: number) => (performance.now() - t0) / 1000;
const log = (line: string) => console.log(`[bench:scale] ${line}`);

/**
 * Waits until no workflow has a workflow task or an activity pending (all asleep on a timer or a
 * decision) and returns the total history length. Describe reads server state only: unlike a
 * query it wakes no workflow and replays nothing.
 */
async function allAsleep(client: Client, ids: string[]): Promise<{ seconds: number; events: number; transitions: number }> {
  const t0 = performance.now();
  // First the task queue's backlog, one cheap call: describing thousands of busy workflows over
  // and over would load the very server we are waiting on.
  while ((await backlog(client)) > 0) await new Promise((r) => setTimeout(r, 2000));
  const lengths = new Map<string, number>();
  const transitions = new Map<string, number>();
  let todo = ids;
  while (todo.length) {
    const busy: string[] = [];
    for (let i = 0; i < todo.length; i += 16) {
      await Promise.all(
        todo.slice(i, i + 16).map(async (id) => {
          const { raw } = await client.workflow.getHandle(id).describe();
          const length = Number(raw.workflowExecutionInfo?.historyLength ?? 0);
          // Three events is a start with its first task still unscheduled or unrun.
          if (raw.pendingWorkflowTask || raw.pendingActivities?.length || length <= 3) busy.push(id);
          else {
            lengths.set(id, length);
            transitions.set(id, Number(raw.workflowExecutionInfo?.stateTransitionCount ?? 0));
          }
        }),
      );
    }
    todo = busy;
    if (todo.length) await new Promise((r) => setTimeout(r, 2000));
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { seconds: since(t0), events: sum(lengths), transitions: sum(transitions) };
}

/** Workflow and activity tasks waiting on the task queue (the server's approximate count). */
async function backlog(client: Client): Promise<number> {
  let total = 0;
  for (const taskQueueType of [1, 2]) {
    const r = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE },
      taskQueueType,
      reportStats: true,
    });
    total += Number(r.stats?.approximateBacklogCount ?? 0);
  }
  return total;
}

function sqliteBytes(dir: string): number {
  // The database, its write-ahead log and shared-memory index together; a rollback journal can
  // vanish between the listing and its stat (the server commits meanwhile).
  return readdirSync(dir)
    .filter((f) => f.startsWith('temporal.sqlite'))
    .reduce((sum, f) => sum + (statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'ar-scale-temporal-'));
const server = await startDevServerOnFreePorts(dataDir);
const { address } = server;
const database = await createTestDatabase();
const client = await connectClient({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' });
const { db } = database;
const workerEnv = { TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATABASE_URL: database.url };
let worker: WorkerProcess | undefined;
// Ctrl-C: drop the database; exit handlers stop the worker and the dev server.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => void database.close().finally(() => process.exit(code)));
try {
  const runStart = performance.now();
  log(
    `${N.toLocaleString('en-US')} invoices, ${CUSTOMERS.toLocaleString('en-US')} customers, ${DUE_NOW} due now; database ${database.kind}, Temporal ${address}`,
  );
  // Any hour, no batching, no caps: the due-now invoices propose and send as soon as decided.
  await seedPolicy(db, IMMEDIATE_POLICY);
  // What an empty system already takes, so the per-invoice figures count only the invoices.
  const pgSize = async () =>
    Number(((await db.$client.query('SELECT pg_database_size(current_database())::bigint AS b')).rows[0] as { b: string }).b);
  const pgEmptyBytes = await pgSize();
  worker = await startWorkerProcess(workerEnv);
  const sqliteEmptyBytes = sqliteBytes(dataDir);
  const cacheLine = worker.startupLog.split('\n').find((l) => l.includes('caching up to')) ?? '';
  log(cacheLine.replace('[worker] ', 'worker: '));
  await new Promise((r) => setTimeout(r, 2000));
  const workerBaselineRss = rssBytes(worker.pid);

  // Import through `ar import`'s own path: CSV files, validation, upsert.
  const today = new Date().toISOString().slice(0, 10);
  const ledger = generateLedger({
    rows: N,
    customers: CUSTOMERS,
    dates: (i, rand) => {
      const due = i <= DUE_NOW ? addDays(today, -2) : addDays(today, 10 + Math.floor(rand() * 51));
      return { issue: addDays(due, -30), due };
    },
  });
  const csvDir = mkdtempSync(path.join(tmpdir(), 'ar-scale-csv-'));
  writeFileSync(path.join(csvDir, 'customers.csv'), ledger.customersCsv);
  writeFileSync(path.join(csvDir, 'invoices.csv'), ledger.invoicesCsv);
  let t0 = performance.now();
  await importFile(db, 'customers', path.join(csvDir, 'customers.csv'));
  const imported = await importFile(db, 'invoices', path.join(csvDir, 'invoices.csv'));
  const importSeconds = since(t0);
  rmSync(csvDir, { recursive: true, force: true });
  if (!imported.committed) throw new Error(`import failed: ${JSON.stringify(imported.issues.slice(0, 3))}`);
  log(`imported in ${importSeconds.toFixed(1)} s`);

  // CPU spent by each process from the sync until all sleep: the cost of a start, per invoice.
  const cpuAtSync = [cpuSeconds(worker.pid), cpuSeconds(server.pid)];
  t0 = performance.now();
  const sync = await syncInvoiceWorkflows(client, db, createBuiltinLedger(db), {
    taskQueue: TASK_QUEUE,
    onProgress: (done) => done % 5000 === 0 && log(`sync: ${done} started`),
  });
  const syncSeconds = since(t0);
  log(`sync started ${sync.started} workflows in ${syncSeconds.toFixed(1)} s; waiting until all sleep…`);
  const ids = (await db.select({ id: schema.workflowStarts.workflowId }).from(schema.workflowStarts)).map((r) => r.id);
  const asleep = await allAsleep(client, ids);
  const allAsleepSeconds = since(t0);
  const open = ids.length;
  const startCpu = {
    workerMs: (1000 * (cpuSeconds(worker.pid) - cpuAtSync[0]!)) / open,
    serverMs: (1000 * (cpuSeconds(server.pid) - cpuAtSync[1]!)) / open,
  };
  log(`all ${open} asleep ${allAsleepSeconds.toFixed(1)} s after the sync began`);

  const pgBytes = await pgSize();
  const sqlite = sqliteBytes(dataDir);
  log(`idle window: ${IDLE_SECONDS} s`);
  const [idleWorker, idleServer] = await sampleWindow([worker.pid, server.pid], IDLE_SECONDS);
  // Each phase logs its figures as it ends: a 100,000 run takes over an hour and may be stopped.
  log(
    `at rest: worker ${(idleWorker!.rssBytes / MiB).toFixed(0)} MiB RSS (${(workerBaselineRss / MiB).toFixed(0)} before any workflow), ${idleWorker!.cpuPercent.toFixed(1)} % CPU; dev server ${(idleServer!.rssBytes / MiB).toFixed(0)} MiB, ${idleServer!.cpuPercent.toFixed(1)} % CPU; SQLite ${(sqlite / MiB).toFixed(1)} MiB, PostgreSQL ${(pgBytes / MiB).toFixed(1)} MiB; ${asleep.events} events, ${asleep.transitions} transitions; CPU per start ${startCpu.workerMs.toFixed(0)} ms worker, ${startCpu.serverMs.toFixed(0)} ms server`,
  );

  // A restart: the new worker's cache is empty, and the sleeping workflows give it nothing to do.
  t0 = performance.now();
  await worker.stop();
  worker = await startWorkerProcess(workerEnv);
  const restartSeconds = since(t0);
  const [restartWorker] = await sampleWindow([worker.pid], IDLE_SECONDS);
  const afterRestart = await allAsleep(client, ids);
  log(
    `restarted in ${restartSeconds.toFixed(1)} s; worker ${restartWorker!.cpuPercent.toFixed(1)} % CPU over ${IDLE_SECONDS} s after it; history events ${asleep.events} → ${afterRestart.events}`,
  );

  const pending = await db
    .select({ id: schema.proposals.id, workflowId: schema.proposals.workflowId })
    .from(schema.proposals)
    .where(eq(schema.proposals.status, 'pending'));
  log(`deciding ${pending.length} pending proposals, ${CONCURRENCY} at a time…`);
  const cpuAtDecisions = [cpuSeconds(worker.pid), cpuSeconds(server.pid)];
  const decisions = await timedPool(pending, CONCURRENCY, (p) =>
    client.workflow
      .getHandle(p.workflowId)
      .executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'bench' }] }),
  );
  t0 = performance.now();
  // One reminder_sent audit row per approved reminder (one email may carry a customer's several).
  for (;;) {
    const [row] = await db.select({ n: count() }).from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent'));
    if ((row?.n ?? 0) >= pending.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const sentSeconds = since(t0);
  // Until every approved reminder is sent: the whole chain a decision sets off, per decision.
  const decisionCpu = {
    workerMs: (1000 * (cpuSeconds(worker.pid) - cpuAtDecisions[0]!)) / Math.max(1, pending.length),
    serverMs: (1000 * (cpuSeconds(server.pid) - cpuAtDecisions[1]!)) / Math.max(1, pending.length),
  };
  log(
    `${decisions.count} decisions at ${decisions.perSecond.toFixed(1)}/s (p50 ${decisions.p50.toFixed(0)} ms, p99 ${decisions.p99.toFixed(0)} ms; ${decisionCpu.workerMs.toFixed(0)} ms worker, ${decisionCpu.serverMs.toFixed(0)} ms server CPU each); all sent ${sentSeconds.toFixed(1)} s later`,
  );

  // Three publishes (BENCH_PUBLISH=0 skips them, NaN in the output): a limit only, which no
  // sleeping plan reads (nobody is woken); then a calendar rule, which every plan reads (everyone
  // is woken), first unpaced (BENCH_PUBLISH_UNPACED=0 skips it), then paced by the backlog.
  const base = { ...DEFAULT_POLICY, ...IMMEDIATE_POLICY };
  const runPublish = async (label: string, body: unknown, maxBacklog?: number) => {
    const sampler = sampleBacklog(client, TASK_QUEUE);
    const probe = probeDecisions(client, ids);
    const figures = await measurePolicyPublish(client, db, body, TASK_QUEUE, { note: `bench:scale ${label}`, maxBacklog });
    const replanned = await allAsleep(client, ids);
    const queue = await sampler.stop();
    const probed = await probe.stop();
    log(
      `publish (${label}) answered after ${figures.seconds.toFixed(2)} s; its fan-out told ${figures.notified} invoice workflows by ` +
        `${figures.fanOutSeconds.toFixed(1)} s (held ${(figures.pacing.heldMs / 1000).toFixed(0)} s for the backlog); all re-planned ` +
        `${replanned.seconds.toFixed(1)} s later; queue backlog peak ${queue.peak}, oldest task ${queue.peakAgeS.toFixed(1)} s; ` +
        `a refused Update meanwhile: p50 ${probed.p50.toFixed(0)} ms, p99 ${probed.p99.toFixed(0)} ms, max ${probed.max.toFixed(0)} ms ` +
        `(${probed.count} probes, ${probed.unexpected} not refused); ${figures.scope}`,
    );
    return {
      ...figures,
      replannedSeconds: replanned.seconds,
      events: replanned.events,
      backlogPeak: queue.peak,
      backlogPeakAgeSeconds: queue.peakAgeS,
      probe: probed,
    };
  };
  const skipped = {
    seconds: Number.NaN,
    fanOutSeconds: Number.NaN,
    notified: 0,
    scope: null,
    pacing: { heldMs: 0, peakBacklog: 0 },
    replannedSeconds: Number.NaN,
    events: Number.NaN,
    backlogPeak: Number.NaN,
    backlogPeakAgeSeconds: Number.NaN,
    probe: { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, unexpected: 0 },
  };
  const limitOnly = PUBLISH
    ? await runPublish('a limit', { ...base, minimumChaseMinor: { ...base.minimumChaseMinor, USD: 1500 } })
    : skipped;
  const unpaced =
    PUBLISH && process.env.BENCH_PUBLISH_UNPACED !== '0'
      ? await runPublish('a calendar rule, unpaced', { ...base, handoffGraceDays: base.handoffGraceDays + 1 }, 0)
      : skipped;
  const paced = PUBLISH ? await runPublish('a calendar rule, paced', { ...base, handoffGraceDays: base.handoffGraceDays + 2 }) : skipped;
  const publish = paced;
  const replanned = { seconds: paced.replannedSeconds, events: paced.events };
  const serverRss = rssBytes(server.pid);
  const workerRss = rssBytes(worker.pid);
  const cached = Math.min(open, Number(cacheLine.match(/caching up to (\d+)/)?.[1] ?? open));

  const result = {
    invoices: N,
    customers: CUSTOMERS,
    openWorkflows: open,
    dueNow: DUE_NOW,
    database: database.kind,
    workerCache: cacheLine,
    importSeconds,
    syncSeconds,
    syncPerSecond: sync.started / syncSeconds,
    allAsleepSeconds,
    startCpuMsPerInvoice: startCpu,
    decisionCpuMsPerDecision: decisionCpu,
    historyEventsPerInvoice: asleep.events / open,
    stateTransitionsPerInvoice: asleep.transitions / open,
    idle: {
      seconds: IDLE_SECONDS,
      workerCpuPercent: idleWorker!.cpuPercent,
      workerRssBytes: idleWorker!.rssBytes,
      workerBaselineRssBytes: workerBaselineRss,
      serverCpuPercent: idleServer!.cpuPercent,
      serverRssBytes: idleServer!.rssBytes,
    },
    restart: {
      seconds: restartSeconds,
      workerCpuPercent: restartWorker!.cpuPercent,
      workerRssBytes: restartWorker!.rssBytes,
      historyEventsBefore: asleep.events,
      historyEventsAfter: afterRestart.events,
    },
    sqliteBytes: sqlite,
    sqliteEmptyBytes,
    pgDatabaseBytes: pgBytes,
    pgEmptyBytes,
    decisions: { ...decisions, concurrency: CONCURRENCY, allSentSeconds: sentSeconds },
    policyPublish: {
      answeredSeconds: publish.seconds,
      fanOutSeconds: publish.fanOutSeconds,
      notified: publish.notified,
      allReplannedSeconds: replanned.seconds,
      limitOnly,
      unpaced,
      paced,
    },
    historyEventsPerInvoiceAfterPublish: replanned.events / open,
    final: { workerRssBytes: workerRss, serverRssBytes: serverRss, sqliteBytes: sqliteBytes(dataDir) },
    runSeconds: since(runStart),
  };
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, JSON.stringify(result, null, 2));

  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const rows: [string, string, string][] = [
    ['', 'figure', 'per invoice / ratio'],
    ['import (ar import customers + invoices)', `${importSeconds.toFixed(1)} s`, `${Math.round(N / importSeconds)} invoices/s`],
    ['sync (starts every workflow)', `${syncSeconds.toFixed(1)} s`, `${result.syncPerSecond.toFixed(1)} workflows/s`],
    ['time until all started and asleep', `${allAsleepSeconds.toFixed(1)} s`, `${(open / allAsleepSeconds).toFixed(1)} workflows/s`],
    ['CPU per invoice, sync until asleep', `${startCpu.workerMs.toFixed(0)} ms worker`, `${startCpu.serverMs.toFixed(0)} ms dev server`],
    ['history events, all asleep', String(asleep.events), `${result.historyEventsPerInvoice.toFixed(1)} events`],
    ['state transitions, all asleep', String(asleep.transitions), `${result.stateTransitionsPerInvoice.toFixed(1)} transitions`],
    ['worker RSS, before any workflow', mib(workerBaselineRss), ''],
    [
      `worker RSS, all asleep (${cached} cached)`,
      mib(idleWorker!.rssBytes),
      `${kib((idleWorker!.rssBytes - workerBaselineRss) / cached)} per cached workflow`,
    ],
    [`worker CPU, all asleep (${IDLE_SECONDS} s)`, `${idleWorker!.cpuPercent.toFixed(1)} %`, 'of one core'],
    [
      'worker CPU after a restart, all asleep',
      `${restartWorker!.cpuPercent.toFixed(1)} %`,
      `history events ${asleep.events} → ${afterRestart.events}`,
    ],
    ['dev server RSS, all asleep', mib(idleServer!.rssBytes), kib(idleServer!.rssBytes / open)],
    [`dev server CPU, all asleep`, `${idleServer!.cpuPercent.toFixed(1)} %`, 'of one core'],
    ['dev server SQLite file (empty at start)', `${mib(sqlite)} (${mib(sqliteEmptyBytes)})`, kib((sqlite - sqliteEmptyBytes) / open)],
    ['PostgreSQL pg_database_size (migrated, empty)', `${mib(pgBytes)} (${mib(pgEmptyBytes)})`, kib((pgBytes - pgEmptyBytes) / open)],
    [
      `decisions (Update, concurrency ${CONCURRENCY}, ${open} open)`,
      `${decisions.perSecond.toFixed(1)}/s`,
      `p50 ${decisions.p50.toFixed(0)} ms, p99 ${decisions.p99.toFixed(0)} ms, ${decisions.count} decided`,
    ],
    [
      'CPU per decision, until its email is sent',
      `${decisionCpu.workerMs.toFixed(0)} ms worker`,
      `${decisionCpu.serverMs.toFixed(0)} ms dev server`,
    ],
    ...(
      [
        ['a limit (no plan reads it)', limitOnly],
        ['a calendar rule, unpaced', unpaced],
        ['a calendar rule, paced by the backlog', paced],
      ] as const
    ).flatMap(([label, p]): [string, string, string][] => [
      [
        `policy publish, ${label}: answer; fan-out told`,
        `${p.seconds.toFixed(2)} s`,
        `${p.notified} invoices by ${p.fanOutSeconds.toFixed(1)} s`,
      ],
      [
        '  … until every workflow re-planned and sleeps',
        `+${p.replannedSeconds.toFixed(1)} s`,
        `backlog peak ${p.backlogPeak}, oldest task waited ${p.backlogPeakAgeSeconds.toFixed(1)} s; held ${(p.pacing.heldMs / 1000).toFixed(0)} s`,
      ],
      [
        "  a refused Update meanwhile (a decision's task)",
        `p50 ${p.probe.p50.toFixed(0)} ms`,
        `p99 ${p.probe.p99.toFixed(0)} ms, max ${p.probe.max.toFixed(0)} ms (${p.probe.count} probes)`,
      ],
    ]),
    [
      "paced / unpaced: publish → all re-planned; a decision's p99",
      `${((paced.fanOutSeconds + paced.replannedSeconds) / (unpaced.fanOutSeconds + unpaced.replannedSeconds)).toFixed(2)}×`,
      `${(paced.probe.p99 / unpaced.probe.p99).toFixed(2)}×`,
    ],
    ['history events per invoice after the publishes', `${(replanned.events / open).toFixed(1)}`, ''],
    ['dev server RSS / SQLite at the end', `${mib(serverRss)} / ${mib(result.final.sqliteBytes)}`, ''],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${rows.map((r) => `  ${r[0].padEnd(w[0]!)}  ${r[1].padStart(w[1]!)}  ${r[2]}`).join('\n')}\n`);
  log(`written to ${OUTPUT} (run ${result.runSeconds.toFixed(0)} s)`);
} finally {
  await worker?.stop();
  await client.connection.close();
  await database.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
