/**
 * Production worker entrypoint: `npm run worker` (or `npx tsx workers/main.ts` in a container).
 * Scale by running more of these against the same task queue; Ctrl-C / SIGTERM drains and stops.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { openDatabase } from '../../db/open';
import { createArWorker } from './create-worker';
import { chooseMaxCachedWorkflows, machineMemory } from './cache-size';
import { emailSenderFromConfig } from '../../outreach/channels/from-config';
import { ensureLedgerSyncSchedule, LEDGER_SYNC_SCHEDULE_ID } from '../../collections/sync-schedule';

const config = loadConfig();
Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as LogLevel) });
const database = await openDatabase(config);
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const cache = chooseMaxCachedWorkflows(machineMemory(), config.WORKER_MAX_CACHED_WORKFLOWS);
const worker = await createArWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  db: database.db,
  email: emailSenderFromConfig(config),
  emailFrom: config.EMAIL_FROM,
  policyFanOutMaxBacklog: config.POLICY_FANOUT_MAX_BACKLOG,
  workflowStackTraces: config.WORKFLOW_STACK_TRACES,
  workerOptions: { maxCachedWorkflows: cache.maxCachedWorkflows },
});
// Production has no `npm start`: each worker keeps the ledger sync schedule registered (idempotent).
if (config.AR_SYNC_INTERVAL_SECONDS > 0) {
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await ensureLedgerSyncSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, intervalSeconds: config.AR_SYNC_INTERVAL_SECONDS });
  console.log(`[worker] ledger sync schedule ${LEDGER_SYNC_SCHEDULE_ID}: every ${config.AR_SYNC_INTERVAL_SECONDS} s`);
}
console.log(`[worker] polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS} (database: ${database.source})`);
console.log(`[worker] caching up to ${cache.maxCachedWorkflows} workflows (${cache.why})`);
try {
  // The SDK installs SIGINT/SIGTERM handlers that shut the worker down gracefully.
  await worker.run();
} finally {
  await connection.close();
  await database.close();
}
