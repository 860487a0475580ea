/**
 * POST /webhooks/resend: Resend's delivery, bounce and complaint events. No bearer token: each
 * event is verified with the Resend SDK's webhook signature check (Standard Webhooks: the
 * webhook-id, webhook-timestamp and webhook-signature headers over the raw body) and refused with
 * 401 when it fails. A replayed event (same webhook-id) is answered 200 and changes nothing.
 */
import type { Hono } from 'hono';
import { Resend } from 'resend';
import { createBuiltinLedger } from '../../../ledger/builtin';
import { applyDeliveryEvent } from '../../../outreach/delivery-events';
import { currentPolicy } from '../../../policy/store';
import type { AdminDeps } from '../deps';
import { errorResponse, HttpError } from '../errors';
import type { AdminEnv } from '../route';

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

export function registerWebhookRoutes(app: Hono<AdminEnv>, deps: AdminDeps): void {
  const ledger = deps.ledger ?? createBuiltinLedger(deps.db);
  // verify() needs no API key: it only checks the signature.
  const resend = new Resend('re_webhook_verification_only');

  app.post('/webhooks/resend', async (c) => {
    const secret = deps.config.RESEND_WEBHOOK_SECRET;
    if (!secret)
      return errorResponse(
        new HttpError(503, {
          code: 'unavailable',
          message: 'RESEND_WEBHOOK_SECRET is not set: no event can be verified, so none is accepted',
        }),
      );
    const raw = await c.req.text();
    const headers = {
      id: c.req.header('webhook-id') ?? c.req.header('svix-id') ?? '',
      timestamp: c.req.header('webhook-timestamp') ?? c.req.header('svix-timestamp') ?? '',
      signature: c.req.header('webhook-signature') ?? c.req.header('svix-signature') ?? '',
    };
    let event: unknown;
    try {
      event = resend.webhooks.verify({ payload: raw, headers, webhookSecret: secret });
    } catch (err) {
      return errorResponse(
        new HttpError(401, {
          code: 'unauthorized',
          message: `webhook-signature: the event's signature does not verify (${(err as Error).message})`,
        }),
      );
    }
    const e = obj(event);
    const data = obj(e.data);
    const bounce = obj(data.bounce);
    const to = Array.isArray(data.to) ? String(data.to[0] ?? '') || null : null;
    const occurred = Date.parse(String(e.created_at ?? data.created_at ?? ''));
    const outcome = await applyDeliveryEvent(
      { db: deps.db, ledger, policy: await currentPolicy(deps.db), now: deps.now?.() },
      {
        id: headers.id,
        type: String(e.type ?? 'unknown'),
        occurredAt: Number.isNaN(occurred) ? (deps.now?.() ?? new Date()) : new Date(occurred),
        providerMessageId: typeof data.email_id === 'string' ? data.email_id : null,
        to,
        bounceType: typeof bounce.type === 'string' ? bounce.type : null,
        bounceMessage: typeof bounce.message === 'string' ? bounce.message : null,
        payload: event,
      },
    );
    return c.json({ received: true, ...outcome });
  });
}
