/**
 * The bad-input corpus (test/fixtures/bad-inputs/) replayed against the real HTTP app on real
 * PostgreSQL and a real Temporal dev server (test/support/admin-fixture.ts), and the CSV files
 * through the real import: every case is a 4xx (or a refused import) naming the field (or row
 * and column) and the rule, never a 5xx. Then fast-check fuzzes the HTTP schemas, path ids,
 * cursors and the CSV rules and bytes with the same promise. Prints how many cases each
 * category tried.
 */
import fc from 'fast-check';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy';
import { controlCharacterIn } from '../../domain/text';
import { readCsv } from '../../ledger/import/csv';
import { ImportFileError, type ImportKind } from '../../ledger/import/report';
import { importFile } from '../../ledger/import/run';
import { COLUMNS, validateCustomer, validateInvoice, validatePayment } from '../../ledger/import/schemas';
import { startAdminFixture, type AdminFixture, type UserKey } from '../support/admin-fixture';

const CORPUS = path.resolve('test/fixtures/bad-inputs');
const load = async <T>(name: string): Promise<T> => JSON.parse(await readFile(path.join(CORPUS, name), 'utf8')) as T;

/** Corpus values too big to keep as text: `{repeat, times, prefix?}` is prefix + repeat × times. */
type Repeated = { repeat: string; times: number; prefix?: string };
const expand = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(expand);
  if (v !== null && typeof v === 'object') {
    if ('repeat' in v && 'times' in v) {
      const r = v as Repeated;
      return (r.prefix ?? '') + r.repeat.repeat(r.times);
    }
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, expand(e)]));
  }
  return v === '$DEFAULT_POLICY' ? DEFAULT_POLICY : v;
};

interface HttpCase {
  name: string;
  method?: string;
  path: string | Repeated;
  as?: UserKey;
  body?: unknown;
  raw?: string;
  nested?: { before: string; open: string; inner?: string; close: string; depth: number; after: string };
  policyOverrides?: Record<string, unknown>;
  field: string;
  rule: string;
}
interface CursorCase {
  name: string;
  key?: unknown;
  raw?: string;
}
interface CsvCase {
  file: string;
  kind: ImportKind;
  encoding?: string;
  row: number;
  column: string | null;
  rule: string;
}

const counts: Record<string, number> = {};
const tried = (category: string, n = 1) => {
  counts[category] = (counts[category] ?? 0) + n;
};

let fx: AdminFixture;
let dir: string;
beforeAll(async () => {
  fx = await startAdminFixture();
  dir = await mkdtemp(path.join(tmpdir(), 'ar-bad-inputs-'));
});
afterAll(async () => {
  console.log(
    `bad inputs tried, by category: ${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')} (total ${Object.values(counts).reduce((a, b) => a + b, 0)})`,
  );
  await fx?.close();
});

function bodyOf(c: HttpCase): { body?: unknown; raw?: string } {
  if (c.nested) {
    const n = c.nested;
    return { raw: n.before + n.open.repeat(n.depth) + (n.inner ?? '') + n.close.repeat(n.depth) + n.after };
  }
  if (c.raw !== undefined) return { raw: c.raw };
  if (c.body === undefined) return c.method === 'GET' ? {} : { body: {} };
  const body = expand(c.body) as Record<string, unknown>;
  if (c.policyOverrides) body.policy = { ...(body.policy as object), ...c.policyOverrides };
  return { body };
}

/** A refusal as the API promises it: a 4xx; a 400 names the field, the value and the rule. */
function expectRefusal(res: { status: number; body: any }, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  const e = res.body?.error;
  expect(typeof e?.code, what).toBe('string');
  if (res.status === 400) {
    expect(typeof e.field, what).toBe('string');
    expect(typeof e.rule, what).toBe('string');
    expect('value' in e, what).toBe(true);
    expect(JSON.stringify(e).length, `${what}: the error echoes too much`).toBeLessThan(2000);
  }
}

describe('the corpus, against the real app', () => {
  it('HTTP bodies: each a 400 naming its field and rule', async () => {
    const cases = await load<HttpCase[]>('http-bodies.json');
    for (const c of cases) {
      const res = await fx.call(c.method ?? 'POST', expand(c.path) as string, { as: c.as ?? 'approverUnlimited', ...bodyOf(c) });
      expectRefusal(res, c.name);
      expect([res.status, res.body.error.field], c.name).toEqual([400, c.field]);
      expect(res.body.error.rule, c.name).toContain(c.rule);
      tried('http bodies');
    }
  });

  it('path ids and query strings: each a 400 naming the parameter', async () => {
    for (const c of await load<HttpCase[]>('ids.json')) {
      const res = await fx.call(c.method ?? 'POST', expand(c.path) as string, { as: 'admin', ...bodyOf(c) });
      expectRefusal(res, c.name);
      expect([res.status, res.body.error.field], c.name).toEqual([400, c.field]);
      expect(res.body.error.rule, c.name).toContain(c.rule);
      tried('path ids and queries');
    }
  });

  it('cursors: each a 400 on every paged list, nothing reaches PostgreSQL', async () => {
    for (const c of await load<CursorCase[]>('cursors.json')) {
      const cursor = c.raw ?? Buffer.from(JSON.stringify(c.key)).toString('base64url');
      for (const list of ['/api/approvals?', '/api/approvals?decidable=me&', '/api/disputes?']) {
        const res = await fx.call('GET', `${list}cursor=${encodeURIComponent(cursor)}`, { as: 'viewer' });
        expectRefusal(res, `${c.name} on ${list}`);
        // A 10,000-character id makes the cursor itself longer than the parameter allows: refused as too long.
        expect([res.status, res.body.error.field], c.name).toEqual([400, 'cursor']);
        tried('cursors');
      }
    }
  });

  it('CSV files: each refused naming the row, the column and the rule, and nothing written', async () => {
    const before = (await fx.db.$client.query('select (select count(*) from customers) + (select count(*) from invoices) as n')).rows[0].n;
    for (const c of await load<CsvCase[]>('csv/cases.json')) {
      const file = path.join(CORPUS, 'csv', c.file);
      const result = await importFile(fx.db, c.kind, file, { encoding: c.encoding }).catch((e: unknown) => e);
      const issues = result instanceof ImportFileError ? result.issues : (result as Awaited<ReturnType<typeof importFile>>).issues;
      if (!(result instanceof ImportFileError)) expect((result as { committed: boolean }).committed, c.file).toBe(false);
      expect(issues.length, c.file).toBeGreaterThan(0);
      expect(issues[0], c.file).toMatchObject({ row: c.row, column: c.column, rule: expect.stringContaining(c.rule) });
      for (const i of issues) expect((i.value ?? '').length, c.file).toBeLessThanOrEqual(120);
      tried('csv files');
    }
    const after = (await fx.db.$client.query('select (select count(*) from customers) + (select count(*) from invoices) as n')).rows[0].n;
    expect(after).toBe(before);
  });
});

describe('fuzzing the HTTP schemas (fast-check)', () => {
  const P100 = encodeURIComponent('invoice-INV-100/overdue-7');
  const POSTS: [string, UserKey][] = [
    [`/api/approvals/${P100}/approve`, 'approverUnlimited'],
    [`/api/approvals/${P100}/reject`, 'approverUnlimited'],
    ['/api/invoices/INV-100/promise', 'approverUnlimited'],
    ['/api/invoices/INV-100/dispute', 'approverUnlimited'],
    ['/api/invoices/INV-100/pause', 'admin'],
    ['/api/invoices/INV-100/payments', 'approverUnlimited'],
    ['/api/disputes/D-1/resolve', 'admin'],
    ['/api/customers/C-ACME/pause', 'admin'],
    ['/api/policy', 'admin'],
  ];
  // JSON of every shape, with the field names the routes know, so the fuzz reaches past "unknown field".
  const key = fc.constantFrom('note', 'reason', 'edits', 'subject', 'body', 'date', 'amount', 'outcome', 'credit_amount', 'policy', 'x');
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('2026-02-31', '9999-12-31', '1.00', '-0', 'credit'));
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('any JSON body on any route: a 4xx with a field, or an answer; never a 5xx', async () => {
    for (const [route, as] of POSTS) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.dictionary(key, json, { maxKeys: 4 }), json), async (body) => {
          const res = await fx.call('POST', route, { as, body });
          expect(res.status, `${route} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
          if (res.status >= 400) expectRefusal(res, route);
          tried('fuzz: bodies');
        }),
        { numRuns: 40 },
      );
    }
  });

  it('any path id, query value or cursor: never a 5xx', async () => {
    const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.constantFrom('/api/invoices/:x', '/api/approvals/:x/approve', '/api/disputes/:x/resolve'),
        async (id, route) => {
          const get = route.endsWith('/:x');
          const res = await fx.call(get ? 'GET' : 'POST', route.replace(':x', encodeURIComponent(id)), {
            as: 'admin',
            body: get ? undefined : {},
          });
          expect(res.status, `${route} ${JSON.stringify(id)}`).toBeLessThan(500);
          tried('fuzz: path ids');
        },
      ),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('customer', 'tier', 'currency', 'min_amount', 'limit', 'page', 'status', 'q'),
        anyText,
        async (k, v) => {
          const res = await fx.call('GET', `/api/approvals?${k}=${encodeURIComponent(v)}`, { as: 'viewer' });
          expect(res.status, `${k}=${JSON.stringify(v)}`).toBeLessThan(500);
          tried('fuzz: queries');
        },
      ),
      { numRuns: 100 },
    );
    const stamp = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
      fc
        .tuple(fc.integer({ min: -300_000, max: 300_000 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
        .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`),
    );
    await fc.assert(
      fc.asyncProperty(stamp, anyText, fc.constantFrom('/api/approvals', '/api/disputes'), async (at, id, list) => {
        const cursor = Buffer.from(JSON.stringify([at, id])).toString('base64url');
        const res = await fx.call('GET', `${list}?cursor=${cursor}`, { as: 'viewer' });
        expect(res.status, `${list} [${JSON.stringify(at)}, ${JSON.stringify(id)}]`).toBeLessThan(500);
        tried('fuzz: cursors');
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzzing the CSV import (fast-check)', () => {
  const cell = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('', ' ', '2026-02-31', '9999-12-31', '1e3', '-1', '0.001', 'USD', 'usd', 'small', 'C-ACME', 'true', 'Europe/Berlin'),
  );
  const rowOf = (columns: readonly string[]) => fc.tuple(...columns.map(() => cell));

  it('the row rules: every row is accepted or refused with its row, column and rule, never a throw', () => {
    for (const [kind, validate] of [
      ['customers', validateCustomer],
      ['invoices', validateInvoice],
      ['payments', validatePayment],
    ] as const) {
      const columns = [...COLUMNS[kind].required, ...COLUMNS[kind].optional];
      fc.assert(
        fc.property(rowOf(columns), (cells) => {
          const values = Object.fromEntries(columns.map((c, i) => [c, cells[i]!]));
          const v = validate({ row: 7, raw: cells, values });
          if (v.data) {
            // What is accepted is text the database takes: no control character anywhere.
            for (const x of Object.values(v.data)) if (typeof x === 'string') expect(controlCharacterIn(x)).toBeNull();
          } else {
            expect(v.issues.length).toBeGreaterThan(0);
            for (const i of v.issues) expect([i.row, typeof i.rule, columns.includes(i.column!)]).toEqual([7, 'string', true]);
          }
          tried(`fuzz: csv rows (${kind})`);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('any bytes after a header: refused as a file, or rows that decode cleanly; never U+FFFD from a bad decode', async () => {
    const file = path.join(dir, 'fuzz.csv');
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(0x2c, 0x0a, 0x22, 0xc3, 0xa9, 0xe9, 0xff, 0xef, 0xbf, 0xbd, 0xf0, 0x9f),
            fc.integer({ min: 0x20, max: 0x7e }),
          ),
          {
            maxLength: 200,
          },
        )
        .map((a) => Uint8Array.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom('utf-8', 'latin1', 'windows-1252'), async (body, encoding) => {
        const data = Buffer.concat([Buffer.from('customer_id,name,tier\n'), Buffer.from(body)]);
        await writeFile(file, data);
        const read = await readCsv(file, COLUMNS.customers, undefined, encoding).catch((e: unknown) => {
          if (!(e instanceof ImportFileError)) throw e;
          return null;
        });
        tried('fuzz: csv bytes');
        if (!read) return;
        const refused = new Set(read.malformed.map((m) => m.row));
        const legitReplacement = data.includes(Buffer.from([0xef, 0xbf, 0xbd])) && encoding === 'utf-8';
        for (const r of read.rows) {
          if (refused.has(r.row)) continue;
          for (const v of Object.values(r.values)) {
            expect(/[\ufdd0-\ufdef]/.test(v), JSON.stringify(v)).toBe(false);
            if (!legitReplacement) expect(v.includes('\ufffd'), `${encoding}: ${JSON.stringify(v)}`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
