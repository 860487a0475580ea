/**
 * The batch window waits only as long as another reminder of the customer is due (issue 14,
 * item 5), on the time-skipping server with real workflows and PostgreSQL: a customer's only
 * reminder goes out at once after approval; with another invoice's draft waiting for a person, the
 * first approved reminder waits the window and the second joins it in one email.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProposalUpdate, invoiceStateQuery, type ProposalView } from '../../collections/messages';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { serverToday, waitFor } from '../../dev/harness/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
  // Any hour, no caps in the way, the default hour-long batch window.
  await stack.seed.policy(stack.db, {
    sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
    contactCaps: { maxContacts: 100, perDays: 1, minHoursApart: 0 },
    batchWindowMinutes: 60,
  });
});
afterAll(async () => {
  await stack?.close();
});

async function startInvoice(number: string, customerId: string, dueDate: string) {
  await stack.seed.invoice(stack.db, { number, customerId, amountMinor: 100_000, dueDate });
  return stack.env.client.workflow.start('invoiceWorkflow', {
    workflowId: `invoice-${number}`,
    taskQueue: stack.taskQueue,
    args: [{ invoiceNumber: number, customerId }],
  });
}
type Handle = Awaited<ReturnType<typeof startInvoice>>;

const proposalOf = (h: Handle): Promise<ProposalView> =>
  waitFor(async () => (await h.query(invoiceStateQuery)).pendingProposal, {
    env: stack.env,
    advance: '2 hours',
    what: `proposal on ${h.workflowId}`,
  });
const approve = (h: Handle, p: ProposalView) =>
  h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
const outbox = (customerId: string) => stack.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, customerId));

describe('outreach batch window', () => {
  it("sends a customer's only reminder at once: nothing else of theirs is due inside the window", async () => {
    await stack.seed.customer(stack.db, { id: 'CBW1', name: 'Alone Co' });
    const h = await startInvoice('BW-1', 'CBW1', addDays(await serverToday(stack.env), -3));
    await approve(h, await proposalOf(h));
    const approvedAt = await stack.env.currentTimeMs();
    // No time is skipped here: the whole hour's timer would never fire, and this would time out.
    const [row] = await waitFor(async () => ((await outbox('CBW1')).length ? outbox('CBW1') : null), { tries: 300, what: 'the email' });
    expect(row!.invoiceNumbers).toEqual(['BW-1']);
    expect((await stack.env.currentTimeMs()) - approvedAt).toBeLessThan(5 * 60_000);
  });

  it('waits the window while another invoice of the customer has a draft waiting for a person, and sends both in one email', async () => {
    await stack.seed.customer(stack.db, { id: 'CBW2', name: 'Pair Co' });
    const due = addDays(await serverToday(stack.env), -3);
    const [a, b] = await Promise.all([startInvoice('BW-2A', 'CBW2', due), startInvoice('BW-2B', 'CBW2', due)]);
    const [pa, pb] = [await proposalOf(a!), await proposalOf(b!)];
    await approve(a!, pa);
    await stack.env.sleep('30 minutes');
    expect(await outbox('CBW2')).toEqual([]);
    await approve(b!, pb);
    const rows = await waitFor(async () => ((await outbox('CBW2')).length ? outbox('CBW2') : null), {
      env: stack.env,
      advance: '10 minutes',
      what: 'the merged email',
    });
    expect(rows).toHaveLength(1);
    expect([...rows[0]!.invoiceNumbers].sort()).toEqual(['BW-2A', 'BW-2B']);
  });
});
