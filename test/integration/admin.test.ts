/**
 * The admin endpoint against the real system: Temporal dev server, PostgreSQL, a running worker,
 * invoice workflows started by the sync, and the endpoint listening on a port. Decisions made
 * over HTTP go to the workflows as Updates; we check what they did in the database.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceWorkflowId, outreachWorkflowId } from '../../temporal/client';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { invoiceStateQuery } from '../../collections/messages';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';
import { waitForPolicyFanOut } from '../../dev/harness/policy-fanout';

let s: AdminStack;

beforeAll(async () => {
  s = await startAdminStack();
  await s.seedOverdueInvoices(['ADM-APPROVE', 'ADM-EDIT', 'ADM-REJECT', 'ADM-RACE', 'ADM-OPS']);
  // One account with two overdue invoices, and one invoice not due for a month (its workflow sleeps).
  const today = new Date().toISOString().slice(0, 10);
  await s.stack.seed.customer(s.stack.db, { id: 'C-ADM-ACCT', tier: 'standard' });
  for (const n of ['ADM-ACCT-1', 'ADM-ACCT-2'])
    await s.stack.seed.invoice(s.stack.db, { number: n, customerId: 'C-ADM-ACCT', amountMinor: 90_000, dueDate: addDays(today, -2) });
  await s.stack.seed.customer(s.stack.db, { id: 'C-ADM-LATER' });
  await s.stack.seed.invoice(s.stack.db, {
    number: 'ADM-LATER',
    customerId: 'C-ADM-LATER',
    amountMinor: 40_000,
    dueDate: addDays(today, 30),
  });
  await s.syncWorkflows();
});
afterAll(async () => {
  await s?.close();
});

const path = (id: string, action: 'approve' | 'reject') => `/api/approvals/${encodeURIComponent(id)}/${action}`;

async function outboxFor(invoiceNumber: string) {
  return s.stack.db
    .select()
    .from(schema.emailOutbox)
    .where(sql`${schema.emailOutbox.invoiceNumbers} @> ${JSON.stringify([invoiceNumber])}::jsonb`);
}

async function auditFor(invoiceNumber: string, action: string) {
  return s.stack.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.invoiceNumber, invoiceNumber), eq(schema.auditLog.action, action)));
}

const state = (n: string) => s.stack.env.client.workflow.getHandle(invoiceWorkflowId(n)).query(invoiceStateQuery);

describe('deciding proposals over HTTP', () => {
  it('approve: the email goes out and the audit trail names the approver', async () => {
    const p = await s.pendingProposal('ADM-APPROVE');
    expect(p).toMatchObject({ status: 'pending', invoice: { number: 'ADM-APPROVE', daysOverdue: 2 }, customer: { id: 'C-ADM-APPROVE' } });
    expect(p.reasoning.length).toBeGreaterThan(0);

    const res = await s.http('POST', path(p.id, 'approve'), { as: 'alice', body: { note: 'looks right' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ proposalId: p.id, outcome: 'approved' });

    const [mail] = await waitFor(
      async () => {
        const rows = await outboxFor('ADM-APPROVE');
        return rows.length ? rows : null;
      },
      { tries: 600, what: 'the outbox row' },
    );
    expect(mail!.subject).toBe(p.draft.subject);
    expect(mail!.body).toBe(p.draft.body);
    expect(mail!.toAddress).toBe('ap@adm-approve.example');

    const [sent] = await waitFor(
      async () => {
        const rows = await auditFor('ADM-APPROVE', 'reminder_sent');
        return rows.length ? rows : null;
      },
      { what: 'the reminder_sent audit row' },
    );
    expect(sent!.approvedBy).toBe('alice');
    expect(sent!.policyVersion).toBe(p.policyVersion);
    const [approved] = await auditFor('ADM-APPROVE', 'proposal_approved');
    expect(approved).toMatchObject({ approvedBy: 'alice', actor: 'alice' });

    const [row] = await s.stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, p.id));
    expect(row).toMatchObject({ status: 'approved', decidedBy: 'alice', decisionNote: 'looks right' });

    // The live invoice view comes from the workflow.
    const inv = await s.http('GET', '/api/invoices/ADM-APPROVE', { as: 'vic' });
    expect(inv.status).toBe(200);
    expect(inv.body.source).toBe('workflow');
    expect(inv.body.state.actions.some((a: { kind: string; by?: string }) => a.kind === 'proposal_approved' && a.by === 'alice')).toBe(
      true,
    );

    // Deciding it again is a conflict that shows the decision.
    const again = await s.http('POST', path(p.id, 'reject'), { as: 'bob', body: { reason: 'second thoughts' } });
    expect(again.status).toBe(409);
    expect(again.body.error.proposal).toMatchObject({ status: 'approved', decision: { by: 'alice' } });
  });

  it('edit then approve: the edited text is what is sent', async () => {
    const p = await s.pendingProposal('ADM-EDIT');
    const edits = {
      subject: 'A quick note about ADM-EDIT',
      body: 'Hi Pat,\n\nJust checking in on ADM-EDIT. Could you let us know when it will be paid?\n\nThanks,\nAlice',
    };
    const res = await s.http('POST', path(p.id, 'approve'), {
      as: 'alice',
      body: { edits, editCategory: 'tone', editNote: 'Pat prefers a lighter touch' },
    });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('approved');

    const [mail] = await waitFor(
      async () => {
        const rows = await outboxFor('ADM-EDIT');
        return rows.length ? rows : null;
      },
      { tries: 600, what: 'the outbox row' },
    );
    expect(mail!.subject).toBe(edits.subject);
    expect(mail!.body).toBe(edits.body);
    const [row] = await s.stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, p.id));
    expect(row).toMatchObject({
      status: 'approved',
      decidedBy: 'alice',
      editedSubject: edits.subject,
      editedBody: edits.body,
      editCategory: 'tone',
      editNote: 'Pat prefers a lighter touch',
    });
    // The audit trail says what the approver changed, and why.
    const [approved] = await auditFor('ADM-EDIT', 'proposal_approved');
    expect(approved!.details).toMatchObject({ editCategory: 'tone', editNote: 'Pat prefers a lighter touch' });
    const [sent] = await waitFor(
      async () => {
        const rows = await auditFor('ADM-EDIT', 'reminder_sent');
        return rows.length ? rows : null;
      },
      { what: 'the reminder_sent audit row' },
    );
    expect(sent!.approvedBy).toBe('alice');
    expect(sent!.details).toMatchObject({ edited: true, subject: edits.subject });
  });

  it('reject: nothing is sent, and a refused request never reached the workflow', async () => {
    const p = await s.pendingProposal('ADM-REJECT');

    // Empty edits would be accepted by the workflow as an approval; the edge refuses them.
    const bad = await s.http('POST', path(p.id, 'approve'), { as: 'alice', body: { edits: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('edits');
    expect((await state('ADM-REJECT')).pendingProposal?.id).toBe(p.id);

    const res = await s.http('POST', path(p.id, 'reject'), { as: 'bob', body: { reason: 'customer paid by cheque yesterday' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ proposalId: p.id, outcome: 'rejected' });

    // The workflow has moved past the step: the rejection is recorded and the next step planned.
    const after = await waitFor(
      async () => {
        const st = await state('ADM-REJECT');
        return st.actions.some((a) => a.kind === 'proposal_rejected') && st.pendingProposal === null ? st : null;
      },
      { what: 'the workflow to record the rejection' },
    );
    expect(after.actions.find((a) => a.kind === 'proposal_rejected')?.by).toBe('bob');
    expect(after.nextStep?.key).not.toBe(p.stepKey);

    const [row] = await waitFor(
      async () => {
        const rows = await s.stack.db
          .select()
          .from(schema.proposals)
          .where(and(eq(schema.proposals.id, p.id), eq(schema.proposals.status, 'rejected')));
        return rows.length ? rows : null;
      },
      { what: 'the proposal row to be rejected' },
    );
    expect(row).toMatchObject({ decidedBy: 'bob', decisionNote: 'customer paid by cheque yesterday' });
    expect(await outboxFor('ADM-REJECT')).toHaveLength(0);
    expect(await auditFor('ADM-REJECT', 'reminder_sent')).toHaveLength(0);
    // Nothing was handed to the customer's outreach either: its workflow was never started.
    await expect(s.stack.env.client.workflow.getHandle(outreachWorkflowId('C-ADM-REJECT')).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('two approvers at once: exactly one wins, the other gets 409', async () => {
    const p = await s.pendingProposal('ADM-RACE');
    const [a, b] = await Promise.all([
      s.http('POST', path(p.id, 'approve'), { as: 'alice', body: {} }),
      s.http('POST', path(p.id, 'approve'), { as: 'bob', body: {} }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? (['alice', b] as const) : (['bob', a] as const);
    expect(loser.body.error.code).toBe('conflict');
    expect(loser.body.error.message).toMatch(/already approved/);
    expect(loser.body.error.proposal.id).toBe(p.id);

    const sent = await waitFor(
      async () => {
        const rows = await auditFor('ADM-RACE', 'reminder_sent');
        return rows.length ? rows : null;
      },
      { tries: 600, what: 'the reminder_sent audit row' },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.approvedBy).toBe(winner);
    expect(await outboxFor('ADM-RACE')).toHaveLength(1);
    const [row] = await s.stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, p.id));
    expect(row?.decidedBy).toBe(winner);
  });
});

describe('working an invoice over HTTP', () => {
  it('pause withdraws the proposal (409 to approve it), resume, promise, dispute, resolve, payment', async () => {
    const p = await s.pendingProposal('ADM-OPS');

    // An approver may not pause; an admin may.
    expect((await s.http('POST', '/api/invoices/ADM-OPS/pause', { as: 'alice', body: { reason: 'call first' } })).status).toBe(403);
    const paused = await s.http('POST', '/api/invoices/ADM-OPS/pause', { as: 'ada', body: { reason: 'customer asked us to call first' } });
    expect(paused.status).toBe(200);
    expect(paused.body.state).toMatchObject({ pausedBy: 'ada', pendingProposal: null });

    // The withdrawn proposal can no longer be approved.
    const late = await s.http('POST', path(p.id, 'approve'), { as: 'alice', body: {} });
    expect(late.status).toBe(409);
    expect(late.body.error.proposal.id).toBe(p.id);

    // Pausing twice is refused by the workflow's validator.
    const twice = await s.http('POST', '/api/invoices/ADM-OPS/pause', { as: 'ada', body: { reason: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ failureType: 'AlreadyPaused', message: expect.stringContaining('already paused by ada') });

    const resumed = await s.http('POST', '/api/invoices/ADM-OPS/resume', { as: 'ada', body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.body.state.pausedBy).toBeNull();

    // A promise in the past is refused by the workflow with its reason (422).
    const past = await s.http('POST', '/api/invoices/ADM-OPS/promise', { as: 'alice', body: { date: '2020-01-01' } });
    expect(past.status).toBe(422);
    expect(past.body.error).toMatchObject({ failureType: 'InvalidPromise', message: expect.stringContaining('in the past') });

    const future = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const promised = await s.http('POST', '/api/invoices/ADM-OPS/promise', { as: 'alice', body: { date: future, amount: '500.00' } });
    expect(promised.status).toBe(200);
    expect(promised.body).toMatchObject({
      promiseId: `promise-ADM-OPS-${future}`,
      state: { status: 'promised', promise: { date: future, amountMinor: 50_000 } },
    });
    const [promiseRow] = await waitFor(async () => {
      const rows = await s.stack.db.select().from(schema.promises).where(eq(schema.promises.invoiceNumber, 'ADM-OPS'));
      return rows.length ? rows : null;
    });
    expect(promiseRow).toMatchObject({ loggedBy: 'alice', amountMinor: 50_000 });

    const disputed = await s.http('POST', '/api/invoices/ADM-OPS/dispute', {
      as: 'alice',
      body: { reason: 'short shipment', note: '3 of 10 pallets missing' },
    });
    expect(disputed.status).toBe(200);
    expect(disputed.body.state.dispute).toMatchObject({ reason: 'short shipment' });
    const list = await waitFor(
      async () => {
        const r = await s.http('GET', '/api/disputes?invoice=ADM-OPS', { as: 'vic' });
        return r.body.items.length ? r.body.items : null;
      },
      { what: 'the dispute in the list' },
    );
    expect(list[0]).toMatchObject({
      id: disputed.body.disputeId,
      owner: expect.any(String),
      deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      status: 'open',
      openedBy: 'alice',
    });

    expect(
      (await s.http('POST', `/api/disputes/${disputed.body.disputeId}/resolve`, { as: 'alice', body: { outcome: 'invalid' } })).status,
    ).toBe(403);
    const resolved = await s.http('POST', `/api/disputes/${disputed.body.disputeId}/resolve`, {
      as: 'ada',
      body: { outcome: 'invalid', note: 'pallets found' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.state.dispute).toBeNull();
    expect(resolved.body.dispute.status).toBe('resolved_invalid');

    // The customer pays in full: posted to the ledger, then the workflow closes the invoice.
    const paid = await s.http('POST', '/api/invoices/ADM-OPS/payments', {
      as: 'alice',
      body: { amount: '1250.00', date: new Date().toISOString().slice(0, 10) },
      headers: { 'idempotency-key': 'ops-final' },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({
      paymentId: 'manual-ops-final',
      ledger: { open: { amount: '0.00' }, status: 'paid', applied: true },
      workflow: { openMinor: 0, status: 'paid' },
    });
    await waitFor(
      async () => (await s.stack.env.client.workflow.getHandle(invoiceWorkflowId('ADM-OPS')).describe()).status.name === 'COMPLETED',
      { what: 'the workflow to complete' },
    );
    const closed = await s.http('GET', '/api/invoices/ADM-OPS', { as: 'vic' });
    expect(closed.body).toMatchObject({ source: 'ledger', state: null, invoice: { status: 'paid', open: { amount: '0.00' } } });
    expect(closed.body.audit.some((a: { action: string }) => a.action === 'invoice_closed')).toBe(true);
    // A closed workflow takes no messages.
    const afterClose = await s.http('POST', '/api/invoices/ADM-OPS/promise', { as: 'alice', body: { date: future } });
    expect(afterClose.status).toBe(409);
  });

  it('finds open invoices by number written loosely or by customer, and refuses a bad filter naming it', async () => {
    const found = await s.http('GET', '/api/invoices?q=adm%20acct&currency=USD', { as: 'vic' });
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { number: string }) => i.number)).toEqual(['ADM-ACCT-1', 'ADM-ACCT-2']);
    expect(found.body.items[0]).toMatchObject({ customerId: 'C-ADM-ACCT', currency: 'USD', openAmount: '900.00', openMinor: 90_000 });
    const later = await s.http('GET', '/api/invoices?q=C-ADM-LATER', { as: 'vic' });
    expect(later.body.items.map((i: { number: string }) => i.number)).toEqual(['ADM-LATER']);
    expect((await s.http('GET', '/api/invoices?q=ADM-ACCT&currency=EUR', { as: 'vic' })).body.items).toEqual([]);
    const bad = await s.http('GET', '/api/invoices?limit=0', { as: 'vic' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'limit' });
  });

  it('reports the health of its dependencies', async () => {
    expect(await s.http('GET', '/healthz')).toEqual({ status: 200, body: { ok: true, database: 'up', temporal: 'up', sends: 'flowing' } });
  });
});

describe('an account and the policy over HTTP', () => {
  it('pausing an account pauses every open invoice and withdraws their proposals; resume undoes it', async () => {
    const pending = await waitFor(
      async () => {
        const r = await s.http('GET', '/api/approvals?customer=C-ADM-ACCT', { as: 'vic' });
        return r.body.items?.length === 2 ? r.body.items : null;
      },
      { tries: 600, what: 'both proposals of the account' },
    );

    expect((await s.http('POST', '/api/customers/C-ADM-ACCT/pause', { as: 'alice', body: { reason: 'x' } })).status).toBe(403);
    expect((await s.http('POST', '/api/customers/C-NOBODY/pause', { as: 'ada', body: { reason: 'x' } })).status).toBe(404);
    const noReason = await s.http('POST', '/api/customers/C-ADM-ACCT/pause', { as: 'ada', body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');

    const paused = await s.http('POST', '/api/customers/C-ADM-ACCT/pause', { as: 'ada', body: { reason: 'CFO call on Friday' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({
      customerId: 'C-ADM-ACCT',
      invoices: [
        { invoiceNumber: 'ADM-ACCT-1', outcome: 'paused' },
        { invoiceNumber: 'ADM-ACCT-2', outcome: 'paused' },
      ],
    });
    for (const n of ['ADM-ACCT-1', 'ADM-ACCT-2']) {
      const st = await state(n);
      expect(st).toMatchObject({ pausedBy: 'ada', pendingProposal: null, status: 'paused' });
    }
    for (const p of pending) {
      const late = await s.http('POST', path(p.id, 'approve'), { as: 'alice', body: {} });
      expect(late.status).toBe(409);
    }
    // Again: nothing changes, and the answer says so per invoice.
    const again = await s.http('POST', '/api/customers/C-ADM-ACCT/pause', { as: 'ada', body: { reason: 'again' } });
    expect(again.body.invoices.map((i: { outcome: string }) => i.outcome)).toEqual(['already_paused', 'already_paused']);

    const resumed = await s.http('POST', '/api/customers/C-ADM-ACCT/resume', { as: 'ada', body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.body.invoices.map((i: { outcome: string }) => i.outcome)).toEqual(['resumed', 'resumed']);
    for (const n of ['ADM-ACCT-1', 'ADM-ACCT-2']) expect((await state(n)).pausedBy).toBeNull();
    const twice = await s.http('POST', '/api/customers/C-ADM-ACCT/resume', { as: 'ada', body: {} });
    expect(twice.body.invoices.map((i: { outcome: string }) => i.outcome)).toEqual(['not_paused', 'not_paused']);
    expect(await outboxFor('ADM-ACCT-1')).toHaveLength(0);
  });

  it('an admin publishes a policy version; running workflows re-plan with it; bad or stale documents are refused', async () => {
    const current = await s.http('GET', '/api/policy', { as: 'vic' });
    expect(current.status).toBe(200);
    const v = current.body.version as number;
    expect(current.body).toMatchObject({ createdBy: expect.any(String), policy: { ladders: { standard: expect.any(Array) } } });
    await waitFor(async () => ((await state('ADM-LATER')).policyVersion === v ? true : null), {
      what: 'the sleeping workflow on the current policy',
    });

    // A calendar rule every sleeping plan reads: the fan-out wakes them (a limit alone would wake nobody).
    const edited = { ...current.body.policy, handoffGraceDays: current.body.policy.handoffGraceDays + 2 };
    expect((await s.http('POST', '/api/policy', { as: 'alice', body: { policy: edited, note: 'x' } })).status).toBe(403);

    // Refused with the field, the value and the rule; nothing is published.
    const bad = await s.http('POST', '/api/policy', {
      as: 'ada',
      body: { policy: { ...edited, sendWindow: { startHour: 25, endHour: 17, businessDaysOnly: true } }, note: 'typo' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'policy.sendWindow.startHour', value: 25 });
    const unknown = await s.http('POST', '/api/policy', { as: 'ada', body: { policy: { ...edited, contactCap: {} }, note: 'typo' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('contactCap');
    const noNote = await s.http('POST', '/api/policy', { as: 'ada', body: { policy: edited } });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.field).toBe('note');

    const published = await s.http('POST', '/api/policy', {
      as: 'ada',
      body: { policy: edited, note: 'customers get longer after the last reminder', basedOnVersion: v },
    });
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(v + 1);
    // Answered once stored; the fan-out signals the running workflows in the background.
    expect(published.body.fanOut).toMatchObject({
      workflowId: `policy-fanout-v${v + 1}`,
      status: expect.stringMatching(/^(running|done)$/),
    });
    expect(published.body.notified).toBeGreaterThanOrEqual(0);
    const fanOut = await waitForPolicyFanOut(s.stack.env.client, v + 1);
    expect(fanOut).toMatchObject({ status: 'done', counts: { invoices: expect.any(Number) } });
    expect(fanOut.counts.invoices).toBeGreaterThan(0);
    const after = await s.http('GET', '/api/policy', { as: 'vic' });
    expect(after.body).toMatchObject({ version: v + 1, createdBy: 'ada', note: 'customers get longer after the last reminder' });
    expect(after.body.policy.handoffGraceDays).toBe(edited.handoffGraceDays);

    // The sleeping workflow woke, re-read the policy, and now records the new version at its decisions.
    await waitFor(async () => ((await state('ADM-LATER')).policyVersion === v + 1 ? true : null), {
      tries: 600,
      what: 'the workflow to re-plan with the new policy',
    });

    // Someone editing the old version is told another was published since.
    const stale = await s.http('POST', '/api/policy', { as: 'ada', body: { policy: edited, note: 'my edit', basedOnVersion: v } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain(`policy v${v + 1} was published since v${v}`);
    expect((await s.http('GET', '/api/policy', { as: 'vic' })).body.version).toBe(v + 1);
  });
});
