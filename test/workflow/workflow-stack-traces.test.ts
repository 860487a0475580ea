/**
 * WORKFLOW_STACK_TRACES=off (apps/worker/no-stack-traces.ts): workflow code captures no stack
 * frames, so the SDK's stack trace of a waiting invoice workflow (the Web UI's Stack Trace tab, the
 * `__stack_trace` query) names no locations, where the default names the workflow's own code. Both
 * run the same invoice workflow through createArWorker, on one dev server and PostgreSQL.
 */
import { createArWorker, preloadModules } from '../../apps/worker/create-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { startInvoice } from '../support/invoice';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The SDK's stack trace of a workflow: one block per promise it waits on. */
const stackTraceOf = (workflowId: string) => stack.env.client.workflow.getHandle(workflowId).query<string>('__stack_trace');

describe('workflow stack traces', () => {
  it('the off setting adds its module to what the worker preloads, after the shared modules', () => {
    const full = preloadModules();
    expect(full).toEqual(preloadModules('full'));
    expect(full.some((m) => m.endsWith('no-stack-traces.ts'))).toBe(false);
    const off = preloadModules('off');
    expect(off.slice(0, full.length)).toEqual(full);
    expect(off.at(-1)).toMatch(/no-stack-traces\.ts$/);
  });

  it('a waiting invoice names its code in its stack trace by default, and no location with the setting off', async () => {
    await stack.seed.customer(stack.db, { id: 'ST1' });
    // The default worker (startTestStack's) on the stack's task queue.
    const full = await startInvoice(stack, { number: 'ST-1', customerId: 'ST1', dueInDays: 30 });
    const fullTrace = await stackTraceOf(full.workflowId);
    expect(fullTrace).toMatch(/\bat .*collections\/workflow\.ts:\d+/);

    const taskQueue = `${stack.taskQueue}-no-stack-traces`;
    const worker = await createArWorker({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace ?? 'default',
      taskQueue,
      db: stack.db,
      client: stack.env.client,
      workflowStackTraces: 'off',
    });
    await worker.runUntil(async () => {
      const off = await startInvoice({ ...stack, taskQueue }, { number: 'ST-2', customerId: 'ST1', dueInDays: 30 });
      const offTrace = await stackTraceOf(off.workflowId);
      // The query answers (the workflow is waiting), with no frame in it.
      expect(typeof offTrace).toBe('string');
      expect(offTrace).not.toMatch(/\bat /);
      await off.terminate('test over');
    });
    await full.terminate('test over');
  });
});
