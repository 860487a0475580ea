import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/calendar';
import { decideProposalUpdate, invoiceStateQuery } from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { serverToday, waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('continue-as-new', () => {
  it('carries the invoice memory into the new run and keeps working', async () => {
    const { db, env, taskQueue } = stack;
    await stack.seed.customer(db, { id: 'CN' });
    await stack.seed.invoice(db, { number: 'CAN-1', customerId: 'CN', amountMinor: 90_000, dueDate: addDays(await serverToday(env), 5) });
    const h = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-CAN-1',
      taskQueue,
      args: [{ invoiceNumber: 'CAN-1', customerId: 'CN', continueAsNewAfterEvents: 40 }],
    });
    const firstRunId = h.firstExecutionRunId;
    let last = '';
    const approvedSteps: string[] = [];
    // Approve steps until the history crosses the limit and the workflow continues as new.
    let runId = firstRunId;
    for (let i = 0; i < 4 && runId === firstRunId; i++) {
      const p = await waitFor(
        async () => {
          const s = await h.query(invoiceStateQuery);
          return s.pendingProposal && s.pendingProposal.id !== last ? s.pendingProposal : null;
        },
        { env, advance: '6 hours', what: 'proposal' },
      );
      last = p.id;
      approvedSteps.push(p.stepKey);
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
      await waitFor(
        async () =>
          (await h.query(invoiceStateQuery)).actions.some(
            (a) => a.kind === 'reminder_logged' && a.detail.includes(p.stepKey === 'heads-up' ? 'Upcoming' : 'Reminder'),
          ),
        { env, advance: '1 hour', what: 'delivery' },
      );
      await env.sleep('2 days');
      runId = (await h.describe()).runId;
    }
    expect(runId).not.toBe(firstRunId);
    const state = await h.query(invoiceStateQuery);
    // The new run remembers what the old one did: no step is repeated, the actions log survives.
    expect(state.actions.some((a) => a.kind === 'continued_as_new')).toBe(true);
    expect(state.actions.filter((a) => a.kind === 'proposal_approved').length).toBeGreaterThanOrEqual(1);
    expect(state.stage).not.toBe('not-started');
    const next = await waitFor(
      async () => {
        const s = await h.query(invoiceStateQuery);
        return s.pendingProposal && s.pendingProposal.id !== last ? s.pendingProposal : null;
      },
      { env, advance: '6 hours', what: 'proposal after continue-as-new' },
    );
    // Steps done in the first run are not proposed again.
    expect(approvedSteps).not.toContain(next.stepKey);
    expect(next.stepKey).not.toBe('heads-up');
    const search = await h.describe();
    expect(search.typedSearchAttributes.get({ name: 'ArInvoiceNumber', type: 'KEYWORD' } as never)).toBe('CAN-1');
  });
});
