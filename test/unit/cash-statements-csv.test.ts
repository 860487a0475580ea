import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal, toDecimal } from '../../domain/money';
import {
  type CsvMap,
  type CsvMapInput,
  csvMapSchema,
  loadCsvMap,
  parseCsvMap,
  parseStatement,
  StatementError,
} from '../../cash/statements';
import { thrown } from '../support/statements';

/** A German online-banking export: account preamble, semicolons, decimal comma, DD.MM.YYYY. */
const german = [
  'Kontonummer;DE89370400440532013000',
  '',
  'Buchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Referenz;Betrag;Währung',
  '03.01.2024;04.01.2024;"Müller; Söhne GmbH";DE89 3704 0044 0532 0130 00;Rechnung RE-2024-001 RF18539007547034;REF-1;1.234,56;EUR',
  '05.01.2024;05.01.2024;Stadtwerke;DE02120300000000202051;Abschlag Januar;REF-2;-89,90;EUR',
  '31.01.2024;31.01.2024;"Kunde mit',
  'Zeilenumbruch";;"Teilzahlung ""RE-7""";REF-3;0,05;EUR',
  ';;;;;;;',
  '',
].join('\r\n');

const germanMap: CsvMapInput = {
  delimiter: ';',
  skipLines: 2,
  decimalSeparator: ',',
  thousandsSeparator: '.',
  dateFormat: 'DD.MM.YYYY',
  sign: 'negativeIsDebit',
  currency: 'EUR',
  accountId: 'DE89370400440532013000',
  columns: {
    bookingDate: 'Buchungstag',
    valueDate: 'Valuta',
    payerName: 'Auftraggeber/Empfänger',
    payerAccount: 'IBAN',
    remittance: 'Verwendungszweck',
    reference: 'Referenz',
    amount: 'Betrag',
    currency: 'Währung',
  },
};

describe('CSV with a column mapping', () => {
  it('reads semicolons, decimal comma, thousands dots, DD.MM.YYYY and negative-is-debit', () => {
    const [stmt, ...rest] = parseStatement(german, { fileName: 'umsaetze.csv', csvMap: germanMap });
    expect(rest).toHaveLength(0);
    expect(stmt).toMatchObject({
      format: 'csv',
      statementId: 'umsaetze.csv',
      accountId: 'DE89370400440532013000',
      iban: 'DE89370400440532013000',
      currency: 'EUR',
      rejected: [],
    });
    const [invoice, utility, partial] = stmt!.transactions;
    expect(stmt!.transactions).toHaveLength(3); // the ";;;;;;;" line is not a row
    expect(invoice).toMatchObject({
      bookingDate: '2024-01-03',
      valueDate: '2024-01-04',
      amountMinor: 123456,
      direction: 'credit',
      currency: 'EUR',
      payerName: 'Müller; Söhne GmbH',
      payerAccount: 'DE89370400440532013000',
      payerAccountIsIban: true,
      remittance: 'Rechnung RE-2024-001 RF18539007547034',
      structuredRefs: ['RF18539007547034'],
      entryRef: 'REF-1',
      location: 'line 4',
    });
    expect(utility).toMatchObject({ amountMinor: 8990, direction: 'debit', payerAccountIsIban: true, location: 'line 5' });
    expect(partial).toMatchObject({
      amountMinor: 5,
      direction: 'credit',
      payerName: 'Kunde mit\nZeilenumbruch',
      payerAccount: null,
      remittance: 'Teilzahlung "RE-7"',
      location: 'line 6',
    });
    expect(invoice!.raw).toBe(
      '03.01.2024;04.01.2024;"Müller; Söhne GmbH";DE89 3704 0044 0532 0130 00;Rechnung RE-2024-001 RF18539007547034;REF-1;1.234,56;EUR',
    );
  });

  it('reads a direction column (Soll/Haben) with unsigned amounts', () => {
    const csv = 'Datum;Betrag;S/H;Text\n01.02.2024;100,00;H;Eingang\n02.02.2024;40,00;S;Ausgang\n';
    const map: CsvMapInput = {
      delimiter: ';',
      decimalSeparator: ',',
      dateFormat: 'DD.MM.YYYY',
      currency: 'EUR',
      directionValues: { credit: ['H'], debit: ['S'] },
      columns: { bookingDate: 'Datum', amount: 'Betrag', direction: 'S/H', remittance: 'Text' },
    };
    const txs = parseStatement(csv, { fileName: 'sh.csv', csvMap: map })[0]!.transactions;
    expect(txs.map((t) => [t.direction, t.amountMinor, t.remittance])).toEqual([
      ['credit', 10000, 'Eingang'],
      ['debit', 4000, 'Ausgang'],
    ]);
    const contradiction = thrown(() => parseStatement(csv.replace('100,00;H', '-100,00;H'), { fileName: 'sh.csv', csvMap: map }));
    expect(contradiction.rule).toBe('amount is negative but the direction column says credit');
    expect(thrown(() => parseStatement(csv.replace(';S;', ';X;'), { fileName: 'sh.csv', csvMap: map })).rule).toMatch(
      /neither a credit \(H\) nor a debit \(S\)/,
    );
  });

  it('reads split debit/credit columns by position without a header, MM/DD/YYYY, JPY without decimals', () => {
    const csv = '01/15/2024,ACH CREDIT ACME,,125000\n01/16/2024,WIRE OUT,9800,\n';
    const map: CsvMapInput = {
      header: false,
      dateFormat: 'MM/DD/YYYY',
      currency: 'JPY',
      columns: { bookingDate: 1, remittance: 2, debitAmount: 3, creditAmount: 4 },
    };
    const txs = parseStatement(csv, { fileName: 'us.csv', csvMap: map })[0]!.transactions;
    expect(txs.map((t) => [t.bookingDate, t.direction, t.amountMinor, t.currency])).toEqual([
      ['2024-01-15', 'credit', 125000, 'JPY'],
      ['2024-01-16', 'debit', 9800, 'JPY'],
    ]);
  });

  it('refuses a mapping that does not fit the header, naming the column and the header', () => {
    const map = { ...germanMap, columns: { ...germanMap.columns, amount: 'Umsatz' } };
    const err = thrown(() => parseStatement(german, { fileName: 'umsaetze.csv', csvMap: map }));
    expect(err.location).toBe('line 3');
    expect(err.rule).toMatch(/^mapping does not fit: columns\.amount is "Umsatz", which is not in the header \("Buchungstag", "Valuta"/);
    expect(
      thrown(() =>
        parseStatement(german, { fileName: 'u.csv', csvMap: { ...germanMap, columns: { ...germanMap.columns, valueDate: 12 } } }),
      ).rule,
    ).toBe('mapping does not fit: columns.valueDate is column 12, but the header has 8 columns');
    // Wrong delimiter: the whole header is one column.
    expect(thrown(() => parseStatement(german, { fileName: 'u.csv', csvMap: { ...germanMap, delimiter: '\t' } })).rule).toMatch(
      /^mapping does not fit: columns\.bookingDate/,
    );
  });

  it('refuses a bad row by default, or skips it with skipInvalid', () => {
    const bad = german.replace('05.01.2024;05.01.2024', '32.01.2024;05.01.2024');
    const err = thrown(() => parseStatement(bad, { fileName: 'bad.csv', csvMap: germanMap }));
    expect(err).toMatchObject({
      fileName: 'bad.csv',
      location: 'line 5',
      value: '32.01.2024',
      rule: 'bookingDate is not a date in the format DD.MM.YYYY',
    });
    const [stmt] = parseStatement(bad, { fileName: 'bad.csv', csvMap: germanMap, skipInvalid: true });
    expect(stmt!.transactions.map((t) => t.entryRef)).toEqual(['REF-1', 'REF-3']);
    expect(stmt!.rejected).toEqual([
      { location: 'line 5', value: '32.01.2024', rule: 'bookingDate is not a date in the format DD.MM.YYYY' },
    ]);

    const amount = thrown(() => parseStatement(german.replace('-89,90', '-89.90'), { fileName: 'a.csv', csvMap: germanMap }));
    expect(amount).toMatchObject({ location: 'line 5', value: '-89.90' });
    expect(amount.rule).toMatch(/decimal separator ","/);
    const short = thrown(() =>
      parseStatement(german.replace('Stadtwerke;DE02120300000000202051;Abschlag Januar;REF-2;-89,90;EUR', 'Stadtwerke'), {
        fileName: 's.csv',
        csvMap: germanMap,
      }),
    );
    expect(short.rule).toBe('row has 3 fields, but columns.currency is column 8');
  });

  it('refuses broken CSV quoting with its line, and a CSV without a mapping', () => {
    const err = thrown(() =>
      parseStatement(german.replace('"Müller; Söhne GmbH"', '"Müller; Söhne GmbH'), { fileName: 'q.csv', csvMap: germanMap }),
    );
    expect(err.rule).toMatch(/is not valid CSV with delimiter ";"/);
    expect(err.location).toMatch(/^line \d+$/);
    expect(thrown(() => parseStatement(german, { fileName: 'nomap.csv' })).rule).toMatch(/needs a column mapping/);
  });
});

describe('csvMapSchema, parseCsvMap and loadCsvMap (for --csv-map FILE)', () => {
  it('validates a mapping built in code the same way', () => {
    const map: CsvMap = parseCsvMap(germanMap, 'in code');
    expect(map.directionValues.credit).toContain('CRDT');
    const err = thrown(() => parseCsvMap({ ...germanMap, sign: 'minusIsDebit' }, 'in code'));
    expect(err.fileName).toBe('in code');
    expect(err.rule).toMatch(/^sign: /);
  });

  it('fills defaults', () => {
    const map = csvMapSchema.parse({ currency: 'USD', columns: { bookingDate: 'Date', amount: 'Amount' } });
    expect(map).toMatchObject({
      delimiter: ',',
      header: true,
      decimalSeparator: '.',
      dateFormat: 'YYYY-MM-DD',
      sign: 'negativeIsDebit',
      skipLines: 0,
    });
  });

  it('explains every mistake with its path', () => {
    expect(() => loadCsvMap('{"currency": "EUR",', 'map.json')).toThrow(/map\.json, CSV mapping: is not valid JSON/);
    const err = thrown(() =>
      loadCsvMap(JSON.stringify({ delimeter: ';', currency: 'EURO', columns: { bookingDate: 'Datum' } }), 'map.json'),
    );
    expect(err.fileName).toBe('map.json');
    expect(err.rule).toMatch(/delimeter/); // unknown key, likely a typo
    expect(err.rule).toMatch(/currency: is not an ISO 4217 currency code/);
    const noAmount = thrown(() => loadCsvMap(JSON.stringify({ currency: 'EUR', columns: { bookingDate: 'Datum' } }), 'map.json'));
    expect(noAmount.rule).toBe('columns.amount: map either amount, or creditAmount and debitAmount');
    const both = thrown(() =>
      loadCsvMap(
        JSON.stringify({ currency: 'EUR', columns: { bookingDate: 'D', amount: 'A', creditAmount: 'C', debitAmount: 'B' } }),
        'map.json',
      ),
    );
    expect(both.rule).toMatch(/not both/);
    expect(
      thrown(() => loadCsvMap(JSON.stringify({ currency: 'EUR', dateFormat: 'DD.MM', columns: { bookingDate: 'D', amount: 'A' } }), 'm'))
        .rule,
    ).toMatch(/dateFormat: must name year, month and day/);
    expect(
      thrown(() => loadCsvMap(JSON.stringify({ header: false, currency: 'EUR', columns: { bookingDate: 'D', amount: 2 } }), 'm')).rule,
    ).toMatch(/columns\.bookingDate: without a header row, columns are named by position/);
    expect(thrown(() => loadCsvMap(JSON.stringify({ columns: { bookingDate: 1, amount: 2 } }), 'm')).rule).toMatch(
      /currency: give a currency, or map a currency column/,
    );
    expect(loadCsvMap(JSON.stringify(germanMap), 'map.json').columns.amount).toBe('Betrag');
  });
});

describe('CSV amounts, property-based', () => {
  const map: CsvMapInput = {
    delimiter: ';',
    decimalSeparator: ',',
    thousandsSeparator: '.',
    dateFormat: 'DD.MM.YYYY',
    currency: 'EUR',
    columns: { bookingDate: 1, amount: 2, remittance: 3 },
  };

  /** Formats minor units the way a German export does: "-1.234.567,89". */
  function germanAmount(minorUnits: number, grouped: boolean): string {
    const abs = Math.abs(minorUnits);
    const whole = String(Math.floor(abs / 100));
    const frac = String(abs % 100).padStart(2, '0');
    const wholeText = grouped ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.') : whole;
    return `${minorUnits < 0 ? '-' : ''}${wholeText},${frac}`;
  }

  it('parses any well-formed amount to exact minor units that round-trip through toDecimal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -9_000_000_000_000, max: 9_000_000_000_000 }).filter((n) => n !== 0),
        fc.boolean(),
        (n, grouped) => {
          const csv = `Datum;Betrag;Text\n15.03.2024;${germanAmount(n, grouped)};x\n`;
          const [tx] = parseStatement(csv, { fileName: 'p.csv', csvMap: map })[0]!.transactions;
          expect(tx!.amountMinor).toBe(Math.abs(n));
          expect(tx!.direction).toBe(n < 0 ? 'debit' : 'credit');
          expect(toDecimal(tx!.amountMinor, 'EUR')).toBe(`${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('either parses any row to exact minor units or refuses it with a StatementError, never another exception', () => {
    const cell = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 24 }),
      fc.stringMatching(/^[+-]?[0-9.]{0,16}(,[0-9]{0,4})?-?$/),
      fc.constantFrom('1,00', '0,00', '-0,01', '1.000,5', '999.999.999.999.999,99', '1e5', 'NaN', '', ' ', ';', '"', '\n'),
    );
    const date = fc.oneof(
      fc.constantFrom('15.03.2024', '29.02.2023', '31.12.1999', '00.01.2024'),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    fc.assert(
      fc.property(date, cell, fc.string({ maxLength: 30 }), (d, amount, text) => {
        const csv = `Datum;Betrag;Text\n${d};${amount};${text}\n`;
        try {
          for (const stmt of parseStatement(csv, { fileName: 'p.csv', csvMap: map, skipInvalid: false })) {
            for (const tx of stmt.transactions) {
              expect(Number.isSafeInteger(tx.amountMinor) && tx.amountMinor > 0).toBe(true);
              expect(parseDecimal(toDecimal(tx.amountMinor, tx.currency), tx.currency)).toBe(tx.amountMinor);
              expect(tx.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            }
          }
        } catch (err) {
          if (!(err instanceof StatementError)) throw err;
          expect(err.message).toContain('p.csv');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
