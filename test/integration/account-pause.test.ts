/**
 * An account pause is stored on the customer: an invoice that reaches the ledger while its account
 * is paused starts paused (no draft, nothing sent), and resuming the account resumes it with the
 * others. Real Temporal dev server, PostgreSQL, worker, sync and admin endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { invoiceWorkflowId } from '../../temporal/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';

let s: AdminStack;
const today = new Date().toISOString().slice(0, 10);
const CUSTOMER = 'C-AP-1';

beforeAll(async () => {
  s = await startAdminStack();
  await s.stack.seed.customer(s.stack.db, { id: CUSTOMER, tier: 'standard', email: 'ap@ap-1.example' });
  await s.stack.seed.invoice(s.stack.db, { number: 'AP-1', customerId: CUSTOMER, amountMinor: 70_000, dueDate: addDays(today, -3) });
  await s.syncWorkflows();
  await pendingFor('AP-1');
});
afterAll(async () => {
  await s?.close();
});

/** A pending proposal of this account's invoice (the stack's helper assumes one customer per invoice). */
const pendingFor = (n: string) =>
  waitFor(
    async () => {
      const r = await s.http('GET', `/api/approvals?customer=${CUSTOMER}`, { as: 'vic' });
      return (r.body.items as { invoice: { number: string } }[] | undefined)?.find((i) => i.invoice.number === n);
    },
    { tries: 600, what: `a pending proposal for ${n}` },
  );

const state = (n: string) => s.stack.env.client.workflow.getHandle(invoiceWorkflowId(n)).query(invoiceStateQuery);

/** The state once the workflow has made its first ledger read (status is no longer the skeleton's). */
async function settledState(n: string) {
  return waitFor(
    async () => {
      try {
        const st = await state(n);
        return st.currency !== 'XXX' ? st : null; // the skeleton's placeholder until the first read
      } catch {
        return null;
      }
    },
    { tries: 600, what: `the first ledger read of ${n}` },
  );
}

describe('an account pause stored on the customer', () => {
  it('an invoice arriving while the account is paused starts paused; resuming the account resumes it', async () => {
    const paused = await s.http('POST', `/api/customers/${CUSTOMER}/pause`, { as: 'ada', body: { reason: 'CFO call on Friday' } });
    expect(paused.status).toBe(200);
    expect(paused.body.invoices).toEqual([{ invoiceNumber: 'AP-1', outcome: 'paused' }]);
    const ledger = createBuiltinLedger(s.stack.db);
    expect((await ledger.getCustomer(CUSTOMER))!.accountPause).toMatchObject({ by: 'ada', reason: 'CFO call on Friday' });

    // A new invoice reaches the ledger and the sync starts its workflow: it starts paused.
    await s.stack.seed.invoice(s.stack.db, { number: 'AP-2', customerId: CUSTOMER, amountMinor: 30_000, dueDate: addDays(today, -5) });
    await s.syncWorkflows();
    const st = await settledState('AP-2');
    expect(st).toMatchObject({ status: 'paused', pausedBy: 'ada', pendingProposal: null });
    expect(st.actions.find((a) => a.kind === 'paused')?.detail).toMatch(/^account paused since .+: CFO call on Friday$/);
    // Filterable as paused, like the invoices the pause reached directly.
    await waitFor(
      async () =>
        (await s.stack.env.client.workflow.count(`ArCustomerId = "${CUSTOMER}" AND ArStatus = "paused"`)).count === 2 ? true : null,
      { tries: 300, what: 'both invoices of the account with ArStatus = "paused"' },
    );
    const approvals = await s.http('GET', `/api/approvals?customer=${CUSTOMER}`, { as: 'vic' });
    expect(approvals.body.items).toEqual([]);

    // Resuming the account clears the stored pause and resumes both, the late arrival included.
    const resumed = await s.http('POST', `/api/customers/${CUSTOMER}/resume`, { as: 'ada', body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.body.invoices.map((i: { outcome: string }) => i.outcome)).toEqual(['resumed', 'resumed']);
    expect((await ledger.getCustomer(CUSTOMER))!.accountPause).toBeNull();
    expect((await state('AP-2')).pausedBy).toBeNull();
    await pendingFor('AP-2');

    // After the resume a new invoice starts unpaused.
    await s.stack.seed.invoice(s.stack.db, { number: 'AP-3', customerId: CUSTOMER, amountMinor: 20_000, dueDate: addDays(today, -4) });
    await s.syncWorkflows();
    expect((await settledState('AP-3')).pausedBy).toBeNull();
    await pendingFor('AP-3');
  });

  it('a pause or resume of an unknown customer is a 404 and stores nothing', async () => {
    const res = await s.http('POST', '/api/customers/C-NOBODY/pause', { as: 'ada', body: { reason: 'x' } });
    expect(res.status).toBe(404);
    expect((await s.http('POST', '/api/customers/C-NOBODY/resume', { as: 'ada', body: {} })).status).toBe(404);
  });
});
