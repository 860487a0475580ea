/**
 * Records the replay fixtures: real histories of each workflow type, produced by driving real
 * scenarios on the time-skipping server. Run `npm run record:histories` after a deliberate,
 * patched() change of workflow code. Keep the old recordings beside the new ones, renamed
 * `<workflow id>.vN.json`: running workflows may still have histories like them.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import {
  decideProposalUpdate,
  disputeOpenedUpdate,
  disputeResolvedUpdate,
  invoiceStateQuery,
  paymentAppliedUpdate,
} from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { serverToday, waitFor } from '../../dev/harness/wait';

const OUT = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

async function decideEach(
  stack: TestStack,
  workflowId: string,
  decide: (stepKey: string) => 'approve' | 'edit' | 'reject' | 'stop',
): Promise<number> {
  const h = stack.env.client.workflow.getHandle(workflowId);
  let decided = 0;
  let last = '';
  for (;;) {
    const p = await waitFor(
      async () => {
        const s = await h.query(invoiceStateQuery);
        if (s.status === 'handed_off') return { done: true as const };
        return s.pendingProposal && s.pendingProposal.id !== last ? { done: false as const, p: s.pendingProposal } : null;
      },
      { env: stack.env, advance: '6 hours', tries: 400, what: `proposal on ${workflowId}` },
    );
    if (p.done) return decided;
    last = p.p.id;
    const how = decide(p.p.stepKey);
    if (how === 'stop') return decided;
    await h.executeUpdate(decideProposalUpdate, {
      args: [
        how === 'reject'
          ? { proposalId: p.p.id, decision: 'reject', by: 'carol', reason: 'customer called yesterday' }
          : {
              proposalId: p.p.id,
              decision: 'approve',
              by: 'alice',
              ...(how === 'edit' ? { edits: { body: `${p.p.body}\n\nP.S. Our bank details changed on 1 November.` } } : {}),
            },
      ],
    });
    decided++;
  }
}

export async function recordHistories(): Promise<Record<string, number>> {
  const stack = await startTestStack({ timeSkipping: true });
  const lengths: Record<string, number> = {};
  try {
    const { db, env, taskQueue } = stack;
    const today = await serverToday(env);
    const ledger = createBuiltinLedger(db);
    await stack.seed.customer(db, { id: 'R1', name: 'Replay Foods', tier: 'standard', timezone: 'America/New_York' });
    await stack.seed.invoice(db, { number: 'R-100', customerId: 'R1', amountMinor: 250_000, dueDate: addDays(today, 5) });
    await stack.seed.invoice(db, { number: 'R-200', customerId: 'R1', amountMinor: 80_000, dueDate: addDays(today, 5) });

    // 1. The full 45-day ladder with approvals, an edit and a rejection, hand-off, then paid.
    const full = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-R-100',
      taskQueue,
      args: [{ invoiceNumber: 'R-100', customerId: 'R1' }],
    });
    // 2. A dispute that turns out invalid, then payment.
    const disputed = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-R-200',
      taskQueue,
      args: [{ invoiceNumber: 'R-200', customerId: 'R1' }],
    });

    // 3. A late start: imported 20 days overdue, it acts at its current stage at once.
    await stack.seed.customer(db, { id: 'R2', name: 'Late Starts Ltd', tier: 'small' });
    await stack.seed.invoice(db, { number: 'R-300', customerId: 'R2', amountMinor: 45_000, dueDate: addDays(today, -20) });
    const late = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-R-300',
      taskQueue,
      args: [{ invoiceNumber: 'R-300', customerId: 'R2' }],
    });
    const lateProposal = await waitFor(async () => (await late.query(invoiceStateQuery)).pendingProposal, {
      env,
      advance: '1 hour',
      what: 'R-300 proposal',
    });
    await late.executeUpdate(decideProposalUpdate, { args: [{ proposalId: lateProposal.id, decision: 'approve', by: 'alice' }] });
    await waitFor(async () => (await late.query(invoiceStateQuery)).actions.some((a) => a.kind === 'reminder_logged'), {
      env,
      advance: '1 hour',
      what: 'R-300 delivery',
    });
    await db.insert(schema.payments).values({ id: 'PAY-R-300', customerId: 'R2', amountMinor: 45_000, currency: 'USD', receivedOn: today });
    await ledger.postPaymentApplication({
      paymentId: 'PAY-R-300',
      invoiceNumber: 'R-300',
      amountMinor: 45_000,
      currency: 'USD',
      appliedBy: 'recorder',
    });
    await late.executeUpdate(paymentAppliedUpdate, {
      args: [{ paymentId: 'PAY-R-300', amountMinor: 45_000, currency: 'USD', by: 'recorder' }],
    });
    // Not late.result(): awaiting a result lets the test server skip ahead to the next timer anywhere.
    await waitFor(async () => (await late.describe()).status.name === 'COMPLETED', { what: 'R-300 closed' });

    const firstOfR200 = await waitFor(async () => (await disputed.query(invoiceStateQuery)).pendingProposal, {
      env,
      advance: '6 hours',
      what: 'R-200 proposal',
    });
    await disputed.executeUpdate(decideProposalUpdate, { args: [{ proposalId: firstOfR200.id, decision: 'approve', by: 'alice' }] });
    await disputed.executeUpdate(disputeOpenedUpdate, {
      args: [{ disputeId: 'D-R-200', reason: 'pricing', note: 'quoted 700', by: 'bob' }],
    });
    await env.sleep('3 days');
    await disputed.executeUpdate(disputeResolvedUpdate, {
      args: [{ outcome: 'invalid', note: 'price matches the signed quote', by: 'bob' }],
    });

    let n = 0;
    await decideEach(stack, 'invoice-R-100', (step) => (n++ === 1 ? 'reject' : step === 'overdue-7' ? 'edit' : 'approve'));

    for (const [number, wf, amount] of [
      ['R-100', full, 250_000],
      ['R-200', disputed, 80_000],
    ] as const) {
      await db
        .insert(schema.payments)
        .values({ id: `PAY-${number}`, customerId: 'R1', amountMinor: amount, currency: 'USD', receivedOn: today });
      await ledger.postPaymentApplication({
        paymentId: `PAY-${number}`,
        invoiceNumber: number,
        amountMinor: amount,
        currency: 'USD',
        appliedBy: 'recorder',
      });
      await wf.executeUpdate(paymentAppliedUpdate, {
        args: [{ paymentId: `PAY-${number}`, amountMinor: amount, currency: 'USD', by: 'recorder' }],
      });
      await wf.result();
    }

    mkdirSync(OUT, { recursive: true });
    for (const id of ['invoice-R-100', 'invoice-R-200', 'invoice-R-300', 'outreach-R1']) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      lengths[id] = history.events?.length ?? 0;
      writeFileSync(`${OUT}${id}.json`, historyToJSON(history));
    }
  } finally {
    await stack.close();
  }
  return lengths;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const lengths = await recordHistories();
  for (const [id, len] of Object.entries(lengths)) console.log(`${id}: ${len} events → test/fixtures/histories/${id}.json`);
}
