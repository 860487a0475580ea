/**
 * The decision path of issue 15 ('one-write-decisions': the loop writes the decision's row with
 * the hand-over to outreach, in one activity, and the Update answers once it is written; re-reads
 * as local activities): two people decide one proposal at the same moment. Exactly one decision
 * is taken and answered, with its row already written; the other is refused; one row, one audit
 * entry, one email. Then a history of that path still replays and explains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { schema } from '../../db/client';
import type { Decision } from '../../collections/message-schemas';
import { decideProposalUpdate } from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { explainInvoiceHistories } from '../../temporal/invoice-explain';
import { replay } from '../../temporal/replay';
import { actionSeen, nextProposal, outboxFor, pay, proposalsFor, startInvoice, waitForOutbox } from '../support/invoice';

const WORKFLOWS = fileURLToPath(new URL('../../apps/worker/workflows.ts', import.meta.url));

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

describe('invoice workflow: racing decisions on one proposal', () => {
  it('takes exactly one, refuses the other, and writes one row and one email', async () => {
    await stack.seed.customer(stack.db, { id: 'RACE' });
    const h = await startInvoice(stack, { number: 'RACE-1', customerId: 'RACE', dueInDays: 3 });
    const p = await nextProposal(stack, h);

    const decisions: Decision[] = [
      { proposalId: p.id, decision: 'approve', by: 'alice' },
      { proposalId: p.id, decision: 'reject', by: 'bob', reason: 'customer paid by phone' },
    ];
    const results = await Promise.allSettled(decisions.map((d) => h.executeUpdate(decideProposalUpdate, { args: [d] })));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason?.cause?.message ?? refused[0]!.reason)).toMatch(/already (approved|rejected) by (alice|bob)/);
    const winner = decisions[results.findIndex((r) => r.status === 'fulfilled')]!;

    // Answered once durable: the row already says who decided (no lag behind the answer).
    const rows = await proposalsFor(stack, 'RACE-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: p.id, status: winner.decision === 'approve' ? 'approved' : 'rejected', decidedBy: winner.by });
    const audits = await stack.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.invoiceNumber, 'RACE-1'), eq(schema.auditLog.idempotencyKey, `${p.id}/${rows[0]!.status}`)));
    expect(audits).toHaveLength(1);

    if (winner.decision === 'approve') {
      await waitForOutbox(stack, 'RACE', 1);
      await actionSeen(stack, h, 'reminder_logged');
    } else {
      await actionSeen(stack, h, 'proposal_rejected');
    }
    // A third decision, after the fact, is refused too; nothing more goes out.
    await expect(
      h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'carol' }] }),
    ).rejects.toThrow();
    await stack.env.sleep('2 hours');
    expect(await outboxFor(stack, 'RACE')).toHaveLength(winner.decision === 'approve' ? 1 : 0);
    expect(await proposalsFor(stack, 'RACE-1')).toHaveLength(1);
  });

  it('a history of this path replays deterministically and explains each step', async () => {
    await stack.seed.customer(stack.db, { id: 'LEAN' });
    // Open all day: the reminder is sent at once from its hand-over whatever the clock says.
    await stack.seed.policy(stack.db, { sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false } });
    const h = await startInvoice(stack, { number: 'LEAN-1', customerId: 'LEAN', dueInDays: 3 });
    const p = await nextProposal(stack, h);
    await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
    await waitForOutbox(stack, 'LEAN', 1);
    await actionSeen(stack, h, 'reminder_logged');
    await pay(stack, h, { paymentId: 'PAY-LEAN-1', invoiceNumber: 'LEAN-1', customerId: 'LEAN', amountMinor: 100_000 });
    await h.result();

    const history = await h.fetchHistory();
    // The new path is the one under test: its re-reads are local activity markers.
    expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(true);
    const report = await replay(history, h.workflowId, { workflowsPath: WORKFLOWS });
    expect(report.error ?? null).toBeNull();
    expect(report.deterministic).toBe(true);
    const story = report.steps.map((s) => s.what).join('\n');
    expect(story).toMatch(/re-read invoice LEAN-1 and its customer from the ledger/);
    expect(story).toMatch(new RegExp(`proposal ${p.id} approved by alice`));
    expect(story).toMatch(/hand-over of ".*" \(approved by alice\): sent at once, or through outreach-LEAN if it must wait/);
    expect(story).toMatch(/delivery of invoice-LEAN-1\/heads-up: logged/);

    const e = explainInvoiceHistories(h.workflowId, [history], []);
    expect(e.actions.map((a) => [a.stepKey, a.outcome])).toEqual([['heads-up', 'logged']]);
    expect(e.actions[0]!.decision).toMatchObject({ outcome: 'approved', by: 'alice' });
    expect(e.closed).toMatchObject({ status: 'paid' });

    // Sent at once: no outreach workflow was started for it (its story is outreach.test.ts's).
    await expect(stack.env.client.workflow.getHandle('outreach-LEAN').describe()).rejects.toThrow(/not found/);
  });
});
