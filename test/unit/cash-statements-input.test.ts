import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseStatement, StatementError, type StatementFormat } from '../../cash/statements';
import { fixture, thrown } from '../support/statements';

const own = (path: string) => readFileSync(fileURLToPath(new URL(`../fixtures/bank-statements/${path}`, import.meta.url)));

describe('detectFormat', () => {
  it('recognises every shared fixture from its content', () => {
    const expected: Record<string, StatementFormat> = {
      'camt053/example-camt053-b.xml': 'camt053',
      'camt054/camt054.v4.xml': 'camt054',
      'bai2/sample2.txt': 'bai2',
      'bai2/citi_example.bai2': 'bai2',
      'mt940/sepa_mt9401.sta': 'mt940',
      'mt940/bunq/sample': 'mt940',
    };
    for (const [path, format] of Object.entries(expected)) expect(detectFormat(fixture(path).toString()), path).toBe(format);
  });

  it('recognises CSV and says null for anything else', () => {
    expect(detectFormat('Date,Amount,Text\n2024-01-01,10.00,a\n2024-01-02,5.00,b\n')).toBe('csv');
    expect(detectFormat('Dear customer,\nyour statement is attached.\n')).toBeNull();
    expect(detectFormat('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')).toBeNull();
  });

  it('lets the format option override detection', () => {
    const mt940 = fixture('mt940/sepa_mt9401.sta');
    expect(thrown(() => parseStatement(mt940, { fileName: 'x.sta', format: 'bai2' })).rule).toMatch(
      /does not start with a BAI2 record code/,
    );
    expect(thrown(() => parseStatement(fixture('bai2/sample2.txt'), { fileName: 'x.txt', format: 'mt940' })).rule).toMatch(
      /no MT940 statement/,
    );
  });

  it('refuses empty and unrecognised input', () => {
    expect(thrown(() => parseStatement('', { fileName: 'empty.txt' })).rule).toBe('is empty');
    const err = thrown(() => parseStatement('hello world\n', { fileName: 'note.txt' }));
    expect(err).toMatchObject({ fileName: 'note.txt', location: 'line 1', value: 'hello world' });
    expect(err.rule).toMatch(/not a recognised statement format/);
  });
});

describe('bytes, encodings and control characters', () => {
  it('refuses invalid UTF-8 naming line and column, and never yields U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('01,SENDER,RCVR,240301,0800,1,,,2/\n02,RCVR,ORIG,1,240229,,USD,2/\n03,12'),
      Buffer.from([0xff]),
      Buffer.from('34,,010,100,,/\n'),
    ]);
    const err = thrown(() => parseStatement(bytes, { fileName: 'bad-utf8.bai' }));
    expect(err.location).toBe('line 3, column 6');
    expect(err.rule).toMatch(/is not valid UTF-8 \(byte 0xFF\)/);
    expect(err.message).not.toContain('\uFFFD');
  });

  it('refuses bytes the named encoding does not define instead of replacing them', () => {
    const bytes = Buffer.from([...Buffer.from(':20:X\n:86:Caf'), 0x81, ...Buffer.from('\n')]);
    const err = thrown(() => parseStatement(bytes, { fileName: 'cp1252.sta', encoding: 'windows-1252' }));
    expect(err.location).toBe('line 2, column 8');
    expect(err.rule).toBe('has a byte that is not defined in windows-1252');
    // The same byte as latin1 is a C1 control character: refused too.
    expect(thrown(() => parseStatement(bytes, { fileName: 'l1.sta', encoding: 'latin1' })).rule).toMatch(/control character U\+0081/);
  });

  it('refuses an unknown encoding name', () => {
    expect(thrown(() => parseStatement(Buffer.from('x'), { fileName: 'f', encoding: 'klingon-8' }))).toMatchObject({
      location: 'options.encoding',
      value: 'klingon-8',
    });
  });

  it('honours an XML declaration encoding and strips byte-order marks', () => {
    const latinXml = fixture('camt054/camt054.v4.xml')
      .toString('utf8')
      .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('UNIFITS GmbH</Nm>\n              </Dbtr>', 'UNIFITS Gmbä</Nm>\n              </Dbtr>');
    const [stmt] = parseStatement(Buffer.from(latinXml, 'latin1'), { fileName: 'latin.xml' });
    expect(stmt!.transactions[0]!.payerName).toBe('UNIFITS Gmbä');

    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('mt940/bunq/sample')]);
    expect(parseStatement(bom, { fileName: 'bom.sta' })[0]!.transactions).toHaveLength(111);
    expect(parseStatement(`\uFEFF${fixture('bai2/citi_example.bai2').toString()}`, { fileName: 'bom.bai' })[0]!.transactions).toHaveLength(
      1,
    );
  });

  it('refuses NUL and other control characters with their line, in every format', () => {
    const withNul = fixture('mt940/sepa_mt9401.sta').toString().replace('?20EREF+TFNR 40005 00005', '?20EREF+TFNR 40005\u000000005');
    const err = thrown(() => parseStatement(withNul, { fileName: 'nul.sta' }));
    expect(err.location).toBe('line 6, column 43');
    expect(err.rule).toBe('contains control character U+0000 (only tab, line feed and carriage return are allowed)');
    expect(err.value).toContain('\\u0000'); // shown escaped, never raw
    expect(err.message).not.toContain('\u0000');
    expect(
      thrown(() => parseStatement(fixture('bai2/sample2.txt').toString().replace('LOCK BOX', 'LOCK\u0007BOX'), { fileName: 'bel.bai' }))
        .location,
    ).toMatch(/^line 10,/);
    expect(
      thrown(() => parseStatement(fixture('camt054/camt054.v4.xml').toString().replace('Order', 'Ord\u001ber'), { fileName: 'esc.xml' }))
        .rule,
    ).toMatch(/U\+001B/);
  });

  it('tolerates tabs, CRLF line ends and a DOS end-of-file mark', () => {
    const crlf = `${fixture('bai2/sample2.txt').toString().replace(/\n/g, '\r\n')}\r\n\u001a`;
    expect(parseStatement(crlf, { fileName: 'crlf.bai' }).flatMap((s) => s.transactions)).toHaveLength(4);
  });

  it('reads its own bad-input fixtures with the rule each breaks', () => {
    expect(thrown(() => parseStatement(own('bad/truncated.camt053.xml'), { fileName: 'truncated.camt053.xml' })).rule).toMatch(/truncated/);
    expect(thrown(() => parseStatement(own('bad/wrong-total.bai2'), { fileName: 'wrong-total.bai2' })).rule).toMatch(
      /account control total 101 does not equal/,
    );
    expect(thrown(() => parseStatement(own('bad/broken-61.sta'), { fileName: 'broken-61.sta' }))).toMatchObject({ location: 'line 5' });
  });
});

describe('damaged files, property-based', () => {
  const files = [
    'camt053/example-camt053-b.xml',
    'camt054/camt054.v4.xml',
    'bai2/sample2.txt',
    'bai2/citi_example.bai2',
    'mt940/sepa_mt9401.sta',
    'mt940/bunq/sample',
  ].map((path) => [path, fixture(path).toString('utf8')] as const);

  it("a broken XML declaration is refused as the file's fault (found by the property below)", () => {
    // A quote deleted from the declaration (`<?xml version=" encoding=...`): the validator let it through and
    // the XML parser threw its own Error ("Pi Tag is not closed").
    const original = fixture('camt053/example-camt053-b.xml').toString('utf8');
    const text = original.slice(0, 14) + original.slice(18);
    const err = thrown(() => parseStatement(text, { fileName: 'broken.xml' }));
    expect(err.message).toMatch(/^broken\.xml, line 1: is not well-formed XML/);
  });

  it('either parses a damaged fixture or refuses it with a StatementError, never another exception', () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        length: fc.integer({ min: 1, max: 12 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        text: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...files), damage, fc.boolean(), ([path, text], d, skipInvalid) => {
        const at = Math.floor(d.at * text.length);
        const damaged =
          d.kind === 'truncate'
            ? text.slice(0, at)
            : d.kind === 'delete'
              ? text.slice(0, at) + text.slice(at + d.length)
              : text.slice(0, at) + d.text + text.slice(at);
        try {
          for (const stmt of parseStatement(damaged, { fileName: path, skipInvalid })) {
            for (const tx of stmt.transactions) {
              expect(Number.isSafeInteger(tx.amountMinor) && tx.amountMinor > 0).toBe(true);
              expect(tx.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            }
          }
        } catch (err) {
          if (!(err instanceof StatementError)) throw err;
          expect(err.fileName).toBe(path);
        }
      }),
      { numRuns: 300 },
    );
  });
});
