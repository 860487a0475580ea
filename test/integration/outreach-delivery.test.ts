/**
 * The outreach delivery activity on a real database: the last gate before a message leaves (no-touch
 * wherever it is set) and the outbox's record of what the provider accepted. No Temporal server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createOutreachActivities } from '../../outreach/activities';
import type { DeliveryInput } from '../../outreach/delivery';
import { createDevLogSender, type EmailSender } from '../../outreach/channels/email';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { DEFAULT_POLICY } from '../../domain/policy';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

function activities(email: EmailSender = createDevLogSender(() => {})) {
  return createOutreachActivities({ db: t.db, ledger: createBuiltinLedger(t.db), email, emailFrom: 'ar@example.com' });
}

function delivery(customerId: string, invoiceNumbers: string[]): DeliveryInput {
  return {
    outboxKey: `outreach-${customerId}/invoice-${invoiceNumbers[0]}/overdue-7`,
    customerId,
    subject: `Reminder: ${invoiceNumbers.join(', ')}`,
    body: 'Please pay.',
    requests: invoiceNumbers.map((n) => ({
      requestId: `invoice-${n}/overdue-7`,
      invoiceWorkflowId: `invoice-${n}`,
      invoiceNumber: n,
      reasoning: 'r',
      policyVersion: 1,
      approvedBy: 'alice',
      edited: false,
      tone: 'friendly' as const,
    })),
  };
}

const outbox = (customerId: string) => t.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.customerId, customerId));

describe('deliverEmail: no-touch stops a queued send wherever it is set (issue 13, defect 9a)', () => {
  it('the invoice flag, the policy lists of customers and of invoices each suppress the message', async () => {
    await seedCustomer(t.db, { id: 'DV1' });
    await seedInvoice(t.db, { number: 'DV1-1', customerId: 'DV1', amountMinor: 1000, dueDate: '2026-01-01' });
    await seedInvoice(t.db, { number: 'DV1-2', customerId: 'DV1', amountMinor: 1000, dueDate: '2026-01-01', noTouch: true });
    await seedCustomer(t.db, { id: 'DV2' });
    await seedInvoice(t.db, { number: 'DV2-1', customerId: 'DV2', amountMinor: 1000, dueDate: '2026-01-01' });
    await seedCustomer(t.db, { id: 'DV3' });
    await seedInvoice(t.db, { number: 'DV3-1', customerId: 'DV3', amountMinor: 1000, dueDate: '2026-01-01' });
    await seedInvoice(t.db, { number: 'DV3-2', customerId: 'DV3', amountMinor: 1000, dueDate: '2026-01-01' });
    await seedPolicy(t.db, { noTouch: { customers: ['DV2'], invoices: ['DV3-2'] } });

    const acts = activities();
    const flagged = await acts.deliverEmail(delivery('DV1', ['DV1-1', 'DV1-2']));
    expect(flagged).toMatchObject({ status: 'suppressed', to: null, detail: expect.stringMatching(/^no-touch invoice DV1-2:/) });
    const listed = await acts.deliverEmail(delivery('DV2', ['DV2-1']));
    expect(listed).toMatchObject({ status: 'suppressed', detail: 'the customer is no-touch: a person decides every contact' });
    const listedInvoice = await acts.deliverEmail(delivery('DV3', ['DV3-2']));
    expect(listedInvoice).toMatchObject({ status: 'suppressed', detail: expect.stringMatching(/^no-touch invoice DV3-2:/) });
    for (const c of ['DV1', 'DV2', 'DV3']) expect(await outbox(c)).toHaveLength(0);
    const audit = await t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'reminder_suppressed'));
    expect(audit.map((a) => a.invoiceNumber).sort()).toEqual(['DV1-1', 'DV1-2', 'DV2-1', 'DV3-2']);

    // An invoice of the same customer that nothing flags still goes out.
    const ok = await acts.deliverEmail(delivery('DV3', ['DV3-1']));
    expect(ok.status).toBe('logged');
    expect(await outbox('DV3')).toHaveLength(1);
    await seedPolicy(t.db, { noTouch: DEFAULT_POLICY.noTouch });
  });
});

describe('deliverEmail under the contact caps: the outbox row is claimed under the customer lock (issue 15)', () => {
  const caps = { maxContacts: 1, perDays: 7, minHoursApart: 0 };
  const at = '2026-03-02T10:00:00.000Z';

  it('two messages to one customer decided apart, claimed at the same moment: one goes out, the other is held back', async () => {
    await seedCustomer(t.db, { id: 'CL1' });
    await seedInvoice(t.db, { number: 'CL1-1', customerId: 'CL1', amountMinor: 1000, dueDate: '2026-01-01' });
    await seedInvoice(t.db, { number: 'CL1-2', customerId: 'CL1', amountMinor: 1000, dueDate: '2026-01-01' });
    const acts = activities();
    const results = await Promise.all(['CL1-1', 'CL1-2'].map((n) => acts.deliverEmail({ ...delivery('CL1', [n]), caps, contactAt: at })));
    expect(results.map((r) => r.status).sort()).toEqual(['capped', 'logged']);
    const capped = results.find((r) => r.status === 'capped')!;
    // The one held back learns the contact that holds it, and until when (a week after it).
    expect(capped.contactTimes).toEqual([Date.parse(at)]);
    expect(capped.detail).toBe('held by the contact caps until 2026-03-09T10:00:00.000Z');
    const rows = await outbox('CL1');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.contactAt?.toISOString()).toBe(at);
  });

  it('counts what the caps count: a failed row never reached the customer, and a contact outside the window is past', async () => {
    await seedCustomer(t.db, { id: 'CL2' });
    await seedInvoice(t.db, { number: 'CL2-1', customerId: 'CL2', amountMinor: 1000, dueDate: '2026-01-01' });
    const acts = activities();
    await t.db.insert(schema.emailOutbox).values([
      {
        idempotencyKey: 'cl2-failed',
        customerId: 'CL2',
        toAddress: 'x@example.com',
        subject: 's',
        body: 'b',
        invoiceNumbers: [],
        status: 'failed',
        contactAt: new Date('2026-03-01T10:00:00Z'),
      },
      {
        idempotencyKey: 'cl2-old',
        customerId: 'CL2',
        toAddress: 'x@example.com',
        subject: 's',
        body: 'b',
        invoiceNumbers: [],
        status: 'sent',
        contactAt: new Date('2026-02-20T10:00:00Z'),
      },
    ]);
    const result = await acts.deliverEmail({ ...delivery('CL2', ['CL2-1']), caps, contactAt: at });
    expect(result.status).toBe('logged');
    // A retry of a message already claimed goes on with its row, whatever the count says now.
    const again = await acts.deliverEmail({ ...delivery('CL2', ['CL2-1']), caps, contactAt: at });
    expect(again.status).toBe('logged');
    expect(await outbox('CL2')).toHaveLength(3);
    // Without caps (inputs recorded before them) nothing is counted.
    await seedInvoice(t.db, { number: 'CL2-2', customerId: 'CL2', amountMinor: 1000, dueDate: '2026-01-01' });
    expect((await acts.deliverEmail(delivery('CL2', ['CL2-2']))).status).toBe('logged');
  });
});
