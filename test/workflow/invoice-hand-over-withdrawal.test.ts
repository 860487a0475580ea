/**
 * The withdrawal of a reminder whose hand-over nobody has answered yet (an invoice paid while its
 * outreach workflow has not taken the request): the withdrawal completes the open hand-over
 * activity by its activity id, so no retry of it hands the reminder over again, and nothing is
 * cancelled. On the dev server, in a file of its own: in invoice-hand-over.test.ts on the
 * time-skipping server, the tests after it (which need time to pass) hung; that server appears not
 * to skip time again once an activity has been completed by its id.
 */
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../apps/worker/activities';
import type { HandOverAnswer } from '../../collections/messages';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createDevLogSender } from '../../outreach/channels/email';
import type { ReminderRequest } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { eventsOfType } from '../support/invoice';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const PROBE_WORKFLOW = fileURLToPath(new URL('../support/hand-over-probe-workflow.ts', import.meta.url));

describe('invoice workflow: a reminder withdrawn before outreach answered its hand-over', () => {
  it('a withdrawal completes a hand-over nobody has answered yet, by its activity id', async () => {
    const { env, db, seed } = stack;
    await seed.customer(db, { id: 'HO4', tier: 'standard' });
    // The hand-over signals an outreach workflow on a task queue no worker polls: nothing answers it.
    const { awaitReminderDelivery, withdrawReminder } = createActivities({
      db,
      ledger: createBuiltinLedger(db),
      email: createDevLogSender(() => undefined),
      temporal: async () => env.client,
      taskQueue: `${stack.taskQueue}-unpolled`,
      emailFrom: 'ar@example.com',
      // The outreach path: a reminder sent at once from the hand-over would leave nothing to withdraw.
      outreachOnly: true,
    });
    const probeQueue = `${stack.taskQueue}-withdraw-probe`;
    const probe = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: probeQueue,
      workflowsPath: PROBE_WORKFLOW,
      activities: { awaitReminderDelivery, withdrawReminder },
    });
    const request = {
      requestId: 'invoice-HO-4/overdue-1',
      invoice: { number: 'HO-4', currency: 'USD', openMinor: 10_000, dueDate: '2026-12-01' },
      customerName: 'HO4',
      contactName: null,
      locale: 'en-US',
      invoiceWorkflowId: 'invoice-HO-4',
      invoiceNumber: 'HO-4',
      tone: 'friendly',
      subject: 'Invoice HO-4',
      body: 'A reminder.',
      reasoning: 'test',
      policyVersion: 1,
      approvedBy: 'alice',
      edited: false,
    } as unknown as ReminderRequest;
    const answer = await probe.runUntil(async () => {
      const run = await env.client.workflow.start('withdrawOpenHandOverProbeWorkflow', {
        taskQueue: probeQueue,
        workflowId: 'withdraw-open-hand-over-probe',
        args: [{ customerId: 'HO4', request }],
      });
      const result = await Promise.race([
        run.result() as Promise<HandOverAnswer>,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
      ]);
      if (result === null) await run.terminate('hand-over left open');
      const events = (await run.fetchHistory()).events ?? [];
      return { result, cancelRequested: eventsOfType(events, 'activityTaskCancelRequested').length };
    });
    expect(answer.result).toEqual({ requestId: request.requestId, queued: true, detail: 'withdrawn: no longer needed' });
    expect(answer.cancelRequested).toBe(0);
    await env.client.workflow.getHandle('outreach-HO4').terminate('test over');
  });
});
