/**
 * The outreach delivery activity on a real database: the last gate before a message leaves (no-touch
 * wherever it is set) and the outbox's record of what the provider accepted. No Temporal server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createOutreachActivities, type DeliveryInput } from '../../outreach/activities';
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
