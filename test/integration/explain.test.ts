/**
 * `ar explain` and GET /api/invoices/:number/explain on the real system: an invoice goes through
 * a proposal, an edit and an approval, a send, a promise to pay and a payment in full; the
 * explanation names each fact from the workflow's history and the audit trail, and says that the
 * history replays deterministically under today's code.
 */
import { runAr, type CliResult } from '../support/cli';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { invoiceWorkflowId } from '../../temporal/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';

let s: AdminStack;
const N = 'EXP-1';
const today = new Date().toISOString().slice(0, 10);
const promiseDate = addDays(today, 10);
/** The pending proposal as GET /api/approvals lists it. */
let proposal: { id: string; stepKey: string; policyVersion: number; draft: { subject: string; body: string } };

const EDITS = { subject: 'About invoice EXP-1', body: 'Hi,\n\ncould you tell us when EXP-1 will be paid?\n\nThanks, Alice' };

beforeAll(async () => {
  s = await startAdminStack();
  await s.seedOverdueInvoices([N], { daysOverdue: 9, amountMinor: 125_000 });
  await s.syncWorkflows();
  proposal = await s.pendingProposal(N);
  const approved = await s.http('POST', `/api/approvals/${encodeURIComponent(proposal.id)}/approve`, {
    as: 'alice',
    body: { edits: EDITS, editCategory: 'tone', editNote: 'a lighter touch', note: 'ok with the edit' },
  });
  expect(approved.status).toBe(200);
  await waitFor(
    async () => {
      const rows = await s.stack.db
        .select()
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.invoiceNumber, N), eq(schema.auditLog.action, 'reminder_sent')));
      return rows.length ? rows : null;
    },
    { tries: 600, what: 'the reminder_sent audit row' },
  );
  const promised = await s.http('POST', `/api/invoices/${N}/promise`, { as: 'bob', body: { date: promiseDate, amount: '1250.00' } });
  expect(promised.status).toBe(200);
  const paid = await s.http('POST', `/api/invoices/${N}/payments`, { as: 'alice', body: { amount: '1250.00', date: today } });
  expect(paid.status).toBe(200);
  await s.stack.env.client.workflow.getHandle(invoiceWorkflowId(N)).result();
});
afterAll(async () => {
  await s?.close();
});

function ar(...args: string[]): Promise<CliResult> {
  return runAr({ DATABASE_URL: s.stack.database.url, TEMPORAL_ADDRESS: s.stack.env.address }, [...args]);
}

describe('explaining an invoice', () => {
  it('over HTTP: what was sent, why, why then, who approved and edited it, under which policy, and the replay verdict', async () => {
    const res = await s.http('GET', `/api/invoices/${N}/explain`, { as: 'vic' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const e = res.body;
    expect(e).toMatchObject({ workflowId: `invoice-${N}`, invoiceNumber: N, customerId: `C-${N}` });
    expect(e.actions).toHaveLength(1);
    const [a] = e.actions;
    expect(a).toMatchObject({
      stepKey: proposal.stepKey,
      kind: 'reminder',
      outcome: 'logged', // dev mode: written to the outbox, not sent through Resend
      proposalId: proposal.id,
      text: { subject: EDITS.subject, body: EDITS.body },
      draft: { subject: proposal.draft.subject, body: proposal.draft.body },
      decision: {
        outcome: 'approved',
        by: 'alice',
        edited: true,
        editCategory: 'tone',
        editNote: 'a lighter touch',
        note: 'ok with the edit',
      },
      delivery: { status: 'logged', to: `ap@${N.toLowerCase()}.example`, batchedWith: [] },
      policyVersion: proposal.policyVersion,
    });
    // Why: the reasoning, and the facts it rested on when the step ran.
    expect(a.why.reasoning).toContain('9 days overdue');
    expect(a.why.facts).toMatchObject({
      balance: { amount: '1250.00', minor: 125_000, currency: 'USD' },
      daysOverdue: 9,
      dueDate: addDays(today, -9),
      tier: 'standard',
      contactCount: 0,
      promise: null,
      dispute: null,
    });
    // Why then: the ladder step, the send window and caps of the policy in force.
    expect(a.when.ladderStep).toMatch(new RegExp(`^step \\d of \\d of the standard ladder \\(${proposal.stepKey}, `));
    expect(a.when.sendWindow).toBe('00:00–24:00 every day (UTC)');
    expect(a.when.contactCaps).toBe("at most 100 in 1 days, 0 hours apart, across the customer's invoices");
    expect(a.when.batchWindowMinutes).toBe(0);
    expect(Date.parse(a.decision.at)).toBeLessThanOrEqual(Date.parse(a.when.queuedAt));
    expect(Date.parse(a.when.queuedAt)).toBeLessThanOrEqual(Date.parse(a.when.deliveredAt));
    expect(a.audit.map((r: { action: string }) => r.action)).toEqual(['reminder_proposed', 'proposal_approved', 'reminder_sent']);
    // What people told the workflow, and how it ended.
    const events = e.events.map((ev: { what: string; by: string | null }) => [ev.what, ev.by]);
    expect(events).toContainEqual([`promise to pay 1250.00 USD by ${promiseDate}`, 'bob']);
    expect(events.some(([what, by]: [string, string]) => /^payment .+ of 1250\.00 USD applied$/.test(what) && by === 'alice')).toBe(true);
    expect(e.closed).toMatchObject({ status: 'paid' });
    expect(e.replay).toMatchObject({ deterministic: true, error: null });
    expect(e.replay.events).toBeGreaterThan(10);
  });

  it('narrows to a step; an unknown step explains nothing; a bad option is a 400 naming it', async () => {
    const one = await s.http('GET', `/api/invoices/${N}/explain?step=${proposal.stepKey}&replay=false`, { as: 'vic' });
    expect(one.status).toBe(200);
    expect(one.body.actions).toHaveLength(1);
    expect(one.body.replay).toBeNull();
    const none = await s.http('GET', `/api/invoices/${N}/explain?step=final-30&replay=false`, { as: 'vic' });
    expect(none.body.actions).toEqual([]);
    const bad = await s.http('GET', `/api/invoices/${N}/explain?replay=maybe`, { as: 'vic' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('replay');
    const missing = await s.http('GET', '/api/invoices/EXP-NOPE/explain', { as: 'vic' });
    expect(missing.status).toBe(404);
  });

  it('ar explain prints the same story, by invoice number or workflow id; an unknown one is "no such workflow", exit 1', async () => {
    const text = await ar('explain', N);
    expect(text.code, text.stderr).toBe(0);
    for (const fact of [
      `■ ${proposal.stepKey} (reminder): logged`,
      `"${EDITS.subject}"`,
      'balance 1250.00 USD',
      '9 days overdue',
      '0 earlier contacts',
      'no promise',
      'no dispute',
      'decision: approved by alice',
      'edited (tone: a lighter touch)',
      `to ap@${N.toLowerCase()}.example`,
      `policy:   v${proposal.policyVersion}`,
      `promise to pay 1250.00 USD by ${promiseDate}`,
      'Closed as paid',
      'Replay today: deterministic',
    ])
      expect(text.stdout).toContain(fact);

    const json = await ar('explain', `invoice-${N}`, '--json', '--step', proposal.stepKey);
    expect(json.code, json.stderr).toBe(0);
    const e = JSON.parse(json.stdout);
    expect(e.actions[0].decision.by).toBe('alice');
    expect(e.replay.deterministic).toBe(true);

    const nope = await ar('explain', 'invoice-NOPE');
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain('no such workflow');
  });
});
