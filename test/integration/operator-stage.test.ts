/**
 * What an operator sees is true (issue 14, item 5), on the real stack: an approved reminder that
 * waits in outreach (here for the batch window) shows as "<step> (approved, queued)" in
 * ArDunningStage, in the Web UI's current details, in GET /api/invoices/:number and in the
 * explanation; a rejected step shows as rejected, not done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { invoiceWorkflowId, outreachWorkflowId } from '../../temporal/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';

let s: AdminStack;

beforeAll(async () => {
  s = await startAdminStack();
  // Send at any hour, but hold an approved reminder for 30 minutes in case others of the customer join it.
  await s.stack.seed.policy(s.stack.db, {
    sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
    batchWindowMinutes: 30,
    contactCaps: { maxContacts: 100, perDays: 1, minHoursApart: 0 },
  });
  await s.seedOverdueInvoices(['OPS-QUEUED', 'OPS-REJECTED']);
  // Another invoice of the same customer, its draft left waiting for a person: outreach keeps the
  // whole batch window for it (with nothing else due, an approved reminder goes out at once).
  await s.stack.seed.invoice(s.stack.db, {
    number: 'OPS-QUEUED-2',
    customerId: 'C-OPS-QUEUED',
    amountMinor: 50_000,
    dueDate: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
  });
  await s.syncWorkflows();
});
afterAll(async () => {
  await s?.close();
});

const handle = (n: string) => s.stack.env.client.workflow.getHandle(invoiceWorkflowId(n));

/** ArDunningStage as the visibility store has it (eventually consistent: polled). */
const stageFilterFinds = (n: string, stage: string) =>
  waitFor(
    async () =>
      (await s.stack.env.client.workflow.count(`ArInvoiceNumber = "${n}" AND ArDunningStage = "${stage}"`)).count === 1 ? true : null,
    {
      tries: 300,
      what: `${n} with ArDunningStage = "${stage}"`,
    },
  );

describe('the stage an operator reads', () => {
  it('approved and waiting in outreach: "<step> (approved, queued)" everywhere an operator looks', async () => {
    await waitFor(async () => (await handle('OPS-QUEUED-2').query(invoiceStateQuery)).pendingProposal, {
      tries: 600,
      what: 'the draft of OPS-QUEUED-2 waiting for a person',
    });
    const p = await s.pendingProposal('OPS-QUEUED');
    const res = await s.http('POST', `/api/approvals/${encodeURIComponent(p.id)}/approve`, { as: 'alice', body: {} });
    expect(res.status).toBe(200);
    const queued = `${p.stepKey} (approved, queued)`;
    await waitFor(async () => ((await handle('OPS-QUEUED').query(invoiceStateQuery)).stage === queued ? true : null), {
      tries: 300,
      what: `the state query to say ${queued}`,
    });
    await stageFilterFinds('OPS-QUEUED', queued);
    const metadata = (await handle('OPS-QUEUED').query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(metadata.currentDetails).toContain(`stage ${queued}`);
    const page = await s.http('GET', '/api/invoices/OPS-QUEUED', { as: 'vic' });
    expect(page.body.state.stage).toBe(queued);
    const explained = await s.http('GET', '/api/invoices/OPS-QUEUED/explain?replay=false', { as: 'vic' });
    expect(explained.body.actions[0]).toMatchObject({ stepKey: p.stepKey, outcome: 'queued', delivery: null });
    expect(explained.body.actions[0].when.batchWindowMinutes).toBe(30);
    // The outreach timer says what it waits for, in the Web UI's history. The stage says queued from
    // the task that hands the reminder over ('lean-lifecycle'), so outreach's timer may follow a moment later.
    const batching = /^batching OPS-QUEUED for C-OPS-QUEUED: sending at \S+ at the latest \(batch window 30 min\)$/;
    const summaries = await waitFor(
      async () => {
        const outreachHistory = await s.stack.env.client.workflow.getHandle(outreachWorkflowId('C-OPS-QUEUED')).fetchHistory();
        const found = (outreachHistory.events ?? [])
          .filter((e) => e.timerStartedEventAttributes && e.userMetadata?.summary)
          .map((e) => String(defaultPayloadConverter.fromPayload(e.userMetadata!.summary as Payload)));
        return found.some((t) => batching.test(t)) ? found : null;
      },
      { tries: 300, what: "outreach's batching timer for OPS-QUEUED" },
    );
    expect(summaries.some((t) => batching.test(t))).toBe(true);
  });

  it('a shorter batch window published meanwhile applies to the timer already running: the queued reminder goes out', async () => {
    const current = await s.http('GET', '/api/policy', { as: 'vic' });
    const { version: _version, ...body } = current.body.policy as Record<string, unknown>;
    const published = await s.http('POST', '/api/policy', {
      as: 'ada',
      body: { policy: { ...body, batchWindowMinutes: 0 }, note: 'send approved reminders at once' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    // The 30-minute window had minutes left: the release comes from the new policy, not the old timer.
    const stage = await waitFor(
      async () => {
        const st = await handle('OPS-QUEUED').query(invoiceStateQuery);
        return st.stage.endsWith('(approved, queued)') ? null : st.stage;
      },
      { tries: 600, what: 'the queued reminder of OPS-QUEUED to go out' },
    );
    expect(stage).not.toContain('queued');
    const explained = await s.http('GET', '/api/invoices/OPS-QUEUED/explain?replay=false', { as: 'vic' });
    expect(explained.body.actions[0].outcome).toBe('logged');
  });

  it('a rejected step is shown as rejected, not as done', async () => {
    const p = await s.pendingProposal('OPS-REJECTED');
    const res = await s.http('POST', `/api/approvals/${encodeURIComponent(p.id)}/reject`, {
      as: 'alice',
      body: { reason: 'they paid by phone' },
    });
    expect(res.status).toBe(200);
    const rejected = `${p.stepKey} (rejected)`;
    await waitFor(async () => ((await handle('OPS-REJECTED').query(invoiceStateQuery)).stage === rejected ? true : null), {
      tries: 300,
      what: `the state query to say ${rejected}`,
    });
    await stageFilterFinds('OPS-REJECTED', rejected);
    expect((await s.stack.env.client.workflow.count(`ArInvoiceNumber = "OPS-REJECTED" AND ArDunningStage = "${p.stepKey}"`)).count).toBe(0);
  });
});
