/**
 * Bank statement parsing for the cash room: camt.053/054, BAI2, MT940 and mapped CSV exports
 * into one ParsedStatement shape. Pure: the caller reads the file and passes its bytes and name.
 */
import { parseBai2 } from './bai2';
import { parseCamt } from './camt';
import { parseCsv } from './csv';
import { decodeInput } from './decode';
import { detectFormat, looksLikeXml } from './detect';
import { ParseContext } from './errors';
import { parseMt940 } from './mt940';
import { assertNoControlChars, splitLines } from './text';
import type { ParseOptions, ParsedStatement } from './types';

export { detectFormat } from './detect';
export { StatementError } from './errors';
export { csvMapSchema, loadCsvMap, parseCsvMap, type CsvMap, type CsvMapInput } from './csv-map';
export type {
  BankTransaction,
  Direction,
  ParsedStatement,
  ParseOptions,
  RejectedEntry,
  StatementBalance,
  StatementFormat,
} from './types';

/** A file may hold several statements: one per MT940 message, one per BAI2 account, one per camt Stmt. */
export function parseStatement(input: Buffer | string, options: ParseOptions): ParsedStatement[] {
  const ctx = new ParseContext(options.fileName, options.skipInvalid ?? false);
  // A DOS end-of-file mark (Ctrl-Z) after the last line is an old transfer tool's habit, not data.
  const text = decodeInput(input, options.encoding, ctx).replace(/\u001a+\s*$/, '');
  assertNoControlChars(text, ctx);
  if (text.trim() === '') ctx.fail('line 1', '', 'is empty');

  const requested = options.format ?? 'auto';
  const format = requested === 'auto' ? (detectFormat(text) ?? (options.csvMap ? 'csv' : null)) : requested;
  switch (format) {
    case 'camt053':
    case 'camt054':
      return parseCamt(text, requested === 'auto' ? undefined : format, ctx);
    case 'bai2':
      return parseBai2(text, ctx);
    case 'mt940':
      return parseMt940(text, ctx);
    case 'csv':
      return parseCsv(text, options.csvMap, ctx);
    default:
      // An XML file of another kind gets the camt parser's precise namespace message.
      if (looksLikeXml(text)) return parseCamt(text, undefined, ctx);
      return ctx.fail(
        'line 1',
        splitLines(text)[0] ?? '',
        'is not a recognised statement format (camt.053, camt.054, BAI2, MT940, or CSV with a csvMap)',
      );
  }
}
