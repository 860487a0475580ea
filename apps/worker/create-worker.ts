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
const NO_STACK_TRACES_PATH = fileURLToPath(new URL('./no-stack-traces.ts', import.meta.url));

/** 'off': workflow code captures no stack frames (see no-stack-traces.ts for what that buys and costs). */
export type WorkflowStackTraces = 'full' | 'off';

/** What the bundler evaluates in the workflow context before any workflow runs. */
export function preloadModules(stackTraces: WorkflowStackTraces = 'full'): string[] {
  return stackTraces === 'off' ? [SHARED_MODULES_PATH, NO_STACK_TRACES_PATH] : [SHARED_MODULES_PATH];
}

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
  /** WORKFLOW_STACK_TRACES; absent: 'full'. */
  workflowStackTraces?: WorkflowStackTraces;
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
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: preloadModules(opts.workflowStackTraces) } }),
    ...opts.workerOptions,
  });
}
