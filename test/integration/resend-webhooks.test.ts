/**
 * POST /webhooks/resend with events signed as Resend signs them (Standard Webhooks: HMAC-SHA256 of
 * "<id>.<timestamp>.<body>" with the base64 secret, computed here independently of the SDK), over
 * a real PostgreSQL database: unsigned or mis-signed events are refused with 401; a replay changes
 * nothing; a hard bounce invalidates the address and raises a "fix the contact" task; a complaint
 * makes the customer no-touch; a bounce rate over the policy's ceiling trips the kill switch.
 */
import { Client, Connection } from '@temporalio/client';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../apps/http/app';
import { schema } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedPolicy } from '../../dev/harness/seed';
import { createBuiltinLedger } from '../../ledger/builtin';
import { emailContact } from '../../ledger/port';
import { readSendsSwitch } from '../../outreach/kill-switch';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let t: TestDatabase;
let connection: Connection;
let app: ReturnType<typeof createAdminApp>;

function sign(id: string, timestamp: number, body: string, secret = SECRET): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function post(event: unknown, opts: { id?: string; secret?: string; signature?: string | null } = {}) {
  const body = JSON.stringify(event);
  const id = opts.id ?? `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
  if (opts.signature !== null) headers['webhook-signature'] = opts.signature ?? sign(id, timestamp, body, opts.secret);
  const res = await app.request('/webhooks/resend', { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as any, id };
}

const event = (type: string, emailId: string, to: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: {
    created_at: new Date().toISOString(),
    email_id: emailId,
    message_id: `<${emailId}@resend>`,
    from: 'ar@example.com',
    to: [to],
    subject: 'Reminder',
    ...extra,
  },
});

/** An email this system sent: the outbox row the event's email_id points at. */
async function sentEmail(customerId: string, to: string, providerMessageId: string) {
  await t.db.insert(schema.emailOutbox).values({
    idempotencyKey: `test/${providerMessageId}`,
    customerId,
    toAddress: to,
    subject: 'Reminder',
    body: 'Hello',
    invoiceNumbers: [],
    status: 'sent',
    providerMessageId,
    sentAt: new Date(),
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  // Ceilings a small test can reach: 4 sends at least, bounces above 30%.
  await seedPolicy(t.db, { deliveryBreaker: { windowMinutes: 60, minSends: 4, maxBounceRate: 0.3, maxComplaintRate: 0.5 } });
  for (const id of ['C-WH-1', 'C-WH-2', 'C-WH-3']) await seedCustomer(t.db, { id, email: `ap@${id.toLowerCase()}.example` });
  connection = await Connection.lazy({ address: '127.0.0.1:9', interceptors: [] });
  app = createAdminApp({
    db: t.db,
    temporal: new Client({ connection }),
    config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1', RESEND_WEBHOOK_SECRET: SECRET },
  });
});
afterAll(async () => {
  await connection?.close();
  await t?.close();
});

const audit = (customerId: string, action: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.customerId, customerId), eq(schema.auditLog.action, action)));

describe('POST /webhooks/resend', () => {
  it('refuses an unsigned event, a wrong signature and another secret with 401, and stores nothing', async () => {
    const e = event('email.delivered', 'em_x', 'ap@c-wh-1.example');
    for (const opts of [
      { signature: null },
      { signature: 'v1,bm90IGEgc2lnbmF0dXJl' },
      { secret: `whsec_${randomBytes(24).toString('base64')}` },
    ]) {
      const res = await post(e, opts);
      expect(res.status, JSON.stringify(opts)).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'unauthorized' });
      expect(res.body.error.message).toMatch(/^webhook-signature: /);
    }
    expect(await t.db.select().from(schema.deliveryEvents)).toEqual([]);
  });

  it('a hard bounce invalidates the address, stops sends to it and raises a "fix the contact" task; a replay changes nothing', async () => {
    await sentEmail('C-WH-1', 'ap@c-wh-1.example', 'em_b1');
    const bounce = event('email.bounced', 'em_b1', 'ap@c-wh-1.example', {
      bounce: { type: 'Permanent', subType: 'General', message: 'mailbox does not exist' },
    });
    const first = await post(bounce);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: true, duplicate: false });
    expect(first.body.effects[0]).toBe('contact ap@c-wh-1.example of C-WH-1 marked invalid; a "fix the contact" task raised');
    const customer = await createBuiltinLedger(t.db).getCustomer('C-WH-1');
    expect(customer!.contacts[0]).toMatchObject({ email: 'ap@c-wh-1.example', emailInvalid: true });
    expect(emailContact(customer!.contacts)).toBeUndefined(); // so outreach suppresses: a person must reach them
    const [task] = await audit('C-WH-1', 'contact_fix_needed');
    expect(task!.reasoning).toContain('hard bounce of ap@c-wh-1.example: mailbox does not exist');

    const replay = await post(bounce, { id: first.id });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, effects: [] });
    expect(await audit('C-WH-1', 'contact_fix_needed')).toHaveLength(1);
    expect(await t.db.select().from(schema.deliveryEvents)).toHaveLength(1);
  });

  it('a soft bounce is recorded but keeps the address', async () => {
    await sentEmail('C-WH-2', 'ap@c-wh-2.example', 'em_s1');
    const res = await post(
      event('email.bounced', 'em_s1', 'ap@c-wh-2.example', { bounce: { type: 'Transient', subType: 'MailboxFull', message: 'full' } }),
    );
    expect(res.body.effects).toEqual([]);
    expect(emailContact((await createBuiltinLedger(t.db).getCustomer('C-WH-2'))!.contacts)?.email).toBe('ap@c-wh-2.example');
  });

  it('a complaint makes the customer no-touch pending review', async () => {
    await sentEmail('C-WH-2', 'ap@c-wh-2.example', 'em_c1');
    const res = await post(event('email.complained', 'em_c1', 'ap@c-wh-2.example'));
    expect(res.body.effects).toContain('customer C-WH-2 is no-touch pending review');
    expect((await createBuiltinLedger(t.db).getCustomer('C-WH-2'))!.noTouch).toBe(true);
    expect(await audit('C-WH-2', 'no_touch_complaint')).toHaveLength(1);
  });

  it('when the bounce rate over the window passes the ceiling, the kill switch trips by itself with the reason', async () => {
    expect((await readSendsSwitch(t.db)).held).toBe(false);
    // Sent in the window: em_b1, em_s1, em_c1 and these two; bounces (hard or soft): em_b1, em_s1 and em_b2 = 3 of 5.
    await sentEmail('C-WH-3', 'ap@c-wh-3.example', 'em_ok1');
    await sentEmail('C-WH-3', 'ap@c-wh-3.example', 'em_b2');
    const res = await post(
      event('email.bounced', 'em_b2', 'ap@c-wh-3.example', { bounce: { type: 'Permanent', subType: 'General', message: 'no such user' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.tripped).toMatchObject({ held: true, by: 'circuit-breaker' });
    const held = await readSendsSwitch(t.db);
    expect(held).toMatchObject({ held: true, by: 'circuit-breaker' });
    expect(held.reason).toBe("bounce rate 60.0% (3 of 5 emails sent) over the last 60 minutes passed the policy's ceiling of 30.0%");
    // /healthz says so (its Temporal here is unreachable on purpose: 503, but the switch is read from the database).
    expect(((await (await app.request('/healthz')).json()) as { sends: string }).sends).toBe('held');
    expect(res.body.effects).toContain(`the kill switch tripped: ${held.reason}`);
  });

  it('without RESEND_WEBHOOK_SECRET nothing is accepted (503, it says why)', async () => {
    const bare = createAdminApp({ db: t.db, temporal: new Client({ connection }), config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' } });
    const res = await bare.request('/webhooks/resend', { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.message).toContain('RESEND_WEBHOOK_SECRET is not set');
  });
});
