/**
 * What the admin endpoint answers while a dependency is down (issue 13, defect 4): PostgreSQL out
 * of reach is a 503 with Retry-After, never "500 internal error"; Temporal out of reach is a 503
 * too, and for a decision it says the decision may have been delivered and that retrying is safe.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../apps/http/app';
import { closeDb, createDb } from '../../db/client';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { startAdminFixture, type AdminFixture } from '../support/admin-fixture';

let fx: AdminFixture;
beforeAll(async () => {
  fx = await startAdminFixture();
});
afterAll(async () => {
  await fx?.close();
});

const config = { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' } as const;
const P100 = encodeURIComponent('invoice-INV-100/overdue-7');

describe('PostgreSQL down', () => {
  it('answers 503 with Retry-After on every kind of route, and /healthz says the database is down', async () => {
    // Nothing listens on the discard port: every connection is refused.
    const db = createDb('postgres://postgres@127.0.0.1:9/ar', { max: 2 });
    const app = createAdminApp({ db, temporal: fx.env.client, config });
    const auth = { authorization: `Bearer ${fx.tokens.admin}`, 'content-type': 'application/json' };
    try {
      for (const [method, path, body] of [
        ['GET', '/api/approvals', undefined],
        ['GET', '/api/invoices/INV-100', undefined],
        ['GET', '/api/metrics', undefined],
        ['POST', `/api/approvals/${P100}/approve`, '{}'],
        ['POST', '/api/invoices/INV-100/payments', '{"amount":"1.00","date":"2026-02-01"}'],
      ] as const) {
        const res = await app.request(path, { method, headers: auth, body });
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toEqual({
          error: { code: 'unavailable', message: 'the database is unavailable; retry in 5 seconds', retryable: true },
        });
      }
      const health = await app.request('/healthz');
      expect([health.status, await health.json()]).toEqual([503, { ok: false, database: 'down', temporal: 'up', sends: 'unknown' }]);
    } finally {
      await closeDb(db);
    }
  });

  it('counts a connection the server ends under a query as an outage (what a restart does)', async () => {
    const db = createDb(fx.database.url, { max: 1 });
    try {
      const killer = (async () => {
        await new Promise((r) => setTimeout(r, 300));
        await fx.db.$client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where query = 'select pg_sleep(5)' and pid <> pg_backend_pid()`,
        );
      })();
      const err = await db.$client.query('select pg_sleep(5)').then(
        () => undefined,
        (e: unknown) => e,
      );
      await killer;
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    } finally {
      await closeDb(db).catch(() => undefined);
    }
  });

  it('tells a refused query from an outage', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: Object.assign(new Error('x'), { code: '57P01' }) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('bad date'), { code: '22008' }))).toBe(false);
  });
});

describe('Temporal down', () => {
  it('a decision answers 503 saying it may have been delivered and that retrying is safe', async () => {
    // As in the /healthz 503 test: no retry interceptor, whose backoff timers would outlive the request.
    const connection = await Connection.lazy({ address: '127.0.0.1:9', interceptors: [] });
    const app = createAdminApp({ db: fx.db, temporal: new Client({ connection }), config, updateTimeoutMs: 5_000 });
    try {
      const res = await app.request(`/api/approvals/${P100}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fx.tokens.approverUnlimited}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as { error: { code: string; message: string; retryable?: boolean } };
      expect(res.status, JSON.stringify(body)).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(body.error.code).toBe('unavailable');
      expect(body.error.retryable).toBe(true);
      expect(body.error.message).toMatch(/^Temporal is unavailable: /);
      expect(body.error.message).toMatch(/the decision may have been delivered/i);
      expect(body.error.message).toMatch(/retrying it is safe/);
      // Nothing was decided in the ledger: the proposal still waits.
      const list = await fx.call('GET', '/api/approvals', { as: 'viewer' });
      expect(list.body.items.find((i: { id: string }) => i.id === 'invoice-INV-100/overdue-7').status).toBe('pending');
    } finally {
      await connection.close();
    }
  });
});
