/**
 * Issue 13, defect 9f: email idempotency rested on the provider's 24-hour key window alone, so a
 * send retried after a longer outage could go out twice. The outbox row now records the
 * provider's message id (and when it accepted it, and when the provider was first called), and
 * before a repeat the real delivery activity asks: accepted already (an id) → never again; first
 * attempt unanswered and past the window → not sent blind. Real activity, real PostgreSQL, a fake
 * provider at the channel boundary.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createOutreachActivities } from '../../outreach/activities';
import type { DeliveryInput } from '../../outreach/delivery';
import { fakeEmailProvider, type FakeEmailProvider } from '../support/fake-email-provider';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedPolicy(t.db);
});
afterAll(async () => {
  await t?.close();
});

const HOUR = 3_600_000;
const activities = (email: FakeEmailProvider) =>
  createOutreachActivities({ db: t.db, ledger: createBuiltinLedger(t.db), email, emailFrom: 'ar@example.com' });

async function customerWithInvoice(id: string): Promise<DeliveryInput> {
  await seedCustomer(t.db, { id, email: `ap@${id.toLowerCase()}.example` });
  await seedInvoice(t.db, { number: `${id}-1`, customerId: id, amountMinor: 50_000, dueDate: '2026-01-01' });
  return {
    outboxKey: `outreach-${id}/invoice-${id}-1/overdue-7`,
    customerId: id,
    subject: `Invoice ${id}-1 is overdue`,
    body: 'Please pay.',
    requests: [
      {
        requestId: `invoice-${id}-1/overdue-7`,
        invoiceWorkflowId: `invoice-${id}-1`,
        invoiceNumber: `${id}-1`,
        reasoning: 'overdue 7 days',
        policyVersion: 1,
        approvedBy: 'alice',
        edited: false,
        tone: 'firm',
      },
    ],
  };
}

const outboxRow = async (key: string) =>
  (await t.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.idempotencyKey, key)))[0]!;

describe("deliverEmail records the provider's message id and asks before a repeat (issue 13, defect 9f)", () => {
  it("records the provider's id, when it accepted and when it was first called", async () => {
    const provider = fakeEmailProvider();
    const input = await customerWithInvoice('OA1');
    const result = await activities(provider).deliverEmail(input);
    expect(result.status).toBe('sent');
    const row = await outboxRow(input.outboxKey);
    expect(row).toMatchObject({ status: 'sent', providerMessageId: 'msg_1' });
    expect(row.providerAcceptedAt).toBeInstanceOf(Date);
    expect(row.sendAttemptedAt).toBeInstanceOf(Date);
    expect(row.sendAttemptedAt!.getTime()).toBeLessThanOrEqual(row.providerAcceptedAt!.getTime());
  });

  it('never sends a message with a provider id again, even when its status write was lost', async () => {
    const provider = fakeEmailProvider();
    const input = await customerWithInvoice('OA2');
    await activities(provider).deliverEmail(input);
    // The status write lost (an outage right after the provider answered), and the window long past.
    await t.db.update(schema.emailOutbox).set({ status: 'failed' }).where(eq(schema.emailOutbox.idempotencyKey, input.outboxKey));
    provider.advance(48 * HOUR);
    const retried = await activities(provider).deliverEmail(input);
    expect(retried.status).toBe('sent');
    expect(provider.calls).toBe(1);
    expect(provider.delivered).toHaveLength(1);
    expect(await outboxRow(input.outboxKey)).toMatchObject({ status: 'sent', providerMessageId: 'msg_1' });
    // The contact is logged once in the ledger however often the activity ran.
    const contacts = await t.db.execute(sql`select count(*)::int as n from contact_log where invoice_number = 'OA2-1'`);
    expect(contacts.rows[0]).toEqual({ n: 1 });
  });

  it('repeats an unanswered first attempt inside the window with the same key: the provider sends it once', async () => {
    const provider = fakeEmailProvider();
    const input = await customerWithInvoice('OA3');
    provider.hangAfterAccepting();
    // The worker dies here: the provider accepted, the activity never heard back.
    void activities(provider).deliverEmail(input);
    await expect.poll(() => provider.calls).toBe(1);
    expect((await outboxRow(input.outboxKey)).providerMessageId).toBeNull();
    provider.advance(2 * HOUR);
    const retried = await activities(provider).deliverEmail(input);
    expect(retried.status).toBe('sent');
    expect(provider.calls).toBe(2);
    expect(provider.delivered).toHaveLength(1);
    expect(await outboxRow(input.outboxKey)).toMatchObject({ status: 'sent', providerMessageId: 'msg_1' });
  });

  it('does not repeat an unanswered first attempt past the window: it may have gone out, a person checks', async () => {
    const provider = fakeEmailProvider();
    const input = await customerWithInvoice('OA4');
    provider.hangAfterAccepting();
    void activities(provider).deliverEmail(input);
    await expect.poll(() => provider.calls).toBe(1);
    // The outage outlasted the provider's 24-hour key window: on both clocks, the row's and the provider's.
    await t.db
      .update(schema.emailOutbox)
      .set({ sendAttemptedAt: sql`now() - interval '25 hours'` })
      .where(eq(schema.emailOutbox.idempotencyKey, input.outboxKey));
    provider.advance(25 * HOUR);
    const retried = await activities(provider).deliverEmail(input);
    expect(retried.status).toBe('suppressed');
    expect(retried.detail).toMatch(/beyond its idempotency window.*not sent again/);
    expect(provider.calls).toBe(1);
    expect(provider.delivered).toHaveLength(1);
    const row = await outboxRow(input.outboxKey);
    expect(row.status).toBe('failed');
    expect(row.error).toContain("a person checks the provider's log for outreach-OA4/invoice-OA4-1/overdue-7");
    const audit = await t.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.idempotencyKey, 'invoice-OA4-1/overdue-7/unconfirmed'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'reminder_unconfirmed', invoiceNumber: 'OA4-1', approvedBy: 'alice' });
  });
});
