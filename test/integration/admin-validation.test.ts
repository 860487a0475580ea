/**
 * Bad input is refused at the edge: every bad request gets its 4xx with an error naming the
 * field, the value received and the rule, and never a 500. Real PostgreSQL and a real Temporal
 * dev server behind the app (no worker): a request that got past validation would come back as
 * "workflow … is not running" (409), so a 400 here also shows nothing reached Temporal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy';
import { startAdminFixture, type AdminFixture, type UserKey } from '../support/admin-fixture';

let fx: AdminFixture;

beforeAll(async () => {
  fx = await startAdminFixture();
});
afterAll(async () => {
  await fx?.close();
});

const P100 = encodeURIComponent('invoice-INV-100/overdue-7');
const approve = `/api/approvals/${P100}/approve`;
const reject = `/api/approvals/${P100}/reject`;

interface BadCase {
  name: string;
  method?: string;
  path: string;
  as?: UserKey;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  field: string;
  rule: RegExp;
}

const BAD: BadCase[] = [
  // malformed bodies
  { name: 'malformed JSON', path: approve, raw: '{"note":', field: '(body)', rule: /is not valid JSON/ },
  { name: 'JSON array body', path: approve, body: [1, 2], field: '(body)', rule: /must be an object, not an array/ },
  { name: 'JSON string body', path: approve, body: 'approve', field: '(body)', rule: /must be an object, not a string/ },
  { name: 'null body', path: approve, raw: 'null', field: '(body)', rule: /must be an object, not null/ },
  // approve
  { name: 'note of the wrong type', path: approve, body: { note: 5 }, field: 'note', rule: /must be a string, not a number/ },
  { name: 'unknown field', path: approve, body: { note: 'ok', approve: true }, field: 'approve', rule: /is not a known field/ },
  { name: 'decision field is not for the client', path: approve, body: { by: 'mallory' }, field: 'by', rule: /is not a known field/ },
  { name: 'empty edits', path: approve, body: { edits: {} }, field: 'edits', rule: /must change subject or body/ },
  {
    name: 'edits without saying what changed',
    path: approve,
    body: { edits: { subject: 'x' } },
    field: 'editCategory',
    rule: /required with edits: one of tone, amount, contact, timing, wording, other/,
  },
  { name: 'an edit category without edits', path: approve, body: { editCategory: 'tone' }, field: 'editCategory', rule: /goes with edits/ },
  {
    name: 'an unknown edit category',
    path: approve,
    body: { edits: { subject: 'x' }, editCategory: 'colour' },
    field: 'editCategory',
    rule: /one of tone, amount/,
  },
  { name: 'empty edited subject', path: approve, body: { edits: { subject: '' } }, field: 'edits.subject', rule: /must not be empty/ },
  {
    name: 'unknown field in edits',
    path: approve,
    body: { edits: { subject: 'x', cc: 'boss' } },
    field: 'edits.cc',
    rule: /is not a known field/,
  },
  {
    name: 'edited subject too long',
    path: approve,
    body: { edits: { subject: 'x'.repeat(301) } },
    field: 'edits.subject',
    rule: /at most 300 characters/,
  },
  { name: 'note too long', path: approve, body: { note: 'x'.repeat(2001) }, field: 'note', rule: /at most 2000 characters/ },
  // reject
  { name: 'reject without a reason', path: reject, body: {}, field: 'reason', rule: /is required/ },
  { name: 'reject with an empty reason', path: reject, body: { reason: '' }, field: 'reason', rule: /must not be empty/ },
  {
    name: 'reject with edits',
    path: reject,
    body: { reason: 'no', edits: { subject: 'x' } },
    field: 'edits',
    rule: /is not a known field/,
  },
  // promise
  { name: 'promise without a date', path: '/api/invoices/INV-100/promise', body: {}, field: 'date', rule: /is required/ },
  {
    name: 'promise on 30 February',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-02-30' },
    field: 'date',
    rule: /calendar date YYYY-MM-DD/,
  },
  {
    name: 'promise with a US date',
    path: '/api/invoices/INV-100/promise',
    body: { date: '03/01/2026' },
    field: 'date',
    rule: /calendar date YYYY-MM-DD/,
  },
  {
    name: 'promise amount as a number',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: 12.5 },
    field: 'amount',
    rule: /must be a string, not a number/,
  },
  {
    name: 'promise amount negative',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: '-5' },
    field: 'amount',
    rule: /positive decimal amount/,
  },
  {
    name: 'promise amount with separators',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: '1,000.00' },
    field: 'amount',
    rule: /positive decimal amount/,
  },
  {
    name: 'promise amount with too many decimals',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: '12.345' },
    field: 'amount',
    rule: /more than 2 decimal places, the minor unit of USD/,
  },
  {
    name: 'promise amount with decimals in yen',
    path: '/api/invoices/INV-500/promise',
    body: { date: '2026-03-01', amount: '10.5' },
    field: 'amount',
    rule: /more than 0 decimal places, the minor unit of JPY/,
  },
  {
    name: 'promise amount of zero',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: '0.00' },
    field: 'amount',
    rule: /must be greater than zero/,
  },
  {
    name: 'promise amount beyond exact range',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-03-01', amount: '99999999999999999999' },
    field: 'amount',
    rule: /too large to represent exactly/,
  },
  // Issue 13, defect 5: a promise dated 9999-12-31 was accepted and set a 100-year hold (now is 2026-02-10).
  {
    name: 'promise dated 9999-12-31',
    path: '/api/invoices/INV-100/promise',
    body: { date: '9999-12-31' },
    field: 'date',
    rule: /must be at most 180 days ahead \(2026-08-10 at the latest; policy maxPromiseDaysAhead\)/,
  },
  {
    name: 'promise a day past the bound',
    path: '/api/invoices/INV-100/promise',
    body: { date: '2026-08-11' },
    field: 'date',
    rule: /at most 180 days ahead/,
  },
  // dispute
  { name: 'dispute without a reason', path: '/api/invoices/INV-100/dispute', body: { note: 'x' }, field: 'reason', rule: /is required/ },
  {
    name: 'dispute reason too long',
    path: '/api/invoices/INV-100/dispute',
    body: { reason: 'x'.repeat(501) },
    field: 'reason',
    rule: /at most 500 characters/,
  },
  {
    name: 'dispute with a bad Idempotency-Key',
    path: '/api/invoices/INV-100/dispute',
    body: { reason: 'x' },
    headers: { 'idempotency-key': 'has spaces in it' },
    field: 'Idempotency-Key',
    rule: /letters, digits/,
  },
  // pause / resume (admin)
  { name: 'pause without a reason', path: '/api/invoices/INV-100/pause', as: 'admin', body: {}, field: 'reason', rule: /is required/ },
  {
    name: 'resume with a field',
    path: '/api/invoices/INV-100/resume',
    as: 'admin',
    body: { reason: 'x' },
    field: 'reason',
    rule: /is not a known field/,
  },
  // account pause / resume, policy (admin)
  {
    name: 'account pause without a reason',
    path: '/api/customers/C-ACME/pause',
    as: 'admin',
    body: {},
    field: 'reason',
    rule: /is required/,
  },
  {
    name: 'account resume with a field',
    path: '/api/customers/C-ACME/resume',
    as: 'admin',
    body: { all: true },
    field: 'all',
    rule: /is not a known field/,
  },
  { name: 'policy without a note', path: '/api/policy', as: 'admin', body: { policy: DEFAULT_POLICY }, field: 'note', rule: /is required/ },
  {
    name: 'policy with an unknown key',
    path: '/api/policy',
    as: 'admin',
    body: { policy: { ...DEFAULT_POLICY, contactCap: {} }, note: 'x' },
    field: 'policy.contactCap',
    rule: /is not a known field/,
  },
  {
    name: 'policy cap of zero contacts',
    path: '/api/policy',
    as: 'admin',
    body: { policy: { ...DEFAULT_POLICY, contactCaps: { maxContacts: 0, perDays: 7, minHoursApart: 48 } }, note: 'x' },
    field: 'policy.contactCaps.maxContacts',
    rule: /must be at least 1/,
  },
  {
    name: 'policy ladder step with an unknown tone',
    path: '/api/policy',
    as: 'admin',
    body: {
      policy: { ...DEFAULT_POLICY, ladders: { ...DEFAULT_POLICY.ladders, small: [{ key: 'x', offsetDays: 1, tone: 'rude' }] } },
      note: 'x',
    },
    field: 'policy.ladders.small.0.tone',
    rule: /must be one of/,
  },
  // payments
  {
    name: 'payment without an amount',
    path: '/api/invoices/INV-100/payments',
    body: { date: '2026-02-01' },
    field: 'amount',
    rule: /is required/,
  },
  {
    name: 'payment with a word for a date',
    path: '/api/invoices/INV-100/payments',
    body: { amount: '10.00', date: 'yesterday' },
    field: 'date',
    rule: /calendar date/,
  },
  {
    name: 'payment with a float amount',
    path: '/api/invoices/INV-100/payments',
    body: { amount: 10.1, date: '2026-02-01' },
    field: 'amount',
    rule: /must be a string/,
  },
  {
    name: 'payment with an empty reference',
    path: '/api/invoices/INV-100/payments',
    body: { amount: '10.00', date: '2026-02-01', reference: '' },
    field: 'reference',
    rule: /must not be empty/,
  },
  {
    name: 'payment with a bad Idempotency-Key',
    path: '/api/invoices/INV-100/payments',
    body: { amount: '10.00', date: '2026-02-01' },
    headers: { 'idempotency-key': 'x'.repeat(101) },
    field: 'Idempotency-Key',
    rule: /1 to 100/,
  },
  // dispute resolution (admin)
  {
    name: 'resolution outcome unknown',
    path: '/api/disputes/D-1/resolve',
    as: 'admin',
    body: { outcome: 'maybe' },
    field: 'outcome',
    rule: /must be one of "invalid", "credit", "write_off"/,
  },
  {
    name: 'credit without an amount',
    path: '/api/disputes/D-1/resolve',
    as: 'admin',
    body: { outcome: 'credit' },
    field: 'credit_amount',
    rule: /is required when outcome is "credit"/,
  },
  {
    name: 'amount without a credit',
    path: '/api/disputes/D-1/resolve',
    as: 'admin',
    body: { outcome: 'invalid', credit_amount: '5.00' },
    field: 'credit_amount',
    rule: /only goes with outcome "credit"/,
  },
  {
    name: 'credit amount with too many decimals',
    path: '/api/disputes/D-1/resolve',
    as: 'admin',
    body: { outcome: 'credit', credit_amount: '5.001' },
    field: 'credit_amount',
    rule: /more than 2 decimal places/,
  },
  {
    name: 'camelCase creditMinor is not the API',
    path: '/api/disputes/D-1/resolve',
    as: 'admin',
    body: { outcome: 'credit', creditMinor: 500 },
    field: 'creditMinor',
    rule: /is not a known field/,
  },
  // path parameters
  { name: 'proposal id too long', path: `/api/approvals/${'x'.repeat(201)}/approve`, body: {}, field: 'id', rule: /1 to 200 characters/ },
  // query strings
  {
    name: 'unknown tier',
    method: 'GET',
    path: '/api/approvals?tier=gold',
    field: 'tier',
    rule: /must be one of "strategic", "standard", "small"/,
  },
  { name: 'unknown status', method: 'GET', path: '/api/approvals?status=done', field: 'status', rule: /must be one of/ },
  {
    name: 'amount filter without a currency',
    method: 'GET',
    path: '/api/approvals?min_amount=5',
    field: 'min_amount',
    rule: /needs currency/,
  },
  {
    name: 'max filter without a currency',
    method: 'GET',
    path: '/api/approvals?max_amount=5',
    field: 'max_amount',
    rule: /needs currency/,
  },
  { name: 'lower-case currency', method: 'GET', path: '/api/approvals?currency=usd', field: 'currency', rule: /ISO 4217/ },
  { name: 'made-up currency', method: 'GET', path: '/api/approvals?currency=XYZ', field: 'currency', rule: /ISO 4217/ },
  {
    name: 'amount filter with too many decimals',
    method: 'GET',
    path: '/api/approvals?currency=USD&min_amount=1.234',
    field: 'min_amount',
    rule: /more than 2 decimal places/,
  },
  {
    name: 'amount filter that is not a number',
    method: 'GET',
    path: '/api/approvals?currency=USD&max_amount=lots',
    field: 'max_amount',
    rule: /positive decimal amount/,
  },
  { name: 'limit of zero', method: 'GET', path: '/api/approvals?limit=0', field: 'limit', rule: /must be at least 1/ },
  { name: 'limit too large', method: 'GET', path: '/api/approvals?limit=5000', field: 'limit', rule: /must be at most 200/ },
  { name: 'limit not a number', method: 'GET', path: '/api/approvals?limit=ten', field: 'limit', rule: /must be a whole number/ },
  {
    name: 'a cursor we never issued',
    method: 'GET',
    path: '/api/approvals?cursor=bm90LWEtY3Vyc29y',
    field: 'cursor',
    rule: /not a cursor returned by this endpoint/,
  },
  {
    name: 'page and cursor together',
    method: 'GET',
    path: '/api/approvals?page=2&cursor=abc',
    field: 'page',
    rule: /cannot be combined with cursor/,
  },
  { name: 'a filter given twice', method: 'GET', path: '/api/approvals?tier=small&tier=standard', field: 'tier', rule: /at most once/ },
  { name: 'unknown query parameter', method: 'GET', path: '/api/approvals?sort=amount', field: 'sort', rule: /is not a known field/ },
  { name: 'unknown dispute status', method: 'GET', path: '/api/disputes?status=closed', field: 'status', rule: /must be one of/ },
  // A NUL reached PostgreSQL, which refused it, and the activity retried for hours (issue 13, defect 1).
  {
    name: 'NUL in a decision note',
    path: approve,
    body: { note: 'ok\u0000' },
    field: 'note',
    rule: /control characters.*U\+0000 at position 3/,
  },
  {
    name: 'NUL in an edited body',
    path: approve,
    body: { edits: { body: 'Hello\u0000there' } },
    field: 'edits.body',
    rule: /control characters/,
  },
  { name: 'escape character in a rejection reason', path: reject, body: { reason: 'no\u001b[31m' }, field: 'reason', rule: /U\+001B/ },
  {
    name: 'NUL in a pause reason',
    path: '/api/invoices/INV-100/pause',
    as: 'admin',
    body: { reason: 'hold\u0000' },
    field: 'reason',
    rule: /control characters/,
  },
  {
    name: 'NUL in a dispute reason',
    path: '/api/invoices/INV-100/dispute',
    body: { reason: '\u0000' },
    field: 'reason',
    rule: /control characters/,
  },
  { name: 'NUL in a path id', method: 'GET', path: '/api/invoices/INV-100%00', field: 'number', rule: /control characters/ },
  { name: 'NUL in a query', method: 'GET', path: '/api/approvals?customer=ac%00me', field: 'customer', rule: /control characters/ },
  // Issue 13, defect 3: inputs that used to reach PostgreSQL or overflow the stack, answered 500.
  ...[
    ['an impossible date', ['2026-02-31T00:00:00.000000Z', 'invoice-INV-100/overdue-7']],
    ['year 275760', ['+275760-09-13T00:00:00.000Z', 'x']],
    ['a six-digit year', ['275760-01-01T00:00:00Z', 'x']],
    ['a date without a time', ['2026-02-07', 'x']],
    ['hour 24', ['2026-02-07T24:00:00.000Z', 'x']],
    ['a time zone offset', ['2026-02-07T09:00:00+01:00', 'x']],
    ['a NUL in the id', ['2026-02-07T09:00:00.000000Z', 'x\u0000']],
    ['an empty id', ['2026-02-07T09:00:00.000000Z', '']],
    ['a number for the id', ['2026-02-07T09:00:00.000000Z', 7]],
  ].flatMap(([what, key]) =>
    ['/api/approvals', '/api/approvals?decidable=me&', '/api/disputes'].map((route) => ({
      name: `a crafted cursor on ${route.split('?')[0]}${route.includes('decidable') ? ' (decidable)' : ''}: ${what}`,
      method: 'GET',
      path: `${route}${route.endsWith('&') ? '' : '?'}cursor=${Buffer.from(JSON.stringify(key)).toString('base64url')}`,
      field: 'cursor',
      rule: /not a cursor returned by this endpoint/,
    })),
  ),
  {
    name: 'a deeply nested JSON body (60 KB of brackets)',
    path: approve,
    raw: `{"note":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    field: 'note',
    rule: /must be a string, not an array/,
  },
  {
    name: 'a deeply nested unknown field',
    path: reject,
    raw: `{"reason":"no","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    field: 'x',
    rule: /is not a known field/,
  },
  {
    name: 'a deeply nested policy',
    path: '/api/policy',
    as: 'admin',
    raw: `{"note":"x","policy":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    field: 'policy',
    rule: /must be an object, not an array/,
  },
  ...(
    [
      ['GET', '/api/invoices/INV-0010-01%00', 'number'],
      ['POST', '/api/invoices/INV-0010-01%00/promise', 'number'],
      ['POST', '/api/invoices/INV-0010-01%00/dispute', 'number'],
      ['POST', '/api/invoices/INV-0010-01%00/pause', 'number'],
      ['POST', '/api/invoices/INV-0010-01%00/resume', 'number'],
      ['POST', '/api/invoices/INV-0010-01%00/payments', 'number'],
      ['POST', '/api/approvals/invoice-INV-100%2Foverdue-7%00/approve', 'id'],
      ['POST', '/api/approvals/%00/reject', 'id'],
      ['POST', '/api/disputes/D-1%00/resolve', 'id'],
      ['POST', '/api/customers/C-ACME%00/pause', 'id'],
      ['POST', '/api/customers/C-ACME%00/resume', 'id'],
    ] as const
  ).map(([method, path, field]) => ({
    name: `NUL in the path id of ${method} ${path.replace(/[^/]*%00/, ':id')}`,
    method,
    path,
    as: 'admin' as const,
    body: method === 'POST' ? {} : undefined,
    field,
    rule: /control characters.*U\+0000/,
  })),
  { name: 'metrics as of a date that does not exist', method: 'GET', path: '/api/metrics?asOf=2026-02-30', field: 'asOf', rule: /date/ },
  { name: 'metrics over a zero-day DSO window', method: 'GET', path: '/api/metrics?dsoDays=0', field: 'dsoDays', rule: /at least 1/ },
  {
    name: 'metrics period that ends before it starts',
    method: 'GET',
    path: '/api/metrics?asOf=2026-01-31&from=2026-02-01',
    field: 'from',
    rule: /must not be after asOf/,
  },
];

describe('bad requests get a 400 naming the field, the value and the rule', () => {
  it.each(BAD)('$name → 400 on $field', async (c) => {
    const res = await fx.call(c.method ?? 'POST', c.path, {
      as: c.as ?? 'approverUnlimited',
      body: c.body,
      raw: c.raw,
      headers: c.headers,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const e = res.body.error;
    expect(e.code).toBe('invalid_request');
    expect(e.field).toBe(c.field);
    expect(e.rule).toMatch(c.rule);
    expect(e.message.startsWith(`${c.field}: `)).toBe(true);
    expect(e.message).toContain(e.rule);
    expect('value' in e).toBe(true);
  });

  it('echoes the offending value (shortened when long)', async () => {
    const res = await fx.call('POST', '/api/invoices/INV-100/promise', { as: 'approver', body: { date: '2026-02-30' } });
    expect(res.body.error).toMatchObject({
      field: 'date',
      value: '2026-02-30',
      message: 'date: "2026-02-30" must be a calendar date YYYY-MM-DD',
    });
    const long = await fx.call('POST', approve, { as: 'approver', body: { note: 'x'.repeat(3000) } });
    expect(long.body.error.value.length).toBeLessThanOrEqual(120);
    // A deep value is shown as the start of its JSON, clipped, and the message stays short.
    const deep = await fx.call('POST', approve, { as: 'approver', raw: `{"note":${'['.repeat(30_000)}${']'.repeat(30_000)}}` });
    expect(deep.body.error.value).toBe(`${'['.repeat(117)}...`);
    expect(deep.body.error.message.length).toBeLessThan(300);
  });

  it('lets a promise within the policy bound through to the workflow', async () => {
    const res = await fx.call('POST', '/api/invoices/INV-100/promise', { as: 'approver', body: { date: '2026-08-10' } });
    expect(res.status, JSON.stringify(res.body)).toBe(409); // reached Temporal: no workflow runs here
    expect(res.body.error.message).toMatch(/is not running/);
  });

  it('names a missing field as missing', async () => {
    const res = await fx.call('POST', reject, { as: 'approver', body: {} });
    expect(res.body.error.message).toBe('reason: missing is required');
  });
});

describe('other refusals', () => {
  it('413 for a body over 64 KiB, before anything is parsed', async () => {
    const res = await fx.call('POST', approve, { as: 'approver', body: { note: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // Also without a Content-Length (a streamed body).
    const stream = new ReadableStream({
      start(ctl) {
        ctl.enqueue(new TextEncoder().encode(JSON.stringify({ note: 'y'.repeat(70 * 1024) })));
        ctl.close();
      },
    });
    const streamed = await fx.app.request(approve, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.tokens.approver}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await fx.call('POST', approve, {
      as: 'approver',
      raw: 'note=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/content-type/);
  });

  it('404 JSON for unknown routes and methods', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['GET', '/nope'],
      ['GET', approve],
      ['DELETE', '/api/approvals'],
    ] as const) {
      const res = await fx.call(method, path, { as: 'admin' });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: `no route ${method} ${path.split('?')[0]}` });
    }
  });

  it('never echoes a long value whole: a 404 for a 50,000-character path, a long content-type (issue 13, defect 7)', async () => {
    const res = await fx.call('GET', `/api/${'x'.repeat(50_000)}`, { as: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body.error.message.length).toBeLessThanOrEqual(150);
    const type = await fx.call('POST', approve, { as: 'approver', raw: '{}', headers: { 'content-type': `text/x-${'y'.repeat(5_000)}` } });
    expect(type.status).toBe(415);
    expect(type.body.error.message.length).toBeLessThanOrEqual(200);
  });

  it('nothing that was refused reached a workflow or the ledger', async () => {
    // Every request above was refused at the edge: the proposal is untouched and no payment exists.
    const list = await fx.call('GET', '/api/approvals', { as: 'viewer' });
    expect(list.body.items.map((i: { status: string }) => i.status)).toEqual(['pending', 'pending', 'pending']);
    const inv = await fx.call('GET', '/api/invoices/INV-100', { as: 'viewer' });
    expect(inv.body.invoice.open.amount).toBe('1200.00');
  });
});

describe('GET /api/metrics', () => {
  it('gives a viewer the figures of ar metrics, per currency, as of a date', async () => {
    const res = await fx.call('GET', '/api/metrics?asOf=2026-02-15&from=2026-02-01&dsoDays=90', { as: 'viewer' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.asOf, res.body.from, res.body.dsoDays]).toEqual(['2026-02-15', '2026-02-01', 90]);
    // The seeded ledger: USD 1,200 + 50,000 + 800 (disputed, still owed), all issued 01-01 and due 01-31, nothing paid.
    expect(res.body.byCurrency.USD).toMatchObject({
      arOpen: '52000.00',
      current: '0.00',
      aging: { current: '0.00', '1-30': '52000.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' },
      creditSales: '52000.00',
      dsoStandardDays: 90,
      ceiPercent: 0,
    });
    expect(Object.keys(res.body.byCurrency)).toEqual(['EUR', 'JPY', 'USD']);
    expect((await fx.call('GET', '/api/metrics?asOf=2025-12-31', { as: 'viewer' })).body.byCurrency).toEqual({});
    expect((await fx.call('GET', '/api/metrics', { as: null })).status).toBe(401);
  });
});

describe('OpenAPI document', () => {
  it('describes every route with its schemas and security', async () => {
    const res = await fx.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/approvals',
      '/api/approvals/{id}/approve',
      '/api/approvals/{id}/reject',
      '/api/cash',
      '/api/cash/{id}/apply',
      '/api/cash/{id}/unapply',
      '/api/customers/{id}/pause',
      '/api/customers/{id}/resume',
      '/api/disputes',
      '/api/disputes/{id}/resolve',
      '/api/invoices',
      '/api/invoices/{number}',
      '/api/invoices/{number}/dispute',
      '/api/invoices/{number}/explain',
      '/api/invoices/{number}/pause',
      '/api/invoices/{number}/payments',
      '/api/invoices/{number}/promise',
      '/api/invoices/{number}/resume',
      '/api/me',
      '/api/metrics',
      '/api/metrics/decisions',
      '/api/metrics/history',
      '/api/policy',
      '/api/policy/status',
      '/api/rollout',
      '/api/rollout/advance',
      '/api/rollout/evaluate',
      '/api/rollout/hold',
      '/api/rollout/resume',
      '/api/rollout/reviews',
      '/api/rollout/reviews/{id}',
      '/api/rollout/rollback',
      '/api/sends',
      '/api/sends/pause',
      '/api/sends/resume',
      '/healthz',
    ]);
    const approveOp = doc.paths['/api/approvals/{id}/approve'].post;
    expect(approveOp.security).toEqual([{ bearer: [] }]);
    expect(approveOp['x-permission']).toBe('decide');
    expect(approveOp.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { note: { type: 'string' }, editCategory: { enum: ['tone', 'amount', 'contact', 'timing', 'wording', 'other'] } },
    });
    expect(Object.keys(approveOp.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '422']);
    const list = doc.paths['/api/approvals'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['status', 'customer', 'tier', 'currency', 'min_amount', 'max_amount', 'limit', 'cursor', 'page']),
    );
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/api/policy'].post['x-permission']).toBe('edit_policy');
    expect(doc.paths['/api/rollout/advance'].post['x-permission']).toBe('control_rollout');
    expect(doc.paths['/api/rollout/advance'].post.requestBody.content['application/json'].schema).toMatchObject({
      properties: { note: { type: 'string' }, force: { type: 'boolean' } },
    });
    expect(doc.paths['/api/rollout/reviews/{id}'].post['x-permission']).toBe('review');
    expect(doc.paths['/api/rollout'].get['x-permission']).toBe('read');
    expect(doc.paths['/api/policy'].post.requestBody.content['application/json'].schema.properties.policy.properties).toHaveProperty(
      'ladders',
    );
  });
});
