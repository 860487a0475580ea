/**
 * Builds the `ar` worker: every workflow type and the activities wired to their dependencies.
 * Used by the production entrypoint (workers/main.ts), `npm start` and the tests alike.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities';
import { createDevLogSender, type EmailSender } from '../../outreach/channels/email';
import type { Db } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import type { LedgerPort } from '../../ledger/port';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));
/** Modules evaluated once per workflow thread and shared by its workflows (see the file). */
export const SHARED_MODULES_PATH = fileURLToPath(new URL('./shared-modules.ts', import.meta.url));

export interface ArWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  ledger?: LedgerPort;
  email?: EmailSender;
  emailFrom?: string;
  /** The policy fan-out's backlog ceiling (POLICY_FANOUT_MAX_BACKLOG); absent: its default. */
  policyFanOutMaxBacklog?: number;
  /** Every approved reminder through the customer's outreach workflow, none sent at once from its hand-over. */
  outreachOnly?: boolean;
  /** A client for activities that message workflows; built on `connection` when absent. */
  client?: Client;
  /** Passed through (e.g. a prebuilt workflowBundle, identity, limits). */
  workerOptions?: Partial<WorkerOptions>;
}

export async function createArWorker(opts: ArWorkerOptions): Promise<Worker> {
  const namespace = opts.namespace ?? 'default';
  const client = opts.client ?? new Client({ connection: opts.connection, namespace });
  const activities = createActivities({
    db: opts.db,
    ledger: opts.ledger ?? createBuiltinLedger(opts.db),
    email: opts.email ?? createDevLogSender(),
    temporal: async () => client,
    taskQueue: opts.taskQueue,
    emailFrom: opts.emailFrom ?? 'Accounts Receivable <ar@example.com>',
    policyFanOutMaxBacklog: opts.policyFanOutMaxBacklog,
    outreachOnly: opts.outreachOnly,
  });
  return Worker.create({
    connection: opts.connection,
    namespace,
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workerOptions?.workflowBundle
      ? {}
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: [SHARED_MODULES_PATH] } }),
    ...opts.workerOptions,
  });
}
