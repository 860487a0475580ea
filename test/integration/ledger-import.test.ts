/**
 * `ar import` against real PostgreSQL: the fixture ledger loads exactly, bad files are refused
 * with row/column/value/rule and leave nothing behind, --skip-invalid writes a rejects file,
 * re-imports change nothing and a changed row updates only itself.
 */
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatResult, ImportFileError, type ImportIssue } from '../../ledger/import/report';
import { importFile } from '../../ledger/import/run';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';

const FIXTURES = path.resolve('test/fixtures/ledger');
let t: TestDatabase;
let dir: string;
const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.$client.query(text, params)).rows as T[];

async function csv(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function loadFixtures() {
  const c = await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
  const i = await importFile(t.db, 'invoices', path.join(FIXTURES, 'invoices.csv'));
  const p = await importFile(t.db, 'payments', path.join(FIXTURES, 'payments.csv'));
  return { c, i, p };
}

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'ar-import-'));
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await q('TRUNCATE customers, contacts, invoices, payments, payment_applications, write_offs, credit_notes CASCADE');
});

describe('the fixture ledger', () => {
  it('imports every row with exact amounts, contacts and balances', async () => {
    const { c, i, p } = await loadFixtures();
    expect([c.counts, i.counts, p.counts]).toEqual([
      { inserted: 10, updated: 0, unchanged: 0 },
      { inserted: 30, updated: 0, unchanged: 0 },
      { inserted: 10, updated: 0, unchanged: 0 },
    ]);
    expect([c.issues, i.issues, p.issues]).toEqual([[], [], []]);

    const inv = await q(`SELECT number, currency, amount_minor, open_minor, status, open_stated FROM invoices
                         WHERE number IN ('INV-1001', 'INV-1002', 'INV-2004', 'INV-3001', 'INV-3002', 'INV-4002') ORDER BY number`);
    expect(inv).toEqual([
      // Derived balances move with the imported payments ...
      { number: 'INV-1001', currency: 'USD', amount_minor: 1_250_000, open_minor: 0, status: 'paid', open_stated: false },
      { number: 'INV-1002', currency: 'USD', amount_minor: 840_050, open_minor: 440_050, status: 'open', open_stated: false },
      // ... a stated one (open_amount 2400.00) already reflects PAY-0007 and stays.
      { number: 'INV-2004', currency: 'GBP', amount_minor: 540_000, open_minor: 240_000, status: 'open', open_stated: true },
      { number: 'INV-3001', currency: 'JPY', amount_minor: 1_250_000, open_minor: 0, status: 'paid', open_stated: false },
      { number: 'INV-3002', currency: 'JPY', amount_minor: 980_000, open_minor: 980_000, status: 'open', open_stated: false },
      { number: 'INV-4002', currency: 'KWD', amount_minor: 2_750_125, open_minor: 2_750_125, status: 'open', open_stated: false },
    ]);
    expect(
      await q(
        `SELECT payment_id, invoice_number, amount_minor, applied_by FROM payment_applications WHERE payment_id IN ('PAY-0007', 'PAY-0009') ORDER BY 1`,
      ),
    ).toEqual([
      { payment_id: 'PAY-0007', invoice_number: 'INV-2004', amount_minor: 300_000, applied_by: 'import' },
      { payment_id: 'PAY-0009', invoice_number: 'INV-4001', amount_minor: 1_500_250, applied_by: 'import' },
    ]);
    expect(await q(`SELECT id, tier, segment, no_touch, timezone FROM customers WHERE id IN ('C005', 'C009') ORDER BY id`)).toEqual([
      { id: 'C005', tier: 'small', segment: 'smb-us', no_touch: true, timezone: 'America/Los_Angeles' },
      { id: 'C009', tier: 'standard', segment: 'apac', no_touch: false, timezone: 'Asia/Tokyo' },
    ]);
    expect(await q(`SELECT role, name, email, phone FROM contacts WHERE customer_id = 'C001' ORDER BY role`)).toEqual([
      { role: 'billing', name: 'Acme Payables', email: 'ap@acme.example', phone: '+1 212 555 0101' },
      { role: 'decision_maker', name: 'Wile E. Coyote', email: 'cfo@acme.example', phone: null },
    ]);
  });

  it('changes nothing when the same files are imported again', async () => {
    await loadFixtures();
    const before = await q(`SELECT number, updated_at FROM invoices ORDER BY number`);
    const customersBefore = await q(`SELECT id, updated_at FROM customers ORDER BY id`);
    const again = await loadFixtures();
    expect([again.c.counts, again.i.counts, again.p.counts]).toEqual([
      { inserted: 0, updated: 0, unchanged: 10 },
      { inserted: 0, updated: 0, unchanged: 30 },
      { inserted: 0, updated: 0, unchanged: 10 },
    ]);
    expect(await q(`SELECT number, updated_at FROM invoices ORDER BY number`)).toEqual(before);
    expect(await q(`SELECT id, updated_at FROM customers ORDER BY id`)).toEqual(customersBefore);
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM payment_applications`))[0]!.n).toBe(10);
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM contacts`))[0]!.n).toBe(20);
  });

  it('updates a changed row, and only that row', async () => {
    await loadFixtures();
    const before = new Map(
      (await q<{ number: string; updated_at: Date }>(`SELECT number, updated_at FROM invoices`)).map((r) => [
        r.number,
        r.updated_at.getTime(),
      ]),
    );
    const text = (await readFile(path.join(FIXTURES, 'invoices.csv'), 'utf8')).replace(
      'INV-1005,C002,2025-04-10,2025-05-25,USD,3150.75,,,NET45',
      'INV-1005,C002,2025-04-10,2025-05-25,USD,3250.75,,PO-NEW,NET45',
    );
    const r = await importFile(t.db, 'invoices', await csv('invoices-changed.csv', text));
    expect(r.counts).toEqual({ inserted: 0, updated: 1, unchanged: 29 });
    const after = await q<{ number: string; updated_at: Date; amount_minor: number; open_minor: number; po_number: string }>(
      `SELECT number, updated_at, amount_minor, open_minor, po_number FROM invoices`,
    );
    const changed = after.filter((a) => a.updated_at.getTime() !== before.get(a.number));
    expect(changed.map((a) => [a.number, a.amount_minor, a.open_minor, a.po_number])).toEqual([['INV-1005', 325_075, 325_075, 'PO-NEW']]);
  });
});

describe('a bad file', () => {
  const expectedIssues: ImportIssue[] = [
    { row: 2, column: 'invoice_number', value: 'INV-9001', rule: 'appears more than once in this file (rows 2, 8)' },
    { row: 3, column: 'customer_id', value: 'C999', rule: 'is not a known customer (import customers first)' },
    { row: 4, column: 'due_date', value: '2025-03-01', rule: 'is before the issue date 2025-03-31' },
    { row: 5, column: 'amount', value: '100.005', rule: 'has more than 2 decimal places, the minor unit of USD' },
    { row: 6, column: 'open_amount', value: '150.00', rule: 'is more than the amount (100.00)' },
    { row: 7, column: 'issue_date', value: '2025-02-30', rule: 'is not a calendar date in the form YYYY-MM-DD' },
    { row: 8, column: 'invoice_number', value: 'INV-9001', rule: 'appears more than once in this file (rows 2, 8)' },
    { row: 9, column: 'amount', value: '100.5', rule: 'has decimals, but JPY has no minor unit (whole amounts only)' },
    { row: 10, column: 'currency', value: 'XYZ', rule: 'is not an ISO 4217 currency code (e.g. USD, EUR, JPY)' },
    { row: 11, column: 'amount', value: '-5.00', rule: 'must be greater than zero' },
    {
      row: 12,
      column: 'amount',
      value: '1,000.00',
      rule: 'is not a decimal amount (digits with an optional "." and up to 2 decimals, e.g. 1234.50)',
    },
  ];

  it('is refused with row, column, value and rule, and nothing is written', async () => {
    await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
    const r = await importFile(t.db, 'invoices', path.join(FIXTURES, 'invoices-bad.csv'));
    expect(r.committed).toBe(false);
    expect(r.issues).toEqual(expectedIssues);
    expect(r.rejectedRows).toBe(11);
    expect(r.rejectsFile).toBeUndefined();
    // Row 13 (INV-9011) is valid, but the file is all or nothing.
    expect(await q(`SELECT number FROM invoices`)).toEqual([]);
  });

  it('with skipInvalid imports the valid rows and writes the rejected ones with a reason', async () => {
    await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
    const file = path.join(dir, 'invoices-bad.csv');
    await copyFile(path.join(FIXTURES, 'invoices-bad.csv'), file);
    const r = await importFile(t.db, 'invoices', file, { skipInvalid: true });
    expect(r.committed).toBe(true);
    expect(r.counts).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(r.rejectsFile).toBe(path.join(dir, 'invoices-bad.rejected.csv'));
    expect(await q(`SELECT number, amount_minor FROM invoices`)).toEqual([{ number: 'INV-9011', amount_minor: 7_500 }]);
    const lines = (await readFile(r.rejectsFile!, 'utf8')).trimEnd().split('\r\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount,po_number,terms,row,reason');
    expect(lines[2]).toBe(
      'INV-9002,C999,2025-03-01,2025-03-31,USD,100.00,,,NET30,3,"customer_id ""C999"": is not a known customer (import customers first)"',
    );
    expect(lines[11]).toContain('INV-9010,C001,2025-03-01,2025-03-31,EUR,"1,000.00",,,NET30,12,');
  });

  it('writes the rejects file where asked', async () => {
    await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
    const out = path.join(dir, 'elsewhere.csv');
    const r = await importFile(t.db, 'invoices', path.join(FIXTURES, 'invoices-bad.csv'), { skipInvalid: true, rejectsPath: out });
    expect(r.rejectsFile).toBe(out);
    expect((await readFile(out, 'utf8')).split('\r\n').filter(Boolean)).toHaveLength(12);
  });

  it('is refused as a whole when the header is wrong', async () => {
    const file = await csv(
      'bad-header.csv',
      'invoice_number,customer,issue_date,due_date,currency,amount,amount\nX,C1,2025-01-01,2025-01-02,USD,1,1\n',
    );
    const err = await importFile(t.db, 'invoices', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).issues).toEqual([
      {
        row: 1,
        column: 'customer',
        value: 'customer',
        rule: expect.stringMatching(/^is not a known column \(expected invoice_number, customer_id, /),
      },
      { row: 1, column: 'amount', value: 'amount', rule: 'appears twice in the header' },
      { row: 1, column: 'customer_id', value: null, rule: 'is a required column and is missing from the header' },
    ]);
  });

  it('reports a row with the wrong number of fields and an unclosed quote', async () => {
    await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
    const short = await csv('short.csv', 'customer_id,name,tier\nC100,Short Ltd\nC101,Fine Ltd,small\n');
    const r = await importFile(t.db, 'customers', short);
    expect(r.issues).toEqual([{ row: 2, column: null, value: null, rule: 'has 2 fields, the header has 3' }]);
    const quote = await csv('quote.csv', 'customer_id,name,tier\nC100,"Open quote,small\n');
    const err = await importFile(t.db, 'customers', quote).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).issues[0]!.rule).toMatch(/^is not valid CSV/);
  });
});

describe('character encodings (issue 13, defect 6)', () => {
  // A real Latin-1 export: é is the single byte 0xE9, ü 0xFC; in UTF-8 they are two bytes each.
  const latin1 = (text: string) => iconv.encode(text, 'latin1');
  const csvBytes = async (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return file;
  };
  const storedNames = async () => (await q<{ id: string; name: string }>(`SELECT id, name FROM customers ORDER BY id`)).map((r) => r.name);

  it('refuses a Latin-1 file read as UTF-8, naming the row, column and bad byte, and stores nothing', async () => {
    const file = await csvBytes('latin1.csv', latin1('customer_id,name,tier\nC1,Fine Ltd,small\nC2,Café Müller,standard\n'));
    const r = await importFile(t.db, 'customers', file);
    expect(r.committed).toBe(false);
    expect(r.issues).toEqual([
      {
        row: 3,
        column: 'name',
        value: 'Caf\\xE9 M\\xFCller',
        rule: expect.stringMatching(/^is not valid UTF-8 \(byte 0xE9 at position 4\); .*--encoding latin1/),
      },
    ]);
    expect(await storedNames()).toEqual([]);
    // --skip-invalid imports the good row; the rejected one never reaches the database.
    const skipped = await importFile(t.db, 'customers', file, { skipInvalid: true, rejectsPath: path.join(dir, 'latin1.rejected.csv') });
    expect([skipped.counts.inserted, skipped.rejectedRows]).toEqual([1, 1]);
    expect(await storedNames()).toEqual(['Fine Ltd']);
    expect(await readFile(skipped.rejectsFile!, 'utf8')).toContain('C2,Caf\\xE9 M\\xFCller,standard,3,');
  });

  it('reads it right with encoding latin1 or windows-1252, and never stores U+FFFD', async () => {
    const file = await csvBytes('latin1-ok.csv', latin1('customer_id,name,tier\nC2,Café Müller,standard\n'));
    expect((await importFile(t.db, 'customers', file, { encoding: 'latin1' })).counts.inserted).toBe(1);
    expect(await storedNames()).toEqual(['Café Müller']);
    const cp1252 = await csvBytes('cp1252.csv', iconv.encode('customer_id,name,tier\nC3,“Smart” Quotes – Ltd,small\n', 'windows-1252'));
    expect((await importFile(t.db, 'customers', cp1252, { encoding: 'windows-1252' })).issues).toEqual([]);
    // A byte windows-1252 does not define (0x81) is refused, not stored as U+FFFD.
    const undefinedByte = await csvBytes('cp1252-bad.csv', Buffer.from('customer_id,name,tier\nC4,A\x81B,small\n', 'latin1'));
    const bad = await importFile(t.db, 'customers', undefinedByte, { encoding: 'windows-1252' });
    expect(bad.issues).toEqual([{ row: 2, column: 'name', value: 'A\uFFFDB', rule: expect.stringMatching(/not defined in windows-1252/) }]);
    expect((await q(`SELECT count(*)::int AS n FROM customers WHERE name LIKE '%' || chr(65533) || '%'`))[0]).toEqual({ n: 0 });
  });

  it('refuses bad bytes in the header, an unknown encoding and UTF-16, and keeps valid UTF-8 (split across reads) intact', async () => {
    const header = await csvBytes('bad-header.csv', latin1('customer_id,näme,tier\nC1,A,small\n'));
    const err = (await importFile(t.db, 'customers', header).catch((e: unknown) => e)) as ImportFileError;
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err.issues[0]).toMatchObject({ row: 1, value: 'n\\xE4me', rule: expect.stringMatching(/^the header is not valid UTF-8/) });
    const ok = await csvBytes('utf8.csv', Buffer.from('customer_id,name,tier\nC5,Café Müller 東京 😀,small\n'));
    for (const encoding of ['ebcdic-nope', 'utf-16le']) {
      const e = (await importFile(t.db, 'customers', ok, { encoding }).catch((x: unknown) => x)) as ImportFileError;
      expect(e.issues[0]!.rule, encoding).toMatch(/^encoding is not (a known character encoding|supported for CSV files)/);
    }
    // 20,000 multi-byte names: the 64 KiB reads split sequences, which must join again.
    const many = Array.from({ length: 20_000 }, (_, i) => `C${i},Müller 東京 😀 ${i},small`).join('\n');
    const big = await importFile(t.db, 'customers', await csvBytes('big.csv', Buffer.from(`customer_id,name,tier\n${many}\n`)));
    expect([big.issues, big.counts.inserted]).toEqual([[], 20_000]);
    expect((await q(`SELECT name FROM customers WHERE id = 'C19999'`))[0]).toEqual({ name: 'Müller 東京 😀 19999' });
  });
});

describe('long values in problems (issue 13, defect 7)', () => {
  it('echoes a 100,000-character value clipped, in the result, the message and the rejects file', async () => {
    const name = `Caf${'e'.repeat(100_000)}`;
    const file = await csv('long-name.csv', `customer_id,name,tier\nC100,${name},small\nC101,Fine Ltd,small\n`);
    const r = await importFile(t.db, 'customers', file);
    expect(r.committed).toBe(false);
    expect(r.issues).toEqual([{ row: 2, column: 'name', value: `Caf${'e'.repeat(114)}...`, rule: 'is longer than 200 characters' }]);
    expect(formatResult(r).length).toBeLessThan(600);
    const skipped = await importFile(t.db, 'customers', file, { skipInvalid: true, rejectsPath: path.join(dir, 'long.rejected.csv') });
    const [, rejected] = (await readFile(skipped.rejectsFile!, 'utf8')).trimEnd().split('\r\n');
    // The row itself is written back whole (so it can be fixed); its reason quotes the value clipped.
    expect(rejected!.startsWith(`C100,${name},small,2,`)).toBe(true);
    expect(rejected!.length - name.length).toBeLessThan(300);
  });

  it('clips a long unknown header, and names at most ten rows of a key repeated on many', async () => {
    const header = await csv('long-header.csv', `customer_id,name,tier,${'x'.repeat(100_000)}\nC1,A,small,1\n`);
    const err = (await importFile(t.db, 'customers', header).catch((e: unknown) => e)) as ImportFileError;
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err.issues[0]!.value).toHaveLength(120);
    expect(err.message.length).toBeLessThan(1000);
    const rows = Array.from({ length: 5_000 }, () => 'C1,Same,small').join('\n');
    const dup = await importFile(t.db, 'customers', await csv('dup.csv', `customer_id,name,tier\n${rows}\n`));
    expect(dup.issues).toHaveLength(5_000);
    expect(dup.issues[0]!.rule).toBe('appears more than once in this file (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 4990 more)');
  });
});

describe('file formats and money', () => {
  it('accepts a BOM, CRLF line endings, padded mixed-case headers and blank lines, counting rows as in the file', async () => {
    const file = await csv(
      'bom.csv',
      '\ufeff Customer_ID ,NAME, Tier \r\nC200,Bom GmbH,Standard\r\n\r\nC201,"Multi\r\nLine AG",small\r\nC202,,small\r\n',
    );
    const r = await importFile(t.db, 'customers', file);
    // Row 6: line 4 is blank, the quoted name spans lines 4-5.
    expect(r.issues).toEqual([{ row: 6, column: 'name', value: '', rule: 'is required' }]);
    const ok = await importFile(t.db, 'customers', file, { skipInvalid: true });
    expect(ok.counts.inserted).toBe(2);
    expect(await q(`SELECT id, name, tier FROM customers ORDER BY id`)).toEqual([
      { id: 'C200', name: 'Bom GmbH', tier: 'standard' },
      { id: 'C201', name: 'Multi\r\nLine AG', tier: 'small' },
    ]);
  });

  it('converts decimal amounts exactly in each currency’s minor unit', async () => {
    await q(`INSERT INTO customers (id, name, tier) VALUES ('M1', 'Money', 'small')`);
    const file = await csv(
      'money.csv',
      [
        'invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount',
        'M-USD,M1,2025-01-01,2025-01-31,USD,0.10,0.07',
        'M-BIG,M1,2025-01-01,2025-01-31,USD,12345678901234.56,',
        'M-ZERO,M1,2025-01-01,2025-01-31,usd,10.500,',
        'M-JPY,M1,2025-01-01,2025-01-31,JPY,1234567,0',
        'M-KWD,M1,2025-01-01,2025-01-31,KWD,0.001,',
        'M-BHD,M1,2025-01-01,2025-01-31,BHD,1234.567,1000.5',
      ].join('\n'),
    );
    const r = await importFile(t.db, 'invoices', file);
    expect(r.issues).toEqual([]);
    expect(await q(`SELECT number, currency, amount_minor, open_minor, status FROM invoices ORDER BY number`)).toEqual([
      { number: 'M-BHD', currency: 'BHD', amount_minor: 1_234_567, open_minor: 1_000_500, status: 'open' },
      { number: 'M-BIG', currency: 'USD', amount_minor: 1_234_567_890_123_456, open_minor: 1_234_567_890_123_456, status: 'open' },
      { number: 'M-JPY', currency: 'JPY', amount_minor: 1_234_567, open_minor: 0, status: 'paid' },
      { number: 'M-KWD', currency: 'KWD', amount_minor: 1, open_minor: 1, status: 'open' },
      { number: 'M-USD', currency: 'USD', amount_minor: 10, open_minor: 7, status: 'open' },
      { number: 'M-ZERO', currency: 'USD', amount_minor: 1_050, open_minor: 1_050, status: 'open' },
    ]);
  });

  it('refuses amounts beyond the exact range and a fourth decimal for KWD', async () => {
    await q(`INSERT INTO customers (id, name, tier) VALUES ('M1', 'Money', 'small')`);
    const file = await csv(
      'money-bad.csv',
      'invoice_number,customer_id,issue_date,due_date,currency,amount\nX1,M1,2025-01-01,2025-01-31,USD,99999999999999999.99\nX2,M1,2025-01-01,2025-01-31,KWD,1.0001\n',
    );
    const r = await importFile(t.db, 'invoices', file);
    expect(r.issues).toEqual([
      { row: 2, column: 'amount', value: '99999999999999999.99', rule: 'is too large to represent exactly' },
      { row: 3, column: 'amount', value: '1.0001', rule: 'has more than 3 decimal places, the minor unit of KWD' },
    ]);
  });
});

describe('customers', () => {
  it('validates tier, email, phone, no_touch and timezone, canonicalising the zone name', async () => {
    const file = await csv(
      'customers-bad.csv',
      [
        'customer_id,name,tier,email,phone,no_touch,timezone',
        'K1,Good,strategic,a@b.example,+1 555 0100,yes,europe/berlin',
        'K2,Bad tier,gold,,,,',
        'K3,Bad email,small,not-an-email,,,',
        'K4,Bad tz,small,,,,Mars/Olympus',
        'K5,Offset tz,small,,,,+02:00',
        'K6,Bad flag,small,,,maybe,',
        'K7,Bad phone,small,,call me,,',
      ].join('\n'),
    );
    const r = await importFile(t.db, 'customers', file);
    expect(r.issues).toEqual([
      { row: 3, column: 'tier', value: 'gold', rule: 'must be one of strategic, standard, small' },
      { row: 4, column: 'email', value: 'not-an-email', rule: 'is not an email address' },
      { row: 5, column: 'timezone', value: 'Mars/Olympus', rule: 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York)' },
      { row: 6, column: 'timezone', value: '+02:00', rule: 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York)' },
      { row: 7, column: 'no_touch', value: 'maybe', rule: 'is not true or false (also accepted: yes/no, y/n, 1/0)' },
      { row: 8, column: 'phone', value: 'call me', rule: 'is not a phone number (digits, spaces, + ( ) - . /)' },
    ]);
    await importFile(t.db, 'customers', file, { skipInvalid: true, rejectsPath: path.join(dir, 'c.rej.csv') });
    expect(await q(`SELECT id, no_touch, timezone FROM customers`)).toEqual([{ id: 'K1', no_touch: true, timezone: 'Europe/Berlin' }]);
  });

  it('keeps stored values for columns the file leaves out, and updates a changed contact in place', async () => {
    await importFile(t.db, 'customers', path.join(FIXTURES, 'customers.csv'));
    const file = await csv(
      'customers-partial.csv',
      'customer_id,name,tier,email\nC001,Acme Corp,strategic,payables@acme.example\nC002,Globex Corporation,standard,billing@globex.example\n',
    );
    const r = await importFile(t.db, 'customers', file);
    expect(r.counts).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(await q(`SELECT segment, timezone, no_touch FROM customers WHERE id = 'C001'`)).toEqual([
      { segment: 'enterprise-us', timezone: 'America/New_York', no_touch: false },
    ]);
    expect(await q(`SELECT role, name, email, phone FROM contacts WHERE customer_id = 'C001' ORDER BY role`)).toEqual([
      { role: 'billing', name: 'Acme Payables', email: 'payables@acme.example', phone: '+1 212 555 0101' },
      { role: 'decision_maker', name: 'Wile E. Coyote', email: 'cfo@acme.example', phone: null },
    ]);
  });

  it('refuses duplicate customer ids in one file', async () => {
    const file = await csv('dup.csv', 'customer_id,name,tier\nD1,One,small\nD2,Two,small\nD1,Again,small\n');
    const r = await importFile(t.db, 'customers', file);
    expect(r.issues).toEqual([
      { row: 2, column: 'customer_id', value: 'D1', rule: 'appears more than once in this file (rows 2, 4)' },
      { row: 4, column: 'customer_id', value: 'D1', rule: 'appears more than once in this file (rows 2, 4)' },
    ]);
    expect(await q(`SELECT id FROM customers`)).toEqual([]);
  });
});

describe('payments', () => {
  const header = 'payment_id,customer_id,date,currency,amount,invoice_number,reference';

  it('adjusts a derived balance when an imported payment changes, and leaves it alone on re-import', async () => {
    await loadFixtures();
    const file = await csv('pay-change.csv', `${header}\nPAY-0002,C001,2025-05-02,USD,4500.00,INV-1002,ACME PARTIAL 7790\n`);
    expect((await importFile(t.db, 'payments', file)).counts).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await q(`SELECT open_minor FROM invoices WHERE number = 'INV-1002'`)).toEqual([{ open_minor: 390_050 }]);
    expect(await q(`SELECT amount_minor FROM payment_applications WHERE payment_id = 'PAY-0002'`)).toEqual([{ amount_minor: 450_000 }]);
    expect((await importFile(t.db, 'payments', file)).counts).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await q(`SELECT open_minor FROM invoices WHERE number = 'INV-1002'`)).toEqual([{ open_minor: 390_050 }]);
  });

  it('stores who paid (the payer column, for cash application); a file without the column keeps it', async () => {
    await loadFixtures();
    const withPayer = await csv(
      'pay-payer.csv',
      `${header},payer\nPAY-0002,C001,2025-05-02,USD,4000.00,INV-1002,ACME PARTIAL 7790,ACME CORP LLC\n`,
    );
    expect((await importFile(t.db, 'payments', withPayer)).counts).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await q(`SELECT payer FROM payments WHERE id = 'PAY-0002'`)).toEqual([{ payer: 'ACME CORP LLC' }]);
    const without = await csv('pay-no-payer.csv', `${header}\nPAY-0002,C001,2025-05-02,USD,4000.00,INV-1002,ACME PARTIAL 7790\n`);
    expect((await importFile(t.db, 'payments', without)).counts).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await q(`SELECT payer FROM payments WHERE id = 'PAY-0002'`)).toEqual([{ payer: 'ACME CORP LLC' }]);
  });

  it('applies several payments to one invoice in file order and refuses the one that overpays', async () => {
    await loadFixtures();
    const file = await csv(
      'pay-over.csv',
      `${header}\nN1,C003,2025-06-10,USD,700.00,INV-1009,\nN2,C003,2025-06-11,USD,500.00,INV-1009,\nN3,C003,2025-06-12,USD,0.01,INV-1009,\nN4,C003,2025-06-12,USD,25.00,,unapplied\n`,
    );
    const r = await importFile(t.db, 'payments', file, { skipInvalid: true, rejectsPath: path.join(dir, 'p.rej.csv') });
    expect(r.issues).toEqual([
      {
        row: 4,
        column: 'amount',
        value: '0.01',
        rule: 'would bring the cash applied to invoice INV-1009 to 1200.01 USD, more than its amount 1200.00 USD',
      },
    ]);
    expect(r.counts).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(await q(`SELECT open_minor, status FROM invoices WHERE number = 'INV-1009'`)).toEqual([{ open_minor: 0, status: 'paid' }]);
    expect(await q(`SELECT count(*)::int AS n FROM payment_applications WHERE payment_id = 'N4'`)).toEqual([{ n: 0 }]);
  });

  it('refuses unknown references, another customer’s invoice, another currency and a void invoice', async () => {
    await loadFixtures();
    await q(`UPDATE invoices SET status = 'void' WHERE number = 'INV-1016'`);
    const file = await csv(
      'pay-bad.csv',
      [
        header,
        'B1,C999,2025-06-10,USD,1.00,,',
        'B2,C001,2025-06-10,USD,1.00,INV-0000,',
        'B3,C001,2025-06-10,USD,1.00,INV-1005,',
        'B4,C002,2025-06-10,EUR,1.00,INV-1005,',
        'B5,C003,2025-06-10,USD,1.00,INV-1016,',
        'PAY-0001,C001,2025-03-28,USD,12500.00,INV-1014,moved',
      ].join('\n'),
    );
    const r = await importFile(t.db, 'payments', file);
    expect(r.committed).toBe(false);
    expect(r.issues).toEqual([
      { row: 2, column: 'customer_id', value: 'C999', rule: 'is not a known customer (import customers first)' },
      { row: 3, column: 'invoice_number', value: 'INV-0000', rule: 'is not a known invoice (import invoices first)' },
      { row: 4, column: 'invoice_number', value: 'INV-1005', rule: 'belongs to customer C002, not C001' },
      { row: 5, column: 'currency', value: 'EUR', rule: 'differs from invoice INV-1005, which is in USD' },
      { row: 6, column: 'invoice_number', value: 'INV-1016', rule: 'is void: cash cannot be applied to it' },
      {
        row: 7,
        column: 'invoice_number',
        value: 'INV-1014',
        rule: 'the payment is already applied to invoice INV-1001; an import applies a payment to one invoice only',
      },
    ]);
    expect(await q(`SELECT count(*)::int AS n FROM payments`)).toEqual([{ n: 10 }]);
  });

  it('refuses an invoice amount below the cash already applied to it', async () => {
    await loadFixtures();
    const file = await csv(
      'inv-shrink.csv',
      'invoice_number,customer_id,issue_date,due_date,currency,amount\nINV-1002,C001,2025-04-01,2025-05-01,USD,3999.99\n',
    );
    const r = await importFile(t.db, 'invoices', file);
    expect(r.issues).toEqual([
      { row: 2, column: 'amount', value: '3999.99', rule: 'is less than the 4000.00 already applied, credited or written off' },
    ]);
  });
});
