/**
 * The column mapping for a bank's CSV export, as a zod schema so a CLI can load
 * `--csv-map FILE` (JSON) and report every mistake with its path. Columns are named by their
 * header text, or by their 1-based position (as a spreadsheet counts) when there is no header.
 */
import { z } from 'zod';
import { isCurrency } from '../../domain/money';
import { isCompleteDateFormat } from './dates';
import { StatementError } from './errors';

const columnRef = z.union([z.string().trim().min(1, 'is an empty column name'), z.number().int().min(1, 'column positions start at 1')]);
const columnRefs = z.union([columnRef, z.array(columnRef).min(1)]);

const columns = z.strictObject({
  bookingDate: columnRef,
  valueDate: columnRef.optional(),
  /** One signed amount column... */
  amount: columnRef.optional(),
  /** ...or two unsigned ones, one filled per row. */
  creditAmount: columnRef.optional(),
  debitAmount: columnRef.optional(),
  /** A column saying credit or debit; its values are listed in `directionValues`. */
  direction: columnRef.optional(),
  currency: columnRef.optional(),
  /** The bank's reference for the transaction (becomes entryRef). */
  reference: columnRef.optional(),
  payerName: columnRef.optional(),
  payerAccount: columnRef.optional(),
  /** Several columns are joined with spaces (exports often split the purpose text). */
  remittance: columnRefs.optional(),
  endToEndId: columnRef.optional(),
  bankTxCode: columnRef.optional(),
  structuredRefs: columnRefs.optional(),
});

export const csvMapSchema = z
  .strictObject({
    delimiter: z.string().length(1, 'must be one character (e.g. "," ";" or "\\t")').default(','),
    quote: z.string().length(1, 'must be one character').default('"'),
    /** False when the first row is already data; then every column must be a position. */
    header: z.boolean().default(true),
    /** Lines to skip before the header (bank exports often start with an account preamble). */
    skipLines: z.number().int().min(0).default(0),
    decimalSeparator: z.enum(['.', ',']).default('.'),
    thousandsSeparator: z.enum(['', ',', '.', ' ', "'"]).default(''),
    dateFormat: z
      .string()
      .refine(isCompleteDateFormat, 'must name year, month and day once each (tokens YYYY or YY, MM or M, DD or D), e.g. "DD.MM.YYYY"')
      .default('YYYY-MM-DD'),
    /** How a signed amount column reads; ignored with a direction column or split columns. */
    sign: z.enum(['negativeIsDebit', 'negativeIsCredit']).default('negativeIsDebit'),
    directionValues: z
      .strictObject({ credit: z.array(z.string().trim().min(1)).min(1), debit: z.array(z.string().trim().min(1)).min(1) })
      .default({ credit: ['C', 'CR', 'CRDT', 'CREDIT', '+'], debit: ['D', 'DR', 'DBIT', 'DEBIT', '-'] }),
    /** The currency of every row, unless a currency column is mapped. */
    currency: z.string().refine(isCurrency, 'is not an ISO 4217 currency code (e.g. EUR)').optional(),
    /** The account the export belongs to (a CSV rarely says). */
    accountId: z.string().trim().min(1).optional(),
    statementId: z.string().trim().min(1).optional(),
    columns,
  })
  .superRefine((map, ctx) => {
    const c = map.columns;
    const split = c.creditAmount !== undefined || c.debitAmount !== undefined;
    if (c.amount === undefined && !split)
      ctx.addIssue({ code: 'custom', path: ['columns', 'amount'], message: 'map either amount, or creditAmount and debitAmount' });
    if (c.amount !== undefined && split)
      ctx.addIssue({
        code: 'custom',
        path: ['columns', 'amount'],
        message: 'map either amount, or creditAmount and debitAmount, not both',
      });
    if (split && (c.creditAmount === undefined || c.debitAmount === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns', c.creditAmount === undefined ? 'creditAmount' : 'debitAmount'],
        message: 'split amounts need both creditAmount and debitAmount',
      });
    }
    if (split && c.direction !== undefined)
      ctx.addIssue({ code: 'custom', path: ['columns', 'direction'], message: 'a direction column goes with a single amount column' });
    if (c.currency === undefined && map.currency === undefined)
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'give a currency, or map a currency column' });
    if (map.decimalSeparator === map.thousandsSeparator)
      ctx.addIssue({ code: 'custom', path: ['thousandsSeparator'], message: 'must differ from decimalSeparator' });
    if (!map.header) {
      for (const [name, ref] of Object.entries(c)) {
        const refs = Array.isArray(ref) ? ref : [ref];
        if (refs.some((r) => typeof r === 'string'))
          ctx.addIssue({
            code: 'custom',
            path: ['columns', name],
            message: 'without a header row, columns are named by position (1, 2, …)',
          });
      }
    }
  });

export type CsvMap = z.output<typeof csvMapSchema>;
export type CsvMapInput = z.input<typeof csvMapSchema>;
export type ColumnRef = z.output<typeof columnRef>;

/** Validates a mapping given in code (or already parsed JSON); problems become one StatementError. */
export function parseCsvMap(value: unknown, fileName: string): CsvMap {
  const result = csvMapSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(mapping)'}: ${i.message}`);
  throw new StatementError(
    fileName,
    problems.length === 1 ? 'CSV mapping' : `CSV mapping (${problems.length} problems)`,
    '',
    problems.join('; '),
  );
}

/** Loads a mapping file's JSON text (for `--csv-map FILE`). */
export function loadCsvMap(jsonText: string, fileName: string): CsvMap {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (err) {
    throw new StatementError(fileName, 'CSV mapping', jsonText.slice(0, 80), `is not valid JSON (${(err as Error).message})`);
  }
  return parseCsvMap(value, fileName);
}
