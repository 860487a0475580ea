/**
 * The rollout's demotion reads real delivery events, on the Temporal dev server and PostgreSQL:
 * reminders sent autonomously through the outbox (the provider's message id recorded), then
 * Resend events signed as Resend signs them (Standard Webhooks, HMAC-SHA256 over
 * "<id>.<timestamp>.<body>") posted to POST /webhooks/resend. A delivery-breaker trip of the kill
 * switch demotes every reminder scope at the next evaluation, though the scope's own sends were
 * clean; provider bounces of the scope's autonomous sends fail its bounce/complaint rate. Each
 * reason is recorded in autonomy_changes.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';
import type { EmailSender } from '../../outreach/channels/email';
import { ensureRolloutWorkflow } from '../../rollout/start';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let s: AdminStack;

/** The provider's side of a send: accepted, with a message id (no email leaves the machine). */
const provider: EmailSender = {
  mode: 'resend',
  async send(email) {
    return { providerMessageId: `em_${createHmac('sha256', 'id').update(email.idempotencyKey).digest('hex').slice(0, 16)}` };
  },
};

/** One reminder scope, reviewed too rarely for reviews to judge it: only delivery evidence can demote. */
const PLAN = {
  phase: 0,
  phases: [
    { name: 'supervised', grants: [] },
    {
      name: 'small reminders on their own',
      grants: [{ id: 'reminder-small', action: 'reminder', tiers: ['small'], maxAmountMinor: { USD: 50_000 }, reviewSampleRate: 0 }],
    },
  ],
  promotion: { minSample: 1, consecutive: 1, minApprovedLowerBound: 0 },
  demotion: { minReviewed: 100, maxBounceRate: 0.1 },
};

async function postEvent(type: string, emailId: string, to: string, bounce?: Record<string, string>) {
  const now = new Date().toISOString();
  const body = JSON.stringify({
    type,
    created_at: now,
    data: { created_at: now, email_id: emailId, from: 'ar@example.com', to: [to], subject: 'Reminder', ...(bounce ? { bounce } : {}) },
  });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  const res = await fetch(`${s.url}/webhooks/resend`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { duplicate: boolean; effects: string[]; tripped: unknown };
}

async function setBreaker(deliveryBreaker: Record<string, number>, note: string) {
  const read = await s.http('GET', '/api/policy', { as: 'ada' });
  const res = await s.http('POST', '/api/policy', { as: 'ada', body: { policy: { ...read.body.policy, deliveryBreaker }, note } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Seeds small overdue invoices, lets the workflows send them on their own, and returns their outbox rows. */
async function sendAutonomously(numbers: string[]) {
  await s.seedOverdueInvoices(numbers, { tier: 'small', amountMinor: 20_000 });
  await s.syncWorkflows();
  const rows = [];
  for (const n of numbers) {
    const sent = await waitFor(
      async () =>
        (
          await s.stack.db
            .select()
            .from(schema.auditLog)
            .where(and(eq(schema.auditLog.invoiceNumber, n), eq(schema.auditLog.action, 'reminder_sent')))
        )[0],
      { tries: 600, what: `reminder_sent for ${n}` },
    );
    expect(sent.approvedBy).toMatch(/^autonomy:.*:reminder-small:autonomous$/);
    const key = (sent.details as { outboxKey: string }).outboxKey;
    const [row] = await s.stack.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.idempotencyKey, key));
    expect(row).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^em_/) });
    rows.push(row!);
  }
  return rows;
}

async function advance(note: string) {
  const res = await s.http('POST', '/api/rollout/advance', { as: 'ada', body: { note, force: true } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toMatchObject({ kind: 'advance', fromPhase: 0, toPhase: 1 });
}

beforeAll(async () => {
  s = await startAdminStack({ email: provider, webhookSecret: SECRET });
  const read = await s.http('GET', '/api/policy', { as: 'ada' });
  const published = await s.http('POST', '/api/policy', {
    as: 'ada',
    body: { policy: { ...read.body.policy, rollout: PLAN }, note: 'pilot' },
  });
  expect(published.status).toBe(200);
  await ensureRolloutWorkflow(s.stack.env.client, s.stack.taskQueue);
});
afterAll(async () => {
  await s?.close();
});

describe('the rollout demotes on delivery events', () => {
  it('a breaker trip demotes the reminder scope at the next evaluation, though its own sends were clean', async () => {
    await setBreaker({ windowMinutes: 60, minSends: 4, maxBounceRate: 0.3, maxComplaintRate: 0.5 }, 'a breaker a test can trip');
    await advance('pilot small reminders');
    const rows = await sendAutonomously(['RD-1', 'RD-2', 'RD-3', 'RD-4']);

    // Nothing bounced yet: an evaluation keeps the grant.
    const kept = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(kept.body.kind, JSON.stringify(kept.body)).not.toBe('demote');

    // Two bounces of emails outside the scope (not in the outbox): 2 of 4 sent in the window trips the breaker.
    expect(
      (await postEvent('email.bounced', 'em_elsewhere_1', 'x@elsewhere.example', { type: 'Transient', message: 'full' })).tripped,
    ).toBe(null);
    const trip = await postEvent('email.bounced', 'em_elsewhere_2', 'y@elsewhere.example', { type: 'Transient', message: 'full' });
    expect(trip.tripped).toMatchObject({ held: true, by: 'circuit-breaker' });
    expect(rows).toHaveLength(4);

    const demote = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(demote.body, JSON.stringify(demote.body)).toMatchObject({ kind: 'demote', fromPhase: 1, toPhase: 0 });
    expect(demote.body.why).toMatch(/^demoted to phase 0: reminder-small: the delivery breaker tripped the kill switch once in the window/);
    expect(demote.body.why).toContain('bounce rate 50.0% (2 of 4 emails sent)');
    expect(demote.body.why).not.toContain('bounce/complaint rate');
    const after = await s.http('GET', '/api/policy', { as: 'vic' });
    expect(after.body.policy.autonomy.filter((a: { mode: string }) => a.mode === 'autonomous')).toHaveLength(0);

    const [change] = await s.stack.db
      .select()
      .from(schema.autonomyChanges)
      .where(and(like(schema.autonomyChanges.idempotencyKey, 'ar-rollout/%'), eq(schema.autonomyChanges.kind, 'demote')));
    expect((change!.change as { why: string }).why).toBe(demote.body.why);
    expect((change!.metrics as { breakerTrips: unknown[] }).breakerTrips).toHaveLength(1);
  });

  it("provider bounces of the scope's autonomous sends fail its bounce/complaint rate; the trip answered for no longer counts", async () => {
    // Sends resume, the breaker is out of reach, and the scope is granted again after the trip.
    await setBreaker({ windowMinutes: 60, minSends: 100_000, maxBounceRate: 1, maxComplaintRate: 1 }, 'breaker out of reach');
    expect((await s.http('POST', '/api/sends/resume', { as: 'ada', body: {} })).status).toBe(200);
    await advance('granted again after the bounce investigation');
    const rows = await sendAutonomously(['RD-5', 'RD-6', 'RD-7']);

    const kept = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(kept.body.kind, JSON.stringify(kept.body)).not.toBe('demote');

    for (const [i, row] of rows.entries()) {
      const type = i === 2 ? 'email.complained' : 'email.bounced';
      const out = await postEvent(
        type,
        row.providerMessageId!,
        row.toAddress,
        i < 2 ? { type: 'Permanent', message: 'no such mailbox' } : undefined,
      );
      expect(out.tripped).toBe(null);
    }

    const demote = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(demote.body, JSON.stringify(demote.body)).toMatchObject({ kind: 'demote', fromPhase: 1, toPhase: 0 });
    // 3 of the 7 autonomous sends in the window (RD-1..4 were clean).
    expect(demote.body.why).toMatch(/reminder-small: bounce\/complaint rate 42\.9% \(3\/7\), lower bound \d+\.\d% > 10\.0%$/);
    expect(demote.body.why).not.toContain('delivery breaker');
    const changes = await s.stack.db
      .select()
      .from(schema.autonomyChanges)
      .where(like(schema.autonomyChanges.idempotencyKey, 'ar-rollout/%'));
    expect(changes.filter((c) => c.kind === 'demote').map((c) => (c.change as { why: string }).why)).toEqual([
      expect.stringContaining('delivery breaker tripped'),
      demote.body.why,
    ]);
  });
});
