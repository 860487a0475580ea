/**
 * A real stack for integration tests: the Temporal dev server (with the custom search attributes),
 * a fresh PostgreSQL database and a running `ar` worker. Nothing is mocked.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { EmailSender } from '../../outreach/channels/email';
import { createArWorker } from '../../apps/worker/create-worker';
import { createTestDatabase, type TestDatabase } from './database';
import { seedCustomer, seedInvoice, seedPolicy } from './seed';
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

export async function startTestStack(opts: { timeSkipping?: boolean; email?: EmailSender; taskQueue?: string } = {}): Promise<TestStack> {
  const [env, database] = await Promise.all([opts.timeSkipping ? createTimeSkippingEnv() : createDevServerEnv(), createTestDatabase()]);
  const taskQueue = opts.taskQueue ?? `ar-test-${Math.random().toString(36).slice(2, 8)}`;
  const worker = await createArWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    db: database.db,
    email: opts.email,
    client: env.client,
  });
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
