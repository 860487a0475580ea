/**
 * A real stack for integration tests: the Temporal dev server (with the custom search attributes),
 * a fresh PostgreSQL database and a running `ar` worker. Nothing is mocked.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { EmailSender } from '../../outreach/channels/email';
import { createArWorker, type WorkflowStackTraces } from '../../apps/worker/create-worker';
import { createTestDatabase, type TestDatabase } from './database';
import { seedCustomer, seedInvoice, seedPolicy } from './seed';
import { START_DEADLINES_MS, ServiceDidNotStart, startedWithin } from './started';
import { createDevServerEnv, createTimeSkippingEnv } from './temporal';

export interface TestStack {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  db: TestDatabase['db'];
  taskQueue: string;
  worker: Worker;
  seed: { customer: typeof seedCustomer; invoice: typeof seedInvoice; policy: typeof seedPolicy };
  close(): Promise<void>;
}

/**
 * `workerOptions`: passed to the worker (a benchmark's A/B, e.g. no shared modules). `outreachOnly`:
 * no reminder sent at once from an invoice's hand-over (tests of the outreach workflow's own path).
 * `workflowStackTraces`: WORKFLOW_STACK_TRACES for the worker. `devServerMetricsPort`: the dev server's
 * metrics port (dev/harness/temporal.ts).
 */
type StackOptions = {
  timeSkipping?: boolean;
  email?: EmailSender;
  taskQueue?: string;
  workerOptions?: Partial<WorkerOptions>;
  outreachOnly?: boolean;
  workflowStackTraces?: WorkflowStackTraces;
  devServerMetricsPort?: number;
};

/**
 * A Temporal server that answered its start and then stopped answering before the worker could
 * describe the namespace (seen once in CI: connection refused on the port it had just served) is
 * started again, once, with a new server and database; the warning names what happened.
 */
export async function startTestStack(opts: StackOptions = {}): Promise<TestStack> {
  try {
    return await startTestStackOnce(opts);
  } catch (err) {
    if (!serverWentAway(err)) throw err;
    console.warn(`[harness] the Temporal server stopped answering during start-up; starting the stack again: ${String(err).slice(0, 300)}`);
    return startTestStackOnce(opts);
  }
}

/** The worker's connection was refused by a server that had answered a moment before. */
export function serverWentAway(err: unknown): boolean {
  return (
    err instanceof ServiceDidNotStart && err.message.startsWith('the ar worker') && /tcp connect error|Connection refused/.test(err.message)
  );
}

async function startTestStackOnce(opts: StackOptions): Promise<TestStack> {
  // Both start at once; if one fails, the other is stopped and the error names the one that failed.
  const [envStart, databaseStart] = await Promise.allSettled([
    opts.timeSkipping ? createTimeSkippingEnv() : createDevServerEnv({ metricsPort: opts.devServerMetricsPort }),
    createTestDatabase(),
  ]);
  if (envStart.status === 'rejected' || databaseStart.status === 'rejected') {
    if (envStart.status === 'fulfilled') await envStart.value.teardown().catch(() => undefined);
    if (databaseStart.status === 'fulfilled') await databaseStart.value.close().catch(() => undefined);
    throw envStart.status === 'rejected' ? envStart.reason : (databaseStart as PromiseRejectedResult).reason;
  }
  const [env, database] = [envStart.value, databaseStart.value];
  const taskQueue = opts.taskQueue ?? `ar-test-${Math.random().toString(36).slice(2, 8)}`;
  let worker: Worker;
  try {
    // Creating a worker bundles the workflow code: the slowest start-up on a loaded machine.
    worker = await startedWithin(
      `the ar worker on task queue ${taskQueue} (bundling the workflows, connecting to ${env.address})`,
      START_DEADLINES_MS.worker,
      createArWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        db: database.db,
        email: opts.email,
        client: env.client,
        workerOptions: opts.workerOptions,
        outreachOnly: opts.outreachOnly,
        workflowStackTraces: opts.workflowStackTraces,
      }),
    );
  } catch (err) {
    await Promise.allSettled([env.teardown(), database.close()]);
    throw err;
  }
  const running = worker.run();
  return {
    env,
    database,
    db: database.db,
    taskQueue,
    worker,
    seed: { customer: seedCustomer, invoice: seedInvoice, policy: seedPolicy },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await database.close();
    },
  };
}
