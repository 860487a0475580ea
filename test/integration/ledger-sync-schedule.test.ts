/**
 * The ar-ledger-sync schedule on the real stack (dev server, PostgreSQL, worker): with no `ar
 * sync`, an invoice that reaches the ledger gets its workflow within the interval, and a payment
 * recorded in the ledger (not sent to the workflow) reaches its workflow, which re-reads the
 * balance. Registering the schedule again keeps one schedule and adopts the new interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { ensureLedgerSyncSchedule, LEDGER_SYNC_SCHEDULE_ID } from '../../collections/sync-schedule';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { invoiceWorkflowId } from '../../temporal/client';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';

const INTERVAL_SECONDS = 10;
let s: TestStack;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  s = await startTestStack();
  await s.seed.customer(s.db, { id: 'C-SCH-1', tier: 'standard' });
});
afterAll(async () => {
  await s.env.client.schedule
    .getHandle(LEDGER_SYNC_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await s?.close();
});

const state = (n: string) => s.env.client.workflow.getHandle(invoiceWorkflowId(n)).query(invoiceStateQuery);

describe('the ar-ledger-sync schedule', () => {
  it('starts the workflow of a new invoice within the interval, and carries a ledger payment to a running one', async () => {
    expect(await ensureLedgerSyncSchedule(s.env.client, { taskQueue: s.taskQueue, intervalSeconds: 60 })).toMatchObject({ created: true });
    // Registered again with another interval: the same schedule, the new interval.
    expect(await ensureLedgerSyncSchedule(s.env.client, { taskQueue: s.taskQueue, intervalSeconds: INTERVAL_SECONDS })).toEqual({
      created: false,
      intervalSeconds: INTERVAL_SECONDS,
    });
    const described = await s.env.client.schedule.getHandle(LEDGER_SYNC_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(INTERVAL_SECONDS * 1000);
    expect(described.action).toMatchObject({ workflowType: 'ledgerSyncWorkflow', args: [{ lookbackSeconds: 2 * INTERVAL_SECONDS }] });

    // A new invoice, due in 20 days (its workflow sleeps): nobody runs a sync.
    await s.seed.invoice(s.db, { number: 'SCH-1', customerId: 'C-SCH-1', amountMinor: 90_000, dueDate: addDays(today, 20) });
    const seededAt = Date.now();
    const first = await waitFor(
      async () => {
        try {
          const st = await state('SCH-1');
          return st.currency === 'USD' ? st : null;
        } catch {
          return null;
        }
      },
      { tries: 10 * (INTERVAL_SECONDS + 20), what: 'the workflow of SCH-1, started by the schedule' },
    );
    const waited = (Date.now() - seededAt) / 1000;
    console.info(
      `[ledger-sync] a new invoice got its workflow ${waited.toFixed(1)} s after it reached the ledger (interval ${INTERVAL_SECONDS} s)`,
    );
    expect(waited).toBeLessThan(INTERVAL_SECONDS + 15);
    expect(first.openMinor).toBe(90_000);

    // A payment recorded in the ledger only (an ERP import): the next scheduled sync tells the workflow to re-read.
    await createBuiltinLedger(s.db).receivePayment({
      paymentId: 'PAY-SCH-1',
      customerId: 'C-SCH-1',
      invoiceNumber: 'SCH-1',
      receivedOn: today,
      currency: 'USD',
      amountMinor: 40_000,
      reference: null,
      appliedBy: 'erp-import',
    });
    const paidAt = Date.now();
    await waitFor(async () => ((await state('SCH-1')).openMinor === 50_000 ? true : null), {
      tries: 10 * (INTERVAL_SECONDS + 20),
      what: 'the workflow of SCH-1 to see the ledger payment',
    });
    console.info(
      `[ledger-sync] a ledger payment reached its workflow ${((Date.now() - paidAt) / 1000).toFixed(1)} s after it was recorded`,
    );
    expect((await state('SCH-1')).status).toBe('open');
  });
});
