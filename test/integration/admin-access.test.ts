/**
 * Who may do what on the admin endpoint: 401 without a valid token, 403 for a role without the
 * permission or a decision over the approver's limit, and every role can do what it may.
 * Real PostgreSQL and a real Temporal dev server (no worker, no workflows: an allowed message
 * reaches Temporal, which answers that the workflow is not running).
 */
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { createAdminApp } from '../../apps/http/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, findUserByToken, hashToken, issueToken, listUsers, setLimits } from '../../access/users';
import { schema } from '../../db/client';
import type { Permission } from '../../access/roles';
import { DEFAULT_POLICY } from '../../domain/policy';
import { parseLimit, parseLimits } from '../../apps/cli/commands/users';
import { startAdminFixture, type AdminFixture, type UserKey } from '../support/admin-fixture';

let fx: AdminFixture;

beforeAll(async () => {
  fx = await startAdminFixture();
});
afterAll(async () => {
  await fx?.close();
});

const P100 = encodeURIComponent('invoice-INV-100/overdue-7');
const P200 = encodeURIComponent('invoice-INV-200/overdue-7');
const P300 = encodeURIComponent('invoice-INV-300/overdue-7');
const P400 = encodeURIComponent('invoice-INV-400/overdue-7');

/** Every protected route with a body that passes validation. */
/** A policy document that passes the schema: the default, with one edit. */
const POLICY = { ...DEFAULT_POLICY, promiseGraceDays: 5 };

/** allowedStatus: what a permitted call answers here, where no invoice workflow runs (default: GET 200, POST 409 "not running"). */
const ROUTES: { name: string; method: string; path: string; body?: unknown; permission: Permission; allowedStatus?: number }[] = [
  { name: 'me', method: 'GET', path: '/api/me', permission: 'read' },
  { name: 'list approvals', method: 'GET', path: '/api/approvals', permission: 'read' },
  { name: 'invoice', method: 'GET', path: '/api/invoices/INV-100', permission: 'read' },
  { name: 'search invoices', method: 'GET', path: '/api/invoices?q=INV-1', permission: 'read' },
  // No workflow runs here: a permitted caller hears that there is nothing to explain.
  { name: 'explain invoice', method: 'GET', path: '/api/invoices/INV-100/explain', permission: 'read', allowedStatus: 404 },
  { name: 'list disputes', method: 'GET', path: '/api/disputes', permission: 'read' },
  { name: 'approve', method: 'POST', path: `/api/approvals/${P100}/approve`, body: {}, permission: 'decide' },
  { name: 'reject', method: 'POST', path: `/api/approvals/${P100}/reject`, body: { reason: 'not now' }, permission: 'decide' },
  { name: 'promise', method: 'POST', path: '/api/invoices/INV-100/promise', body: { date: '2026-03-01' }, permission: 'log' },
  { name: 'dispute', method: 'POST', path: '/api/invoices/INV-100/dispute', body: { reason: 'wrong price' }, permission: 'log' },
  { name: 'pause', method: 'POST', path: '/api/invoices/INV-100/pause', body: { reason: 'customer call' }, permission: 'pause' },
  { name: 'resume', method: 'POST', path: '/api/invoices/INV-100/resume', body: {}, permission: 'pause' },
  {
    name: 'resolve dispute',
    method: 'POST',
    path: '/api/disputes/D-1/resolve',
    body: { outcome: 'invalid' },
    permission: 'resolve_dispute',
  },
  // An account action reports per invoice; with no workflow running each is not_running.
  {
    name: 'pause account',
    method: 'POST',
    path: '/api/customers/C-ACME/pause',
    body: { reason: 'talking to them' },
    permission: 'pause',
    allowedStatus: 200,
  },
  { name: 'resume account', method: 'POST', path: '/api/customers/C-ACME/resume', body: {}, permission: 'pause', allowedStatus: 200 },
  { name: 'read policy', method: 'GET', path: '/api/policy', permission: 'read' },
  { name: 'policy fan-out status', method: 'GET', path: '/api/policy/status', permission: 'read' },
  { name: 'list cash', method: 'GET', path: '/api/cash?status=unapplied', permission: 'read' },
  { name: 'cash-match proposals', method: 'GET', path: '/api/approvals?kind=cash_match', permission: 'read' },
  // No bank transaction 999999 here: a permitted call gets past the role check to the 404.
  { name: 'apply cash', method: 'POST', path: '/api/cash/999999/apply', body: {}, permission: 'decide', allowedStatus: 404 },
  { name: 'unapply cash', method: 'POST', path: '/api/cash/999999/unapply', body: {}, permission: 'decide', allowedStatus: 404 },
  { name: 'kill switch', method: 'GET', path: '/api/sends', permission: 'read' },
  {
    name: 'pause sends',
    method: 'POST',
    path: '/api/sends/pause',
    body: { reason: 'bounce spike' },
    permission: 'pause',
    allowedStatus: 200,
  },
  { name: 'resume sends', method: 'POST', path: '/api/sends/resume', body: {}, permission: 'pause', allowedStatus: 200 },
  {
    name: 'publish policy',
    method: 'POST',
    path: '/api/policy',
    body: { policy: POLICY, note: 'longer promise grace' },
    permission: 'edit_policy',
    allowedStatus: 200,
  },
  { name: 'rollout status', method: 'GET', path: '/api/rollout', permission: 'read' },
  { name: 'review queue', method: 'GET', path: '/api/rollout/reviews', permission: 'read' },
  // No review 1 exists here: a permitted mark is a 404.
  {
    name: 'mark review',
    method: 'POST',
    path: '/api/rollout/reviews/1',
    body: { verdict: 'right', reason: 'fine' },
    permission: 'review',
    allowedStatus: 404,
  },
  { name: 'rollout evaluate', method: 'POST', path: '/api/rollout/evaluate', body: {}, permission: 'control_rollout' },
  { name: 'rollout hold', method: 'POST', path: '/api/rollout/hold', body: { note: 'audit' }, permission: 'control_rollout' },
  { name: 'rollout resume', method: 'POST', path: '/api/rollout/resume', body: { note: 'done' }, permission: 'control_rollout' },
  {
    name: 'rollout advance',
    method: 'POST',
    path: '/api/rollout/advance',
    body: { note: 'go', force: true },
    permission: 'control_rollout',
  },
  { name: 'rollout rollback', method: 'POST', path: '/api/rollout/rollback', body: { note: 'back' }, permission: 'control_rollout' },
];

// Spelled out rather than read from admin/roles.ts: this table is the specification it is checked against.
const MAY: Record<'viewer' | 'approver' | 'admin', ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  approver: new Set(['read', 'decide', 'log', 'review']),
  admin: new Set(['read', 'decide', 'log', 'review', 'pause', 'resolve_dispute', 'edit_policy', 'control_rollout']),
};

describe('authentication', () => {
  it.each(ROUTES)('$name: 401 without a token, with a malformed header, an unknown token or a revoked token', async (r) => {
    for (const opts of [
      {},
      { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { token: 'ar_not-a-real-token' },
      { as: 'revoked' as UserKey },
    ]) {
      const res = await fx.call(r.method, r.path, { ...opts, body: r.body });
      expect(res.status, JSON.stringify(opts)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.body.error.message).toMatch(/^authorization: /);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('lets anyone reach /healthz, the page shell and the OpenAPI document', async () => {
    const health = await fx.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ ok: true, database: 'up', temporal: 'up', sends: 'flowing' });
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
      ['/openapi.json', 'application/json'],
    ] as const) {
      const res = await fx.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
    const page = await (await fx.app.request('/')).text();
    expect(page).toContain('Sign in');
    // The shell holds no data: nothing from the ledger is in it.
    expect(page).not.toContain('Acme');
  });

  it('reports Temporal down (503) when its server does not answer', async () => {
    // A real client whose server is not there: nothing listens on the discard port. Without the
    // SDK's retry interceptor: its backoff timers outlive the probe and would fire on a closed channel.
    const connection = await Connection.lazy({ address: '127.0.0.1:9', interceptors: [] });
    const app = createAdminApp({ db: fx.db, temporal: new Client({ connection }), config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' } });
    try {
      const res = await app.request('/healthz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, database: 'up', temporal: 'down', sends: 'flowing' });
    } finally {
      await connection.close();
    }
  });

  it('stores only the hash of a token, and the token identifies its user', async () => {
    const rows = await fx.db.select().from(schema.apiTokens);
    expect(rows.some((r) => r.tokenHash === hashToken(fx.tokens.admin))).toBe(true);
    expect(rows.some((r) => r.tokenHash.includes(fx.tokens.admin))).toBe(false);
    expect((await findUserByToken(fx.db, fx.tokens.approver))?.name).toBe('abe');
    const me = await fx.call('GET', '/api/me', { as: 'approver' });
    expect(me.body).toEqual({
      name: 'abe',
      role: 'approver',
      limits: [{ amount: '5000.00', minor: 500_000, currency: 'USD' }],
      limit: { amount: '5000.00', minor: 500_000, currency: 'USD' },
      permissions: ['read', 'decide', 'log', 'review'],
    });
  });
});

describe('roles', () => {
  const cases = (['viewer', 'approver', 'admin'] as const).flatMap((role) =>
    ROUTES.map((r) => ({ role, ...r, allowed: MAY[role].has(r.permission) })),
  );

  it.each(cases)('$role → $name: allowed=$allowed', async ({ role, method, path, body, allowed, allowedStatus }) => {
    const as: UserKey = role === 'approver' ? 'approverUnlimited' : role;
    const res = await fx.call(method, path, { as, body });
    if (!allowed) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toContain(`${role} `);
      return;
    }
    expect([401, 403]).not.toContain(res.status);
    if (allowedStatus) {
      expect(res.status, JSON.stringify(res.body)).toBe(allowedStatus);
    } else if (method === 'GET') {
      expect(res.status).toBe(200);
    } else {
      // Past every check: Temporal itself answers that no workflow runs for the invoice.
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/workflow (invoice-INV-\d+|ar-rollout) is not running/);
    }
  });

  it('a viewer may not log a payment; an approver may, and it is posted to the ledger with their name', async () => {
    const body = { amount: '100.00', date: '2026-02-09', reference: 'wire 42' };
    const denied = await fx.call('POST', '/api/invoices/INV-100/payments', {
      as: 'viewer',
      body,
      headers: { 'idempotency-key': 'pay-roles-1' },
    });
    expect(denied.status).toBe(403);
    const ok = await fx.call('POST', '/api/invoices/INV-100/payments', {
      as: 'approver',
      body,
      headers: { 'idempotency-key': 'pay-roles-1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      paymentId: 'manual-pay-roles-1',
      ledger: { open: { amount: '1100.00', minor: 110_000, currency: 'USD' }, status: 'open', applied: true },
      workflow: null,
    });
    const [app] = await fx.db
      .select()
      .from(schema.paymentApplications)
      .where(eq(schema.paymentApplications.paymentId, 'manual-pay-roles-1'));
    expect(app?.appliedBy).toBe('abe');
    const [pay] = await fx.db.select().from(schema.payments).where(eq(schema.payments.id, 'manual-pay-roles-1'));
    expect(pay).toMatchObject({ source: 'manual', reference: 'wire 42', amountMinor: 10_000, currency: 'USD', receivedOn: '2026-02-09' });

    // The same key again is the same payment: nothing is posted twice.
    const again = await fx.call('POST', '/api/invoices/INV-100/payments', {
      as: 'approver',
      body,
      headers: { 'idempotency-key': 'pay-roles-1' },
    });
    expect(again.status).toBe(200);
    expect(again.body.ledger).toEqual({ open: { amount: '1100.00', minor: 110_000, currency: 'USD' }, status: 'open', applied: false });
    // The same key for a different payment is refused.
    const clash = await fx.call('POST', '/api/invoices/INV-100/payments', {
      as: 'approver',
      body: { ...body, amount: '99.00' },
      headers: { 'idempotency-key': 'pay-roles-1' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toMatch(/Idempotency-Key/);
    // More than is open is refused before anything is written.
    const tooMuch = await fx.call('POST', '/api/invoices/INV-100/payments', {
      as: 'approver',
      body: { amount: '5000.00', date: '2026-02-09' },
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ field: 'amount', value: '5000.00' });
    expect(await fx.db.select().from(schema.payments)).toHaveLength(1);
  });
});

describe('account actions', () => {
  it('report an invoice whose workflow does not answer in time, rather than fail the request', async () => {
    // INV-300's workflow runs on a task queue no worker polls: its Update is never taken.
    const h = await fx.env.client.workflow.start('invoiceWorkflow', {
      workflowId: 'invoice-INV-300',
      taskQueue: 'nobody-polls-this',
      args: [{ invoiceNumber: 'INV-300', customerId: 'C-INITECH' }],
    });
    try {
      const app = createAdminApp({
        db: fx.db,
        temporal: fx.env.client,
        config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' },
        updateTimeoutMs: 500,
      });
      const res = await app.request('/api/customers/C-INITECH/pause', {
        method: 'POST',
        headers: { authorization: `Bearer ${fx.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'insolvency notice' }),
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toEqual({
        customerId: 'C-INITECH',
        invoices: [{ invoiceNumber: 'INV-300', outcome: 'timed_out', message: expect.stringContaining('did not answer in time') }],
      });
    } finally {
      await h.terminate('test done');
    }
  });
});

describe('approval limits', () => {
  it('403 when the proposal is over the approver’s limit', async () => {
    const res = await fx.call('POST', `/api/approvals/${P200}/approve`, { as: 'approver', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('proposal amount 50000.00 USD is over your approval limit of 5000.00 USD');
    const reject = await fx.call('POST', `/api/approvals/${P200}/reject`, { as: 'approver', body: { reason: 'too big for me' } });
    expect(reject.status).toBe(403);
  });

  it('403 when the proposal is in a currency the approver has no limit in', async () => {
    const res = await fx.call('POST', `/api/approvals/${P300}/approve`, { as: 'approver', body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('proposal amount 300.00 EUR is in EUR, but your approval limit is in USD');
  });

  it('a user with limits in USD and EUR decides within each, and gets 403 over each and in GBP', async () => {
    const { token } = await createUser(fx.db, {
      name: 'mia',
      role: 'approver',
      limits: [
        { currency: 'USD', minor: 500_000 },
        { currency: 'EUR', minor: 30_000 },
      ],
    });
    const me = await fx.call('GET', '/api/me', { token });
    expect(me.body.limits).toEqual([
      { amount: '300.00', minor: 30_000, currency: 'EUR' },
      { amount: '5000.00', minor: 500_000, currency: 'USD' },
    ]);
    const decide = (p: string) => fx.call('POST', `/api/approvals/${p}/approve`, { token, body: {} });
    const passes = async (p: string) => {
      const res = await decide(p);
      // Past the limit check: Temporal answers that no workflow runs for the invoice.
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.message).toMatch(/not running/);
    };
    const refused = async (p: string, message: string) => {
      const res = await decide(p);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toBe(message);
    };

    // Within each: 1200.00 USD of 5000.00 USD, and 300.00 EUR of exactly 300.00 EUR.
    await passes(P100);
    await passes(P300);
    // Over the USD limit.
    await refused(P200, 'proposal amount 50000.00 USD is over your approval limit of 5000.00 USD');
    // Over the EUR limit, once lowered by one cent (ar users limit): it applies at once.
    await setLimits(fx.db, 'mia', [
      { currency: 'USD', minor: 500_000 },
      { currency: 'EUR', minor: 29_999 },
    ]);
    await refused(P300, 'proposal amount 300.00 EUR is over your approval limit of 299.99 EUR');
    await passes(P100);

    // A GBP proposal: no limit in GBP, so refused, naming the currencies she has limits in.
    await fx.db.insert(schema.invoices).values({
      number: 'INV-600',
      customerId: 'C-INITECH',
      currency: 'GBP',
      amountMinor: 9_999,
      openMinor: 9_999,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
    });
    const [gbp] = await fx.db
      .select()
      .from(schema.proposals)
      .where(eq(schema.proposals.id, 'invoice-INV-300/overdue-7'))
      .then((rows) =>
        rows.map((r) => ({
          ...r,
          id: 'invoice-INV-600/overdue-7',
          workflowId: 'invoice-INV-600',
          invoiceNumber: 'INV-600',
          currency: 'GBP',
          amountMinor: 9_999,
        })),
      );
    await fx.db.insert(schema.proposals).values(gbp!);
    try {
      const P600 = encodeURIComponent('invoice-INV-600/overdue-7');
      await refused(P600, 'proposal amount 99.99 GBP is in GBP, but your approval limits are in EUR and USD');
      const rejected = await fx.call('POST', `/api/approvals/${P600}/reject`, { token, body: { reason: 'not mine' } });
      expect(rejected.status).toBe(403);
      expect(rejected.body.error.limits).toEqual([
        { currency: 'EUR', amount: '299.99' },
        { currency: 'USD', amount: '5000.00' },
      ]);
      // Unlimited again: every currency and amount passes the limit check.
      await setLimits(fx.db, 'mia', null);
      expect((await fx.call('GET', '/api/me', { token })).body).toMatchObject({ limits: null, limit: null });
      await passes(P600);
      await passes(P200);
    } finally {
      await fx.db.delete(schema.proposals).where(eq(schema.proposals.id, 'invoice-INV-600/overdue-7'));
      await fx.db.delete(schema.invoices).where(eq(schema.invoices.number, 'INV-600'));
    }
  });

  it('within the limit, or with no limit, the decision goes through to the workflow', async () => {
    const within = await fx.call('POST', `/api/approvals/${P100}/approve`, { as: 'approver', body: {} });
    expect(within.status).toBe(409);
    expect(within.body.error.message).toMatch(/not running/);
    expect(within.body.error.proposal.status).toBe('pending');
    const unlimited = await fx.call('POST', `/api/approvals/${P200}/approve`, { as: 'approverUnlimited', body: {} });
    expect(unlimited.status).toBe(409);
    expect(unlimited.body.error.message).toMatch(/not running/);
  });
});

describe('proposal state', () => {
  it('404 for an unknown proposal', async () => {
    const res = await fx.call('POST', `/api/approvals/${encodeURIComponent('invoice-NOPE/x')}/approve`, { as: 'admin', body: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('proposal invoice-NOPE/x not found');
  });

  it('409 with the current state for a proposal already decided', async () => {
    const res = await fx.call('POST', `/api/approvals/${P400}/reject`, { as: 'admin', body: { reason: 'late' } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('proposal invoice-INV-400/overdue-7 is already approved (by zoe)');
    expect(res.body.error.proposal).toMatchObject({ id: 'invoice-INV-400/overdue-7', status: 'approved', decision: { by: 'zoe' } });
  });

  it('409 for a resolved dispute', async () => {
    const res = await fx.call('POST', '/api/disputes/D-2/resolve', { as: 'admin', body: { outcome: 'invalid' } });
    expect(res.status).toBe(409);
    expect(res.body.error.dispute.status).toBe('resolved_invalid');
  });
});

describe('reads', () => {
  it('lists pending proposals oldest first with draft, reasoning, invoice context and customer', async () => {
    const res = await fx.call('GET', '/api/approvals', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([
      'invoice-INV-100/overdue-7',
      'invoice-INV-200/overdue-7',
      'invoice-INV-300/overdue-7',
    ]);
    const first = res.body.items[0];
    expect(first).toMatchObject({
      status: 'pending',
      draft: { subject: 'Invoice INV-100 is overdue', tone: 'friendly' },
      reasoning: expect.stringContaining('overdue-7'),
      policyVersion: 1,
      amount: { amount: '1200.00', currency: 'USD' },
      invoice: { number: 'INV-100', amount: { amount: '1200.00' }, dueDate: '2026-01-31', daysOverdue: 10 },
      customer: { id: 'C-ACME', name: 'Acme Corp', tier: 'standard' },
      ageSeconds: 3 * 86_400 + 3 * 3600,
      decision: null,
    });
  });

  it('filters by customer, tier and amount range in a currency', async () => {
    const ids = async (q: string) =>
      (await fx.call('GET', `/api/approvals?${q}`, { as: 'viewer' })).body.items.map(
        (i: { invoice: { number: string } }) => i.invoice.number,
      );
    expect(await ids('customer=acme')).toEqual(['INV-100']);
    expect(await ids('customer=C-GLOBEX')).toEqual(['INV-200']);
    expect(await ids('tier=small')).toEqual(['INV-300']);
    expect(await ids('currency=USD')).toEqual(['INV-100', 'INV-200']);
    expect(await ids('currency=USD&min_amount=2000')).toEqual(['INV-200']);
    expect(await ids('currency=USD&max_amount=1200.00')).toEqual(['INV-100']);
    expect(await ids('currency=EUR&min_amount=0&max_amount=300')).toEqual(['INV-300']);
    expect(await ids('status=approved')).toEqual(['INV-400']);
    expect(await ids('status=all')).toEqual(['INV-400', 'INV-100', 'INV-200', 'INV-300']);
  });

  it('pages with cursors and with page numbers, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await fx.call(
        'GET',
        `/api/approvals?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'viewer' },
      );
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['invoice-INV-100/overdue-7', 'invoice-INV-200/overdue-7', 'invoice-INV-300/overdue-7']);
    const page2 = await fx.call('GET', '/api/approvals?limit=1&page=2', { as: 'viewer' });
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual(['invoice-INV-200/overdue-7']);
    expect(page2.body.page).toBe(2);
  });

  it('falls back to the ledger for an invoice without a running workflow', async () => {
    const res = await fx.call('GET', '/api/invoices/INV-300', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source: 'ledger',
      state: null,
      invoice: {
        number: 'INV-300',
        customer: { id: 'C-INITECH', tier: 'small' },
        open: { amount: '300.00', currency: 'EUR' },
        daysOverdue: 10,
      },
      audit: [],
    });
    expect((await fx.call('GET', '/api/invoices/INV-999', { as: 'viewer' })).status).toBe(404);
  });

  it('lists open disputes with owner and deadline', async () => {
    const res = await fx.call('GET', '/api/disputes', { as: 'viewer' });
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      id: 'D-1',
      invoiceNumber: 'INV-400',
      owner: 'ar-disputes',
      deadline: '2026-02-20',
      overdue: false,
      status: 'open',
    });
    const resolved = await fx.call('GET', '/api/disputes?status=resolved', { as: 'viewer' });
    expect(resolved.body.items.map((d: { id: string }) => d.id)).toEqual(['D-2']);
  });
});

describe('users', () => {
  it('refuses a duplicate name, a limit for a viewer, and reissues tokens', async () => {
    await expect(createUser(fx.db, { name: 'ada', role: 'admin' })).rejects.toThrow(/already exists/);
    await expect(createUser(fx.db, { name: 'vic', role: 'viewer', limits: [{ currency: 'USD', minor: 1 }] })).rejects.toThrow(/viewer/);
    await expect(createUser(fx.db, { name: 'vic', role: 'approver', limits: [] })).rejects.toThrow(/^limits: an empty list/);
    await expect(
      createUser(fx.db, {
        name: 'vic',
        role: 'approver',
        limits: [
          { currency: 'USD', minor: 1 },
          { currency: 'USD', minor: 2 },
        ],
      }),
    ).rejects.toThrow('limit currency: "USD" is given more than once');
    await expect(createUser(fx.db, { name: 'vic', role: 'approver', limits: [{ currency: 'usd', minor: 1 }] })).rejects.toThrow(
      /^limit currency: "usd" is not an ISO 4217/,
    );
    await expect(createUser(fx.db, { name: 'vic', role: 'approver', limits: [{ currency: 'USD', minor: -1 }] })).rejects.toThrow(
      /^limit amount: -1 must be a whole, non-negative/,
    );
    await expect(setLimits(fx.db, 'vera', [{ currency: 'USD', minor: 1 }])).rejects.toThrow(/viewer/);
    await expect(setLimits(fx.db, 'nobody', null)).rejects.toThrow('user "nobody" not found');
    // Nothing half-written by the refusals.
    expect((await listUsers(fx.db)).some((u) => u.name === 'vic')).toBe(false);
    const token = await issueToken(fx.db, 'vera');
    expect((await fx.call('GET', '/api/me', { token })).body.name).toBe('vera');
    expect((await listUsers(fx.db)).map((u) => [u.name, u.limits])).toEqual([
      ['abe', [{ currency: 'USD', minor: 500_000 }]],
      ['ada', null],
      ['mia', null],
      ['rex', null],
      ['uma', null],
      ['vera', null],
    ]);
  });

  it('parses --limit AMOUNT CURRENCY exactly, naming the part that is wrong', () => {
    expect(parseLimit(['5000', 'usd'])).toEqual({ currency: 'USD', minor: 500_000 });
    expect(parseLimit(['1000', 'JPY'])).toEqual({ currency: 'JPY', minor: 1000 });
    expect(parseLimit(undefined)).toBeNull();
    expect(() => parseLimit(['5000'])).toThrow(/--limit: "5000" must be an amount and a currency/);
    expect(() => parseLimit(['50.001', 'USD'])).toThrow(/--limit amount: "50.001" has more than 2 decimal places/);
    expect(() => parseLimit(['50', 'XXQ'])).toThrow(/--limit currency: "XXQ" is not an ISO 4217/);
    expect(() => parseLimit(['0', 'USD'])).toThrow(/greater than zero/);
  });

  it('parses repeated --limit AMOUNT CURRENCY into one limit per currency', () => {
    expect(parseLimits(['5000', 'USD', '4000', 'eur', '100000', 'JPY'])).toEqual([
      { currency: 'USD', minor: 500_000 },
      { currency: 'EUR', minor: 400_000 },
      { currency: 'JPY', minor: 100_000 },
    ]);
    expect(parseLimits(undefined)).toBeNull();
    expect(() => parseLimits(['5000', 'USD', '4000'])).toThrow('--limit: "5000 USD 4000" must be an amount and a currency for each limit');
    expect(() => parseLimits(['5000', 'USD', '10', 'usd'])).toThrow(
      '--limit currency: "usd" is given more than once; a user has one limit per currency',
    );
    expect(() => parseLimits(['5000', 'USD', '1.5', 'JPY'])).toThrow(
      '--limit amount: "1.5" has more than 0 decimal places, the minor unit of JPY',
    );
  });
});
