/**
 * `npm run bench:lifecycle`: how many history events one invoice's life costs.
 *
 * On the time-skipping test server (dev/harness), a strategic-tier invoice due in 3 days lives 45
 * days: the three reminders of its ladder (heads-up, overdue-7, overdue-21), each approved by a
 * person and sent at once from the invoice's hand-over (or by the customer's outreach workflow when
 * it must wait: the send window, the caps), the hand-off to a collector (due + 35),
 * then paid in full on day 45. Prints the events of the invoice
 * and of the outreach workflow by event type, and the total per lifecycle (the figure issue 15
 * targets at ≤ 150). BENCH_LIFECYCLES (default 1) runs that many invoices, one customer each.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { decideProposalUpdate, invoiceStateQuery, paymentAppliedUpdate } from '../../collections/messages';
import { startTestStack } from '../harness/stack';
import { historyOrNone } from '../harness/history-or-none';
import { serverToday, waitFor } from '../harness/wait';

const N = Number(process.env.BENCH_LIFECYCLES ?? 1);
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/histories/', import.meta.url));
const REMINDERS = 3;

Runtime.install({ logger: new DefaultLogger('WARN') });

type Counts = Map<string, number>;

/** The event's type, from the one `…EventAttributes` field it carries: activityTaskScheduledEventAttributes → ActivityTaskScheduled. */
function typeName(e: object): string {
  const key = Object.entries(e).find(([k, v]) => k.endsWith('EventAttributes') && v != null)?.[0] ?? 'unknown';
  const name = key.replace(/EventAttributes$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** What an activity or timer event is about, for the trace. */
function summaryOf(e: {
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  timerStartedEventAttributes?: { startToFireTimeout?: { seconds?: unknown } | null } | null;
}): string {
  const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
  if (activity) return ` ${activity}`;
  const timer = e.timerStartedEventAttributes?.startToFireTimeout?.seconds;
  return timer !== undefined ? ` ${String(timer)} s` : '';
}

const stack = await startTestStack({ timeSkipping: true });
try {
  const { db, env, taskQueue } = stack;
  const today = await serverToday(env);
  const ledger = createBuiltinLedger(db);
  const perWorkflow = { invoice: new Map() as Counts, outreach: new Map() as Counts };
  const totals = { invoice: 0, outreach: 0 };
  for (let i = 1; i <= N; i++) {
    const customerId = `L${i}`;
    const number = `LIFE-${i}`;
    await stack.seed.customer(db, { id: customerId, tier: 'strategic', timezone: 'America/New_York' });
    await stack.seed.invoice(db, { number, customerId, amountMinor: 120_000, dueDate: addDays(today, 3) });
    const h = await env.client.workflow.start('invoiceWorkflow', {
      workflowId: `invoice-${number}`,
      taskQueue,
      args: [{ invoiceNumber: number, customerId }],
    });
    // The time-skipping test server answers a query that arrives during the first workflow task with
    // an extra, empty task (attempt 2) that the dev server and a cluster do not record: look only
    // once that task is done (describe() does not touch the workflow).
    await waitFor(async () => (await h.describe()).historyLength >= 4, { what: `${number}'s first workflow task` });
    let last = '';
    for (let r = 0; r < REMINDERS; r++) {
      const p = await waitFor(
        async () => {
          const s = await h.query(invoiceStateQuery);
          return s.pendingProposal && s.pendingProposal.id !== last ? s.pendingProposal : null;
        },
        { env, advance: '6 hours', tries: 400, what: `proposal ${r + 1} on ${number}` },
      );
      last = p.id;
      await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'alice' }] });
      await waitFor(async () => (await h.query(invoiceStateQuery)).actions.filter((a) => a.kind === 'reminder_logged').length > r, {
        env,
        advance: '30 minutes',
        tries: 400,
        what: `reminder ${r + 1} of ${number} delivered`,
      });
    }
    // Paid on day 45 of its life: sleep to then (the hand-off passes meanwhile).
    const paidOn = addDays(today, 45);
    const untilPaid = Date.parse(`${paidOn}T12:00:00Z`) - Date.now();
    if (untilPaid > 0) await env.sleep(untilPaid);
    await db.insert(schema.payments).values({ id: `PAY-${number}`, customerId, amountMinor: 120_000, currency: 'USD', receivedOn: paidOn });
    await ledger.postPaymentApplication({
      paymentId: `PAY-${number}`,
      invoiceNumber: number,
      amountMinor: 120_000,
      currency: 'USD',
      appliedBy: 'bench',
    });
    await h.executeUpdate(paymentAppliedUpdate, {
      args: [{ paymentId: `PAY-${number}`, amountMinor: 120_000, currency: 'USD', by: 'bench' }],
    });
    await waitFor(async () => (await h.describe()).status.name === 'COMPLETED', { what: `${number} closed` });

    for (const [kind, id] of [
      ['invoice', `invoice-${number}`],
      ['outreach', `outreach-${customerId}`],
    ] as const) {
      // No outreach workflow when every reminder went out at once from the invoice's hand-over.
      const history = await historyOrNone(env.client, id);
      if (!history) continue;
      const events = history.events ?? [];
      // BENCH_LIFECYCLE_RECORD=1 keeps the first lifecycle's histories as replay fixtures (new names:
      // invoice-LIFE-1.json, outreach-L1.json), so the replay suite covers the lean path too.
      if (process.env.BENCH_LIFECYCLE_RECORD === '1' && i === 1)
        writeFileSync(`${process.env.BENCH_LIFECYCLE_DIR ?? FIXTURES}${id}.json`, historyToJSON(history));
      // BENCH_LIFECYCLE_TRACE=1 prints each history's event types in order (what to look at when trimming).
      if (process.env.BENCH_LIFECYCLE_TRACE === '1' && i === 1)
        console.log(`\n${id}:\n${events.map((e, n) => `${n + 1} ${typeName(e)}${summaryOf(e)}`).join('\n')}`);
      totals[kind] += events.length;
      for (const e of events) perWorkflow[kind].set(typeName(e), (perWorkflow[kind].get(typeName(e)) ?? 0) + 1);
    }
  }

  const perLifecycle = (n: number) => (n / N).toFixed(1).padStart(7);
  const types = [...new Set([...perWorkflow.invoice.keys(), ...perWorkflow.outreach.keys()])].sort(
    (a, b) =>
      (perWorkflow.invoice.get(b) ?? 0) +
      (perWorkflow.outreach.get(b) ?? 0) -
      (perWorkflow.invoice.get(a) ?? 0) -
      (perWorkflow.outreach.get(a) ?? 0),
  );
  console.log(`\n${N} lifecycle(s): 45 days, ${REMINDERS} reminders each approved, then paid; events per lifecycle`);
  console.log(`${'event type'.padEnd(44)} invoice outreach   total`);
  for (const t of types) {
    const a = perWorkflow.invoice.get(t) ?? 0;
    const b = perWorkflow.outreach.get(t) ?? 0;
    console.log(`${t.padEnd(44)} ${perLifecycle(a)} ${perLifecycle(b)} ${perLifecycle(a + b)}`);
  }
  console.log(
    `${'all events'.padEnd(44)} ${perLifecycle(totals.invoice)} ${perLifecycle(totals.outreach)} ${perLifecycle(totals.invoice + totals.outreach)}`,
  );
} finally {
  await stack.close();
}
