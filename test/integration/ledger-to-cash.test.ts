/**
 * A small ledger end to end on the Temporal dev server and PostgreSQL: import the CSVs, sync,
 * find the workflows by their search attributes, approve a draft, see the email in the outbox,
 * pay in the ledger and watch the sync end the workflow. Nothing mocked.
 */
import { eq, inArray } from 'drizzle-orm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { publishAndFanOut } from '../../policy/publishing';
import { waitForPolicyFanOut } from '../../dev/harness/policy-fanout';
import { currentPolicy } from '../../policy/store';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { importFile } from '../../ledger/import/run';
import { decideProposalUpdate, invoiceStateQuery, paymentAppliedUpdate } from '../../collections/messages';
import { outreachStateQuery } from '../../outreach/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

const FIXTURES = fileURLToPath(new URL('../fixtures/ledger/', import.meta.url));
let stack: TestStack;

/** Send at any hour on any day: the dev server runs on the wall clock, and these tests must not depend on it. */
const ANY_HOUR = { startHour: 0, endHour: 24, businessDaysOnly: false };

beforeAll(async () => {
  stack = await startTestStack();
  for (const kind of ['customers', 'invoices', 'payments'] as const) {
    const r = await importFile(stack.db, kind, path.join(FIXTURES, `${kind}.csv`));
    expect(r.issues).toEqual([]);
    expect(r.committed).toBe(true);
  }
  await stack.seed.policy(stack.db, { sendWindow: ANY_HOUR });
});

/** A fixed-offset zone where it is now about 02:00, so a 09:00–17:00 send window is hours away. */
function zoneWhereItIsNight(now = new Date()): string {
  // Etc/GMT+N is N hours *behind* UTC (POSIX sign); N runs from -14 to +12.
  for (let n = -14; n <= 12; n++) {
    if ((((now.getUTCHours() - n) % 24) + 24) % 24 === 2) return `Etc/GMT${n >= 0 ? '+' : '-'}${Math.abs(n)}`;
  }
  throw new Error('unreachable: the offsets cover every hour');
}
afterAll(async () => {
  await stack?.close();
});

describe('ledger to cash, end to end', () => {
  it('syncs one workflow per open invoice, idempotently, filterable by search attributes', async () => {
    const { db, env, taskQueue } = stack;
    const ledger = createBuiltinLedger(db);
    const open = await db
      .select()
      .from(schema.invoices)
      .where(inArray(schema.invoices.status, ['open', 'disputed']));
    const first = await syncInvoiceWorkflows(env.client, db, ledger, { taskQueue });
    expect(first.started).toBe(open.length);
    const again = await syncInvoiceWorkflows(env.client, db, ledger, { taskQueue });
    expect(again.started).toBe(0);
    expect(again.alreadyRunning).toBe(open.length);

    // Visibility is eventually consistent: poll until every workflow has published a proposal or a plan.
    const awaiting = await waitFor(
      async () => {
        const n = (await env.client.workflow.count(`WorkflowType = "invoiceWorkflow" AND ArAwaitingApproval = true`)).count;
        return n > 0 ? n : null;
      },
      { tries: 300, what: 'workflows awaiting approval in visibility' },
    );
    expect(awaiting).toBeGreaterThan(0);
    const byCustomer = await waitFor(
      async () => {
        const ids: string[] = [];
        for await (const w of env.client.workflow.list({ query: `ArCustomerId = "C001" AND ExecutionStatus = "Running"` }))
          ids.push(w.workflowId);
        return ids.length ? ids : null;
      },
      { tries: 100, what: 'list by customer' },
    );
    const c001 = open.filter((i) => i.customerId === 'C001').map((i) => `invoice-${i.number}`);
    expect(byCustomer.sort()).toEqual(c001.sort());
  });

  it('approves a draft, delivers it, and closes the invoice when the ledger records payment', async () => {
    const { db, env, taskQueue } = stack;
    const ledger = createBuiltinLedger(db);
    const [inv] = await db.select().from(schema.invoices).where(eq(schema.invoices.customerId, 'C001'));
    const h = env.client.workflow.getHandle(`invoice-${inv!.number}`);
    const proposal = await waitFor(async () => (await h.query(invoiceStateQuery)).pendingProposal, { tries: 300, what: 'proposal' });
    const outcome = await h.executeUpdate(decideProposalUpdate, { args: [{ proposalId: proposal.id, decision: 'approve', by: 'alice' }] });
    expect(outcome.outcome).toBe('approved');
    // The outreach batches for an hour on the real clock; the proposal row and audit show the decision now.
    const [row] = await db.select().from(schema.proposals).where(eq(schema.proposals.id, proposal.id));
    expect(row?.status).toBe('approved');
    expect(row?.decidedBy).toBe('alice');

    // The ledger records a payment of the whole balance (as cash application would); the sync notices.
    await db
      .insert(schema.payments)
      .values({ id: 'PAY-E2E', customerId: 'C001', receivedOn: '2026-11-20', currency: inv!.currency, amountMinor: inv!.openMinor });
    await ledger.postPaymentApplication({
      paymentId: 'PAY-E2E',
      invoiceNumber: inv!.number,
      amountMinor: inv!.openMinor,
      currency: inv!.currency,
      appliedBy: 'test',
    });
    const r = await syncInvoiceWorkflows(env.client, db, ledger, { taskQueue });
    expect(r.ended).toBe(1);
    const result = await h.result();
    expect(result.status).toBe('paid');
    expect((await h.describe()).status.name).toBe('COMPLETED');
    // Nothing is sent for a paid invoice: the approved reminder still waiting in outreach was withdrawn.
    const outreach = await env.client.workflow.getHandle('outreach-C001').query(outreachStateQuery);
    expect(outreach.queued).not.toContain(`invoice-${inv!.number}/${proposal.stepKey}`);
    const sent = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, 'C001'));
    expect(sent.filter((s) => (s.invoiceNumbers as string[]).includes(inv!.number))).toHaveLength(0);
  });

  it('a payment message for another currency is refused before it touches the workflow', async () => {
    const { db, env } = stack;
    const [inv] = await db.select().from(schema.invoices).where(eq(schema.invoices.customerId, 'C002'));
    const h = env.client.workflow.getHandle(`invoice-${inv!.number}`);
    await waitFor(async () => (await h.query(invoiceStateQuery)).policyVersion > 0, { tries: 100, what: 'loaded' });
    const other = inv!.currency === 'USD' ? 'EUR' : 'USD';
    await expect(
      h.executeUpdate(paymentAppliedUpdate, { args: [{ paymentId: 'X', amountMinor: 100, currency: other, by: 'test' }] }),
    ).rejects.toThrow();
    const s = await h.query(invoiceStateQuery);
    expect(s.openMinor).toBe(inv!.openMinor);
  });

  it('a published policy reaches sleeping workflows at once: they re-plan with the new version', async () => {
    const { db, env, taskQueue } = stack;
    const { version: _v, ...body } = await currentPolicy(db);
    // Business hours, every day; an account where it is the middle of the night waits for them.
    const hours = await publishAndFanOut(
      env.client,
      db,
      { ...body, sendWindow: { startHour: 9, endHour: 17, businessDaysOnly: false } },
      { note: 'test: business hours', createdBy: 'test', taskQueue },
    );
    await stack.seed.customer(db, { id: 'C-NIGHT', timezone: zoneWhereItIsNight() });
    await stack.seed.invoice(db, { number: 'INV-NIGHT', customerId: 'C-NIGHT', amountMinor: 70_000, dueDate: '2025-06-01' });
    await syncInvoiceWorkflows(env.client, db, createBuiltinLedger(db), { taskQueue });
    const h = env.client.workflow.getHandle('invoice-INV-NIGHT');
    const before = await waitFor(
      async () => {
        const s = await h.query(invoiceStateQuery);
        return s.policyVersion === hours.policy.version && s.nextStep ? s : null;
      },
      { tries: 300, what: 'INV-NIGHT sleeping until business hours' },
    );
    expect(before.pendingProposal).toBeNull();
    expect(Date.parse(before.nextStep!.at) - Date.now()).toBeGreaterThan(5 * 3600_000);

    // The new version sends at any hour.
    const r = await publishAndFanOut(
      env.client,
      db,
      { ...body, sendWindow: ANY_HOUR },
      { note: 'test: send at any hour', createdBy: 'test', taskQueue },
    );
    // Told in the background: the fan-out signals every running invoice workflow, this one among them.
    expect((await waitForPolicyFanOut(env.client, r.policy.version)).counts.invoices).toBeGreaterThan(0);
    // Woken by the signal, it re-reads the policy and acts now instead of at the old planned time.
    const after = await waitFor(
      async () => {
        const s = await h.query(invoiceStateQuery);
        return s.pendingProposal?.policyVersion === r.policy.version ? s : null;
      },
      { tries: 300, what: 'a proposal under the new version' },
    );
    expect(after.policyVersion).toBe(r.policy.version);
    expect(Date.parse(after.pendingProposal!.proposedAt)).toBeLessThan(Date.parse(before.nextStep!.at));
    // A policy that breaks the rules is refused before anything is stored or signalled.
    await expect(
      publishAndFanOut(
        env.client,
        db,
        { ...body, contactCaps: { maxContacts: 0, perDays: 7, minHoursApart: 48 } },
        { note: 'bad', createdBy: 'test', taskQueue },
      ),
    ).rejects.toThrow();
    expect((await currentPolicy(db)).version).toBe(r.policy.version);
  });
});
