/**
 * The bad-input corpus's raw Temporal messages (test/fixtures/bad-inputs/temporal-messages.json),
 * sent with the Temporal client straight to a running invoice workflow (waiting on a proposal) and
 * a running outreach workflow on a real dev server, past the admin endpoint: null, wrong types,
 * NUL bytes, huge strings, deep nesting, wrong arities, and well-shaped messages with one bad
 * value. Each signal must be ignored and each Update refused by its validator, without one failed
 * workflow task; after each, the workflow answers a query with its state unchanged.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { outreachStateQuery } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { outreachWorkflowId } from '../../temporal/workflow-ids';
import { nextProposal, startInvoice } from '../support/invoice';

interface Target {
  workflow: 'invoice' | 'outreach';
  kind: 'signal' | 'update';
  name: string;
}
interface Corpus {
  targets: Target[];
  payloads: { name: string; args: unknown[] }[];
  shaped: { name: string; target: string; args: unknown[] }[];
}

let stack: TestStack;
const counts: Record<string, number> = {};
beforeAll(async () => {
  stack = await startTestStack();
  // Any hour, no batching: the invoice's first step proposes at once.
  await stack.seed.policy(stack.db, { sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false }, batchWindowMinutes: 0 });
});
afterAll(async () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `bad inputs tried, by category: raw temporal messages ${total} (${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  await stack?.close();
});

/** Corpus values too big or too deep to keep as text: {repeat, times}, {nested}, {raw}; $PENDING is the pending proposal's id. */
function expand(v: unknown, pending: string): unknown {
  if (Array.isArray(v)) return v.map((x) => expand(x, pending));
  if (v === '$PENDING') return pending;
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('repeat' in o && 'times' in o) return String(o.repeat).repeat(Number(o.times));
  if ('raw' in o) return JSON.parse(String(o.raw));
  if ('nested' in o) {
    const n = o.nested as { open: string; close: string; inner?: string; depth: number };
    return JSON.parse(n.open.repeat(n.depth) + (n.inner ?? '') + n.close.repeat(n.depth));
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, expand(x, pending)]));
}

/** Waits until the worker has processed every signal in the history; fails on any failed workflow task. */
async function settled(handle: WorkflowHandle, what: string): Promise<void> {
  await waitFor(
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const failed = events.find((e) => e.workflowTaskFailedEventAttributes);
      if (failed)
        throw new Error(`${what}: a workflow task failed: ${JSON.stringify(failed.workflowTaskFailedEventAttributes?.failure?.message)}`);
      const lastSignal = events.findLastIndex((e) => e.workflowExecutionSignaledEventAttributes);
      const lastCompleted = events.findLastIndex((e) => e.workflowTaskCompletedEventAttributes);
      return lastCompleted > lastSignal;
    },
    { tries: 300, what: `${what}: the worker to process it` },
  );
}

describe('raw Temporal messages against running workflows', () => {
  it('ignores every bad signal and refuses every bad Update; no workflow task fails, and state stays as it was', async () => {
    const corpus = JSON.parse(await readFile(path.resolve('test/fixtures/bad-inputs/temporal-messages.json'), 'utf8')) as Corpus;
    await stack.seed.customer(stack.db, { id: 'BT' });
    const invoice = await startInvoice(stack, { number: 'BT-1', customerId: 'BT', amountMinor: 90_000, dueInDays: -2 });
    const pending = await nextProposal(stack, invoice);
    const outreach = await stack.env.client.workflow.start('outreachWorkflow', {
      workflowId: outreachWorkflowId('BT-OUT'),
      taskQueue: stack.taskQueue,
      args: [{ customerId: 'BT-OUT' }],
    });
    const handles = { invoice: stack.env.client.workflow.getHandle(invoice.workflowId), outreach };
    const snapshot = async (w: Target['workflow']) =>
      JSON.stringify(w === 'invoice' ? await handles.invoice.query(invoiceStateQuery) : await handles.outreach.query(outreachStateQuery));
    const before = { invoice: await snapshot('invoice'), outreach: await snapshot('outreach') };

    const cases = [
      ...corpus.targets.flatMap((target) => corpus.payloads.map((p) => ({ target, name: p.name, args: p.args }))),
      ...corpus.shaped.map((s) => ({ target: corpus.targets.find((t) => t.name === s.target)!, name: s.name, args: s.args })),
    ];
    for (const c of cases) {
      const what = `${c.target.workflow} ${c.target.kind} ${c.target.name}: ${c.name}`;
      const args = expand(c.args, pending.id) as unknown[];
      const handle = handles[c.target.workflow];
      if (c.target.kind === 'signal') {
        await handle.signal<unknown[]>(c.target.name, ...args);
        await settled(handle, what);
      } else {
        // A refusal comes back from the validator; an Update that hangs would mean a stuck task.
        const outcome = await Promise.race([
          handle.executeUpdate<unknown, [unknown, ...unknown[]]>(c.target.name, { args: args as [unknown, ...unknown[]] }).then(
            () => 'accepted',
            (err: unknown) => `refused: ${String(err)}`,
          ),
          new Promise<string>((r) => setTimeout(() => r('no answer in 30 s'), 30_000)),
        ]);
        expect(outcome, what).toMatch(/^refused: /);
      }
      expect(await snapshot(c.target.workflow), `${what}: the state changed`).toBe(before[c.target.workflow]);
      const key = `${c.target.workflow} ${c.target.kind}s`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    for (const w of ['invoice', 'outreach'] as const) {
      const events = (await handles[w].fetchHistory()).events ?? [];
      expect(
        events.filter((e) => e.workflowTaskFailedEventAttributes),
        `${w}: failed workflow tasks`,
      ).toEqual([]);
      expect((await handles[w].describe()).status.name, w).toBe('RUNNING');
    }
    // Still working: the proposal the bad decisions could not touch can be decided for real.
    expect((await handles.invoice.query(invoiceStateQuery)).pendingProposal?.id).toBe(pending.id);
    await invoice.terminate('test done');
    await outreach.terminate('test done');
  }, 600_000);
});
