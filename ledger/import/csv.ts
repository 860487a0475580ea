/**
 * Reads an import CSV: a header row, then one record per row. Tolerates what spreadsheets and ERPs
 * produce (a UTF-8 BOM, CRLF line endings, padded or differently-cased headers, blank lines) and
 * refuses what would silently lose data (unknown or duplicate columns, a missing required column).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import { decoder, DEFAULT_ENCODING, encodingProblem, undecodedCell } from './encoding';
import { ImportFileError, type ImportIssue } from './report';

export interface ColumnSpec {
  required: readonly string[];
  optional: readonly string[];
}

export interface CsvRow {
  /** Row as in the file: the line the record starts on (header = 1). */
  row: number;
  /** The fields as read, for the rejects file. */
  raw: string[];
  /** Fields by normalised column name; only columns present in the header appear. */
  values: Record<string, string>;
}

export interface CsvFile {
  /** Column names as written in the file. */
  rawHeader: string[];
  /** Normalised column names, in file order. */
  columns: string[];
  rows: CsvRow[];
  /**
   * Rows rejected without parsing: the field count does not match the header, or a cell's bytes
   * are not text in the file's encoding (invalid UTF-8, say) — never stored as U+FFFD.
   */
  malformed: ImportIssue[];
}

/** "Customer ID " → "customer_id": headers are matched trimmed, case-insensitively, with spaces as underscores. */
function normaliseHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function checkHeader(file: string, raw: string[], spec: ColumnSpec): string[] {
  const columns = raw.map(normaliseHeader);
  const known = new Set([...spec.required, ...spec.optional]);
  const issues: ImportIssue[] = [];
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === '') issues.push({ row: 1, column: null, value: raw[i] ?? '', rule: `column ${i + 1} has no name` });
    else if (seen.has(c)) issues.push({ row: 1, column: c, value: raw[i] ?? '', rule: 'appears twice in the header' });
    else if (!known.has(c)) {
      issues.push({
        row: 1,
        column: c,
        value: raw[i] ?? '',
        rule: `is not a known column (expected ${[...spec.required, ...spec.optional].join(', ')})`,
      });
    }
    seen.add(c);
  });
  for (const r of spec.required) {
    if (!seen.has(r)) issues.push({ row: 1, column: r, value: null, rule: 'is a required column and is missing from the header' });
  }
  if (issues.length) throw new ImportFileError(file, issues);
  return columns;
}

/** Line breaks inside quoted fields: the record spans that many more lines of the file. */
function lineBreaksIn(record: string[]): number {
  let n = 0;
  for (const f of record) if (f.includes('\n') || f.includes('\r')) n += f.match(/\r\n|\r|\n/g)!.length;
  return n;
}

/** A blank line (or one of only separators and spaces); usually decided by the first field. */
function isBlank(record: string[]): boolean {
  for (const f of record) if (/\S/.test(f)) return false;
  return true;
}

/** The first cell of a record that did not decode, as an issue naming its row and column. */
function undecoded(record: string[], columns: string[], row: number, encoding: string): ImportIssue | null {
  for (let i = 0; i < record.length; i++) {
    const bad = undecodedCell(record[i]!, encoding);
    if (bad) return { row, column: columns[i] ?? null, value: bad.shown, rule: bad.rule };
  }
  return null;
}

export async function readCsv(
  file: string,
  spec: ColumnSpec,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
  encoding: string = DEFAULT_ENCODING,
): Promise<CsvFile> {
  const unusable = encodingProblem(encoding);
  if (unusable) throw new ImportFileError(file, [{ row: 1, column: null, value: encoding, rule: `encoding ${unusable}` }]);
  const total = (await stat(file)).size;
  const stream = createReadStream(file);
  // skip_empty_lines stays off so blank lines are seen and row numbers match the file.
  const parser = stream.pipe(decoder(encoding)).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: false }));
  let rawHeader: string[] | undefined;
  let columns: string[] = [];
  const rows: CsvRow[] = [];
  const malformed: ImportIssue[] = [];
  let nextLine = 1;
  let sinceReport = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      // Counted here rather than taken from csv-parse's info, which counts a CRLF inside quotes as two lines.
      const row = nextLine;
      nextLine += 1 + lineBreaksIn(record);
      if (isBlank(record)) continue;
      if (!rawHeader) {
        const bad = undecoded(record, [], row, encoding);
        if (bad) throw new ImportFileError(file, [{ ...bad, rule: `the header ${bad.rule}` }]);
        rawHeader = record;
        columns = checkHeader(file, record, spec);
        continue;
      }
      const bad = undecoded(record, columns, row, encoding);
      if (bad) {
        malformed.push(bad);
        // The rejects file shows the bad bytes as \xE9: text, like the rest of that file.
        rows.push({ row, raw: record.map((c) => undecodedCell(c, encoding)?.shown ?? c), values: {} });
        continue;
      }
      if (record.length !== columns.length) {
        malformed.push({ row, column: null, value: null, rule: `has ${record.length} fields, the header has ${columns.length}` });
        rows.push({ row, raw: record, values: {} });
        continue;
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) values[columns[i]!] = record[i]!;
      rows.push({ row, raw: record, values });
      if (onProgress && ++sinceReport >= 5000) {
        sinceReport = 0;
        onProgress(stream.bytesRead, total);
      }
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? nextLine;
      throw new ImportFileError(file, [{ row: line, column: null, value: null, rule: `is not valid CSV: ${err.message}` }]);
    }
    throw err;
  }
  if (!rawHeader)
    throw new ImportFileError(file, [{ row: 1, column: null, value: null, rule: 'the file is empty: expected a header row' }]);
  onProgress?.(total, total);
  return { rawHeader, columns, rows, malformed };
}
