import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { decideProposalUpdate, invoiceStateQuery, type ProposalView } from '../../collections/messages';
import { outreachStateQuery } from '../../outreach/messages';
import { explainHistory } from '../../temporal/history-explain';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { serverToday, waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const todayUtc = () => serverToday(stack.env);

async function startInvoice(number: string, customerId: string, dueDate: string, amountMinor = 100_000) {
  await stack.seed.invoice(stack.db, { number, customerId, amountMinor, dueDate });
  return stack.env.client.workflow.start('invoiceWorkflow', {
    workflowId: `invoice-${number}`,
    taskQueue: stack.taskQueue,
    args: [{ invoiceNumber: number, customerId }],
  });
}

type Handle = Awaited<ReturnType<typeof startInvoice>>;

async function nextProposal(h: Handle, notId?: string): Promise<ProposalView> {
  return waitFor(
    async () => {
      const p = (await h.query(invoiceStateQuery)).pendingProposal;
      return p && p.id !== notId ? p : null;
    },
    { env: stack.env, advance: '2 hours', what: `proposal on ${h.workflowId}` },
  );
}

describe('customer outreach', () => {
  it('merges reminders of one customer due together into one email of the approved texts, edits included (issue 13, defect 9e)', async () => {
    const { db } = stack;
    await stack.seed.customer(db, { id: 'CM', name: 'Merge Co' });
    const due = addDays(await todayUtc(), 8);
    const handles = await Promise.all(['M-1', 'M-2', 'M-3'].map((n) => startInvoice(n, 'CM', due)));
    const proposals: ProposalView[] = [];
    for (const h of handles) proposals.push(await nextProposal(h));
    // Three approvals within the batch window, one of them edited.
    const edited = { subject: 'About M-1', body: 'Hi Pat,\n\nM-1 is due next week; the PO is on file.\n\nThanks,\nAR' };
    for (const [i, h] of handles.entries()) {
      await h.executeUpdate(decideProposalUpdate, {
        args: [{ proposalId: proposals[i]!.id, decision: 'approve', by: 'alice', ...(i === 0 ? { edits: edited } : {}) }],
      });
    }
    const rows = await waitFor(
      async () => {
        const r = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, 'CM'));
        return r.length > 0 ? r : null;
      },
      { env: stack.env, advance: '30 minutes', what: 'merged email' },
    );
    expect(rows).toHaveLength(1);
    expect([...rows[0]!.invoiceNumbers].sort()).toEqual(['M-1', 'M-2', 'M-3']);
    // Nothing re-worded: the message is the texts people approved, each exactly as approved.
    // In the order the hand-overs reached outreach, which approvals a moment apart do not fix.
    const approved = [edited, proposals[1]!, proposals[2]!];
    expect(rows[0]!.subject.split(' / ').sort()).toEqual(['About M-1', proposals[1]!.subject, proposals[2]!.subject].sort());
    expect(rows[0]!.body.split('\n\n----------------------------------------\n\n').sort()).toEqual(approved.map((p) => p.body).sort());
    expect(rows[0]!.body).not.toContain('Total now due: $3,000.00.');
    // The audit rows follow the outbox row (the next activity): wait for them, then count exactly.
    const sent = await waitFor(
      async () => {
        const r = (await db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_sent'))).filter(
          (a) => a.customerId === 'CM',
        );
        return r.length >= 3 ? r : null;
      },
      { env: stack.env, advance: '1 minute', what: 'the reminder_sent audit rows' },
    );
    expect(sent).toHaveLength(3);
    // Each invoice workflow learns it went out, batched with the others.
    const state = await waitFor(
      async () => {
        const s = await handles[0]!.query(invoiceStateQuery);
        return s.actions.some((a) => a.kind === 'reminder_logged') ? s : null;
      },
      { env: stack.env, advance: '10 minutes', what: 'delivery confirmation' },
    );
    expect(state.actions.find((a) => a.kind === 'reminder_logged')?.detail).toMatch(/with M-2, M-3/);
    // Its history explains what it read before sending.
    const story = explainHistory(await stack.env.client.workflow.getHandle('outreach-CM').fetchHistory())
      .map((s) => s.what)
      .join('\n');
    expect(story).toMatch(/read contact caps and send window/);
    expect(story).toMatch(/read the kill switch: sends flowing/);
  });

  it('holds contact caps across the customer’s invoices', async () => {
    const { db } = stack;
    await stack.seed.customer(db, { id: 'CC', name: 'Caps Co' });
    // Every hour is a send hour here, so only the caps can hold the second message back.
    await stack.seed.policy(db, { sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false } });
    // Due a day apart: their heads-ups are a day apart, closer than the 48-hour minimum gap.
    const a = await startInvoice('K-1', 'CC', addDays(await todayUtc(), 8));
    const b = await startInvoice('K-2', 'CC', addDays(await todayUtc(), 9));
    const pa = await nextProposal(a);
    await a.executeUpdate(decideProposalUpdate, { args: [{ proposalId: pa.id, decision: 'approve', by: 'alice' }] });
    const pb = await nextProposal(b);
    await b.executeUpdate(decideProposalUpdate, { args: [{ proposalId: pb.id, decision: 'approve', by: 'bob' }] });
    // K-1 goes out at once from its hand-over; K-2, held back by the caps, waits in outreach-CC.
    const rows = await waitFor(
      async () => {
        const r = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, 'CC'));
        return r.length >= 2 ? r.sort((x, y) => x.id - y.id) : null;
      },
      { env: stack.env, advance: '6 hours', what: 'two contacts' },
    );
    // The caps' clock: when each was claimed, on the workflows' (the Temporal server's) time.
    const gapHours = (rows[1]!.contactAt!.getTime() - rows[0]!.contactAt!.getTime()) / 3_600_000;
    expect(gapHours).toBeGreaterThanOrEqual(48);
    expect(rows.map((r) => r.invoiceNumbers)).toEqual([['K-1'], ['K-2']]);
    // Outreach learned K-1's contact from the outbox when its claim was refused: its state shows both.
    const contacts = (await stack.env.client.workflow.getHandle('outreach-CC').query(outreachStateQuery)).recentContacts;
    expect(contacts).toHaveLength(2);
    expect(Date.parse(contacts[1]!) - Date.parse(contacts[0]!)).toBeGreaterThanOrEqual(48 * 3_600_000);
  });
});
