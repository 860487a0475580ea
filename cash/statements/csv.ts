/**
 * Bank CSV exports, read through a column mapping (csv-map.ts): which column holds what, the
 * delimiter, decimal comma, date format and how the sign or a direction column reads.
 * A mapping that does not fit the file (a named column missing from the header) refuses the
 * file; a row that does not fit (a bad amount or date, too few fields) is one bad entry.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { currencyCode, decimalMinor } from './amounts';
import { type ColumnRef, type CsvMap, type CsvMapInput, parseCsvMap } from './csv-map';
import { compileDateFormat } from './dates';
import type { ParseContext } from './errors';
import { accountId, addRefs, creditorReferencesIn } from './references';
import { collapse, lineAt } from './text';
import type { BankTransaction, Direction, ParsedStatement, RejectedEntry } from './types';

interface CsvRecord {
  readonly record: string[];
  readonly raw: string;
  readonly info: { readonly lines: number };
}

type Columns = { [K in keyof CsvMap['columns']]-?: number[] };

export function parseCsv(text: string, mapInput: CsvMapInput | undefined, ctx: ParseContext): ParsedStatement[] {
  if (!mapInput)
    ctx.fail('options.csvMap', '', 'a CSV statement needs a column mapping (csvMap: which column holds the date, the amount …)');
  const map = parseCsvMap(mapInput, ctx.fileName);
  // csv-parse miscounts lines after a CRLF inside quotes; with LF only its line numbers hold.
  const lf = text.replace(/\r\n?/g, '\n');

  // The header is checked against the mapping before the rows: a wrong delimiter or a renamed
  // column then reads as "mapping does not fit", not as a quoting error somewhere below.
  let header: string[] | null = null;
  let headerLine = map.skipLines + 1;
  if (map.header) {
    const first = readCsv(lf, map, ctx, map.skipLines + 1)[0];
    if (!first) ctx.fail(`line ${headerLine}`, '', 'has no header row (the mapping says the file has one)');
    header = first.record.map((h) => h.trim());
    headerLine = startLine(first);
  }
  const columns = resolveColumns(map, header, headerLine, ctx);
  const records = readCsv(lf, map, ctx);
  const rows = map.header ? records.slice(1) : records;
  const parseDate = compileDateFormat(map.dateFormat);

  const rejected: RejectedEntry[] = [];
  const transactions: BankTransaction[] = [];
  for (const row of rows) {
    if (row.record.every((cell) => cell.trim() === '')) continue; // trailing ";;;" lines
    const tx = ctx.entry(rejected, () => transaction(row, columns, map, parseDate, ctx));
    if (tx) transactions.push(tx);
  }

  const account = accountId(map.accountId);
  return [
    {
      format: 'csv',
      statementId: map.statementId ?? ctx.fileName,
      accountId: account?.account ?? '',
      iban: account?.isIban ? account.account : null,
      currency: map.currency ?? transactions[0]?.currency ?? '',
      transactions,
      rejected,
    },
  ];
}

function readCsv(text: string, map: CsvMap, ctx: ParseContext, toLine?: number): CsvRecord[] {
  try {
    return parse(text, {
      delimiter: map.delimiter,
      quote: map.quote,
      from_line: map.skipLines + 1,
      ...(toLine === undefined ? {} : { to_line: toLine }),
      relax_column_count: true, // rows are checked against the mapping one by one below
      skip_empty_lines: true,
      info: true,
      raw: true,
    }) as unknown as CsvRecord[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as unknown as { lines: number }).lines : 1;
      ctx.fail(`line ${line}`, lineAt(text, line), `is not valid CSV with delimiter "${map.delimiter}": ${err.message}`);
    }
    throw err;
  }
}

/** A record's first line: csv-parse reports the last, and a quoted field may span lines. */
function startLine(r: CsvRecord): number {
  const core = r.raw.replace(/^\n+/, '').replace(/\n$/, '');
  return r.info.lines - (core.match(/\n/g)?.length ?? 0);
}

function resolveColumns(map: CsvMap, header: string[] | null, headerLine: number, ctx: ParseContext): Columns {
  const resolve = (name: string, ref: ColumnRef): number => {
    if (typeof ref === 'number') {
      if (header && ref > header.length) {
        ctx.fail(
          `line ${headerLine}`,
          header.join(map.delimiter),
          `mapping does not fit: columns.${name} is column ${ref}, but the header has ${header.length} columns`,
        );
      }
      return ref - 1;
    }
    const exact = header!.indexOf(ref);
    const index = exact !== -1 ? exact : header!.findIndex((h) => h.toLowerCase() === ref.toLowerCase());
    if (index === -1) {
      ctx.fail(
        `line ${headerLine}`,
        header!.join(map.delimiter),
        `mapping does not fit: columns.${name} is "${ref}", which is not in the header (${header!.map((h) => `"${h}"`).join(', ')})`,
      );
    }
    return index;
  };
  const out: Record<string, number[]> = {};
  for (const [name, refs] of Object.entries(map.columns)) {
    if (refs === undefined) continue;
    out[name] = (Array.isArray(refs) ? refs : [refs]).map((r) => resolve(name, r));
  }
  return out as Columns;
}

function transaction(
  row: CsvRecord,
  columns: Columns,
  map: CsvMap,
  parseDate: (t: string) => string | null,
  ctx: ParseContext,
): BankTransaction {
  const at = `line ${startLine(row)}`;
  const raw = row.raw.replace(/^\n+/, '').replace(/\n$/, '');
  // The row must reach the last mapped column; naming that column says which part does not fit.
  let widest: [string, number] = ['', -1];
  for (const [name, indexes] of Object.entries(columns)) for (const i of indexes) if (i > widest[1]) widest = [name, i];
  if (widest[1] >= row.record.length)
    ctx.fail(at, raw, `row has ${row.record.length} fields, but columns.${widest[0]} is column ${widest[1] + 1}`);
  const cell = (name: keyof Columns): string | null => {
    const indexes = columns[name];
    if (!indexes) return null;
    const values = indexes.map((i) => row.record[i]!.trim());
    const joined = values.filter(Boolean).join(' ');
    return joined === '' ? null : joined;
  };

  const date = (name: 'bookingDate' | 'valueDate'): string | null => {
    const text = cell(name);
    if (text === null) return null;
    const iso = parseDate(text);
    if (!iso) ctx.fail(at, text, `${name} is not a date in the format ${map.dateFormat}`);
    return iso;
  };
  const bookingDate = date('bookingDate');
  if (!bookingDate) ctx.fail(at, raw, 'bookingDate is empty');

  const currencyText = cell('currency') ?? map.currency;
  if (!currencyText) ctx.fail(at, raw, 'currency is empty and the mapping gives no default currency');
  const currency = currencyCode(currencyText.toUpperCase(), at, ctx);

  const { amountMinor, direction } = amountAndDirection(cell, map, currency, at, raw, ctx);
  const remittance = collapse(cell('remittance') ?? '');
  const payer = accountId(cell('payerAccount'));
  const endToEndId = cell('endToEndId');
  return {
    entryRef: cell('reference'),
    bookingDate,
    valueDate: date('valueDate'),
    amountMinor,
    currency,
    direction,
    payerName: cell('payerName'),
    payerAccount: payer?.account ?? null,
    payerAccountIsIban: payer?.isIban ?? false,
    remittance,
    structuredRefs: addRefs(
      [],
      ...(columns.structuredRefs ?? []).map((i) => row.record[i]?.trim()),
      endToEndId,
      ...creditorReferencesIn(remittance),
    ),
    endToEndId,
    isReturn: false,
    returnReason: null,
    bankTxCode: cell('bankTxCode'),
    additionalInfo: null,
    booked: true,
    raw,
    location: at,
  };
}

function amountAndDirection(
  cell: (name: keyof Columns) => string | null,
  map: CsvMap,
  currency: string,
  at: string,
  raw: string,
  ctx: ParseContext,
): { amountMinor: BankTransaction['amountMinor']; direction: Direction } {
  const signed = (name: 'amount' | 'creditAmount' | 'debitAmount') => {
    const text = cell(name);
    return text === null ? null : decimalMinor(decimalString(text, map, at, ctx), currency, at, ctx);
  };
  let value: number;
  let direction: Direction;
  if (map.columns.creditAmount !== undefined) {
    const credit = signed('creditAmount');
    const debit = signed('debitAmount');
    const filled = [credit, debit].filter((v) => v !== null && v !== 0);
    if (filled.length !== 1) ctx.fail(at, raw, 'exactly one of creditAmount and debitAmount must hold a non-zero amount');
    direction = credit !== null && credit !== 0 ? 'credit' : 'debit';
    value = Math.abs((credit || debit)!);
  } else {
    const amount = signed('amount');
    if (amount === null) ctx.fail(at, raw, 'amount is empty');
    const marker = cell('direction');
    if (map.columns.direction !== undefined) {
      const m = marker?.toUpperCase() ?? '';
      if (map.directionValues.credit.some((v) => v.toUpperCase() === m)) direction = 'credit';
      else if (map.directionValues.debit.some((v) => v.toUpperCase() === m)) direction = 'debit';
      else
        ctx.fail(
          at,
          marker ?? '',
          `direction is neither a credit (${map.directionValues.credit.join(', ')}) nor a debit (${map.directionValues.debit.join(', ')}) value`,
        );
      if (amount < 0 && direction === 'credit') ctx.fail(at, raw, 'amount is negative but the direction column says credit');
    } else {
      const negativeIsDebit = map.sign === 'negativeIsDebit';
      direction = amount < 0 === negativeIsDebit ? 'debit' : 'credit';
    }
    value = Math.abs(amount);
  }
  if (value === 0) ctx.fail(at, raw, 'amount must be greater than zero');
  return { amountMinor: value as BankTransaction['amountMinor'], direction };
}

/**
 * Rewrites an export's number ("-1.234,56", "1 234.56", "12,50-") as a plain decimal string
 * for parseDecimal; grouping is only accepted in groups of three.
 */
function decimalString(text: string, map: CsvMap, at: string, ctx: ParseContext): string {
  let s = text.trim();
  let sign = '';
  if (/^[+-]/.test(s)) {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1).trim();
  } else if (/-$/.test(s)) {
    sign = '-';
    s = s.slice(0, -1).trim();
  }
  const dec = map.decimalSeparator === ',' ? ',' : '\\.';
  const group = map.thousandsSeparator ? `(?:\\d{1,3}(?:${map.thousandsSeparator.replace(/[.]/, '\\.')}\\d{3})+|\\d+)` : '\\d+';
  const m = new RegExp(`^(${group})(?:${dec}(\\d+))?$`).exec(s);
  if (!m) {
    ctx.fail(
      at,
      text,
      `is not an amount with decimal separator "${map.decimalSeparator}"${map.thousandsSeparator ? ` and thousands separator "${map.thousandsSeparator}"` : ''}`,
    );
  }
  const whole = map.thousandsSeparator ? m[1]!.split(map.thousandsSeparator).join('') : m[1]!;
  return `${sign}${whole}${m[2] !== undefined ? `.${m[2]}` : ''}`;
}
