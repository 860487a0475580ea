/**
 * `npm run bench:worker-memory`: how much memory does the worker need per open invoice?
 *
 * Each pass runs in one process of its own: a Temporal dev server (child process, not counted), a
 * fresh PostgreSQL database on TEST_DATABASE_URL's server (or embedded PGlite), 100 customers and
 * BENCH_INVOICES invoices (default 1,000) due in 5–30 days, and the `ar` worker. With the worker
 * running and no workflow, it forces GC and records the baseline; then it starts one invoice
 * workflow per invoice, waits until every one has reached its first sleep (nextStep or a pending
 * proposal in invoiceStateQuery), forces GC and records again.
 *
 * Recorded: the process RSS (everything: main thread, the SDK's workflow thread, the Rust core),
 * the main thread's heapUsed, and the workflow thread's used heap (where the cached workflows
 * live; read, and collected, through the inspector). GC is forced in both threads, so run under
 * node --expose-gc (the npm script does).
 *
 * Two passes: maxCachedWorkflows at the SDK's default (enough for every workflow here), then
 * BENCH_SMALL_CACHE (default 100; 0 skips it). The worker shares zod and the message schemas
 * between workflows by default (apps/worker/shared-modules.ts, the bundler's preloadModules:
 * evaluated once in the reusable V8 context instead of once per workflow); BENCH_PRELOAD=none
 * turns that off, BENCH_PRELOAD=a,b shares those modules instead.
 */
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { addDays } from '../../domain/calendar';
import { createTestDatabase } from '../harness/database';
import { seedCustomer, seedInvoice } from '../harness/seed';
import { createDevServerEnv } from '../harness/temporal';
import { createArWorker } from '../../apps/worker/create-worker';
import { invoiceStateQuery } from '../../collections/messages';

const N = Number(process.env.BENCH_INVOICES ?? 1000);
const CUSTOMERS = 100;
const SMALL_CACHE = Number(process.env.BENCH_SMALL_CACHE ?? 100);
const PRELOAD =
  process.env.BENCH_PRELOAD === 'none' ? [] : process.env.BENCH_PRELOAD ? process.env.BENCH_PRELOAD.split(',').filter(Boolean) : undefined;
const PASS_MARK = 'BENCH_RESULT ';

interface Sample {
  rss: number;
  heapUsed: number;
  workflowThreadHeap: number;
}

interface PassResult {
  cache: number;
  cacheLabel: string;
  workflows: number;
  database: string;
  baseline: Sample;
  loaded: Sample;
  startSeconds: number;
  readySeconds: number;
}

/** The SDK runs workflows in a worker thread: its heap is reached through the inspector's NodeWorker domain. */
async function threadInspector() {
  const session = new Session();
  session.connect();
  const threads = new Map<string, string>();
  const waiting = new Map<number, (msg: { result?: unknown; error?: unknown }) => void>();
  let seq = 0;
  session.on('NodeWorker.attachedToWorker', (m) => threads.set(m.params.sessionId, m.params.workerInfo.url));
  session.on('NodeWorker.detachedFromWorker', (m) => threads.delete(m.params.sessionId));
  session.on('NodeWorker.receivedMessageFromWorker', (m) => {
    const msg = JSON.parse(m.params.message) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id === undefined) return;
    waiting.get(msg.id)?.(msg);
    waiting.delete(msg.id);
  });
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  const call = <T>(sessionId: string, method: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, (msg) => (msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result as T)));
      void session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    });
  const workflowThreads = () => [...threads].filter(([, url]) => url.includes('workflow-worker-thread')).map(([id]) => id);
  return {
    workflowThreads,
    async gc() {
      for (const id of workflowThreads()) await call(id, 'HeapProfiler.collectGarbage');
    },
    async heapUsed() {
      let used = 0;
      for (const id of workflowThreads()) used += (await call<{ usedSize: number }>(id, 'Runtime.getHeapUsage')).usedSize;
      return used;
    },
  };
}

type Inspector = Awaited<ReturnType<typeof threadInspector>>;

async function settle(inspector: Inspector): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 500));
    gc?.();
    await inspector.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, workflowThreadHeap: await inspector.heapUsed() };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** One measurement, in this process. */
async function runPass(cache: number | undefined): Promise<PassResult> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (!(globalThis as { gc?: unknown }).gc) console.warn('[bench] no global.gc: run under node --expose-gc for stable figures');
  const inspector = await threadInspector();
  const [env, database] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    const today = new Date().toISOString().slice(0, 10);
    for (let c = 1; c <= CUSTOMERS; c++) await seedCustomer(database.db, { id: `C${String(c).padStart(3, '0')}`, tier: 'standard' });
    const invoices = Array.from({ length: N }, (_, i) => ({
      number: `MEM-${String(i + 1).padStart(5, '0')}`,
      customerId: `C${String((i % CUSTOMERS) + 1).padStart(3, '0')}`,
      dueInDays: 5 + (i % 26),
    }));
    await inBatches(invoices, 50, (i) =>
      seedInvoice(database.db, { number: i.number, customerId: i.customerId, amountMinor: 100_000, dueDate: addDays(today, i.dueInDays) }),
    );

    const taskQueue = 'ar-bench-memory';
    worker = await createArWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      db: database.db,
      client: env.client,
      workerOptions: {
        ...(cache === undefined ? {} : { maxCachedWorkflows: cache }),
        ...(PRELOAD ? { bundlerOptions: { preloadModules: PRELOAD } } : {}),
      },
    });
    running = worker.run();
    while (worker.getState() !== 'RUNNING') await new Promise((r) => setTimeout(r, 50));
    if (!inspector.workflowThreads().length) await new Promise((r) => setTimeout(r, 1000));
    if (!inspector.workflowThreads().length) throw new Error('no workflow thread found through the inspector');

    const baseline = await settle(inspector);

    const t0 = performance.now();
    const handles = new Map<string, ReturnType<typeof env.client.workflow.getHandle>>();
    await inBatches(invoices, 50, async (i) => {
      const h = await env.client.workflow.start('invoiceWorkflow', {
        workflowId: `invoice-${i.number}`,
        taskQueue,
        args: [{ invoiceNumber: i.number, customerId: i.customerId }],
      });
      handles.set(i.number, h);
    });
    const startSeconds = (performance.now() - t0) / 1000;

    // Every workflow has read the ledger, planned and gone to sleep (or proposed).
    let todo = [...handles.keys()];
    while (todo.length) {
      const still: string[] = [];
      await inBatches(todo, 50, async (n) => {
        const s = await handles.get(n)!.query(invoiceStateQuery);
        if (s.nextStep === null && s.pendingProposal === null) still.push(n);
      });
      todo = still;
      if (todo.length) await new Promise((r) => setTimeout(r, 500));
    }
    const readySeconds = (performance.now() - t0) / 1000;

    const loaded = await settle(inspector);
    return {
      cache: worker.options.maxCachedWorkflows,
      cacheLabel: cache === undefined ? 'default' : 'set',
      workflows: N,
      database: database.kind,
      baseline,
      loaded,
      startSeconds,
      readySeconds,
    };
  } finally {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await env.teardown();
    await database.close();
  }
}

/** Runs one pass in a child process of its own, so neither pass inherits the other's heap. */
function childPass(cache: number | undefined): Promise<PassResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_PASS: cache === undefined ? 'default' : String(cache) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(PASS_MARK));
      if (code !== 0 || !line) reject(new Error(`the pass with maxCachedWorkflows=${cache ?? 'default'} failed (exit ${code}):\n${out}`));
      else resolve(JSON.parse(line.slice(PASS_MARK.length)) as PassResult);
    });
  });
}

const MiB = (b: number) => (b / 1024 / 1024).toFixed(1);
const KiB = (b: number) => (b / 1024).toFixed(1);

function table(r: PassResult): string {
  const rows = [
    ['', 'RSS', 'heapUsed (main)', 'heap (workflow thread)', 'heap (both)'],
    ...(['baseline', 'loaded'] as const).map((k) => [
      k === 'baseline' ? 'baseline, worker running, 0 workflows' : `with ${r.workflows.toLocaleString('en-US')} workflows`,
      `${MiB(r[k].rss)} MiB`,
      `${MiB(r[k].heapUsed)} MiB`,
      `${MiB(r[k].workflowThreadHeap)} MiB`,
      `${MiB(r[k].heapUsed + r[k].workflowThreadHeap)} MiB`,
    ]),
  ];
  const d = (f: (s: Sample) => number) => f(r.loaded) - f(r.baseline);
  const metrics: ((s: Sample) => number)[] = [
    (s) => s.rss,
    (s) => s.heapUsed,
    (s) => s.workflowThreadHeap,
    (s) => s.heapUsed + s.workflowThreadHeap,
  ];
  rows.push(['difference', ...metrics.map((f) => `${MiB(d(f))} MiB`)]);
  rows.push(['per workflow', ...metrics.map((f) => `${KiB(d(f) / r.workflows)} KiB`)]);
  rows.push(['loaded / baseline', ...metrics.map((f) => `${(f(r.loaded) / f(r.baseline)).toFixed(2)}×`)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')).join('\n');
}

if (process.env.BENCH_PASS) {
  const cache = process.env.BENCH_PASS === 'default' ? undefined : Number(process.env.BENCH_PASS);
  const r = await runPass(cache);
  console.log(PASS_MARK + JSON.stringify(r));
  process.exit(0);
} else {
  const passes: (number | undefined)[] = [undefined, ...(SMALL_CACHE > 0 ? [SMALL_CACHE] : [])];
  console.log(
    `worker memory with ${N.toLocaleString('en-US')} open invoice workflows (${CUSTOMERS} customers, due in 5–30 days); node ${process.version}, ` +
      `GC ${process.execArgv.includes('--expose-gc') ? 'forced' : 'NOT forced (no --expose-gc)'}${PRELOAD ? `, preloadModules: ${PRELOAD.join(', ') || 'none'}` : ', preloadModules: the worker default'}\n`,
  );
  for (const cache of passes) {
    const r = await childPass(cache);
    console.log(
      `maxCachedWorkflows = ${r.cache} (${r.cacheLabel === 'default' ? 'SDK default' : 'set'}), database ${r.database}: started in ${r.startSeconds.toFixed(1)} s, all asleep after ${r.readySeconds.toFixed(1)} s`,
    );
    console.log(table(r));
    console.log('');
  }
}
