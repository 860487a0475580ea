/**
 * What an import tells the person who ran it: every problem with its row (as a spreadsheet shows
 * it, header = row 1), column, value and the rule it breaks; the counts; and, with --skip-invalid,
 * a rejects file they can fix and import again.
 */
import { writeFile } from 'node:fs/promises';
import { clipText } from '../../domain/text';

export type ImportKind = 'customers' | 'invoices' | 'payments';

export interface ImportIssue {
  /** 1-based row as in the file (the header is row 1); 1 for problems with the header itself. */
  row: number;
  /** The column at fault, or null when the problem is the whole row or file. */
  column: string | null;
  /** The value as it appears in the file, clipped to a readable length (clipIssue). */
  value: string | null;
  rule: string;
}

export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportResult {
  kind: ImportKind;
  file: string;
  /** Data rows in the file (the header not counted). */
  rows: number;
  /** True when rows were written (the file was clean, or --skip-invalid). */
  committed: boolean;
  counts: ImportCounts;
  issues: ImportIssue[];
  /** Distinct rows rejected. */
  rejectedRows: number;
  rejectsFile?: string;
}

/**
 * An issue as it is reported: the value, the column (a header cell) and the rule (which may quote one) cut to a readable
 * length, so a 100,000-character cell never comes back whole in a message or a rejects file.
 */
export function clipIssue(i: ImportIssue): ImportIssue {
  const column = i.column === null ? null : clipText(i.column);
  const value = i.value === null ? null : clipText(i.value);
  const rule = clipText(i.rule, 400);
  return column === i.column && value === i.value && rule === i.rule ? i : { ...i, column, value, rule };
}

/** A problem with the file as a whole (unreadable CSV, missing columns): nothing can be imported. */
export class ImportFileError extends Error {
  readonly issues: ImportIssue[];

  constructor(
    readonly file: string,
    issues: ImportIssue[],
  ) {
    const clipped = issues.map(clipIssue);
    super(`${file}: ${clipped.map(describeIssue).join('; ')}`);
    this.name = 'ImportFileError';
    this.issues = clipped;
  }
}

export function describeIssue(issue: ImportIssue): string {
  const i = clipIssue(issue);
  const where = i.column ? `row ${i.row}, column ${i.column}` : `row ${i.row}`;
  const value = i.value === null ? '' : ` ${JSON.stringify(i.value)}`;
  return `${where}:${value} ${i.rule}`;
}

/** Issues grouped by row, in file order: the reason written next to each rejected row. */
export function reasonsByRow(issues: ImportIssue[]): Map<number, string> {
  const byRow = new Map<number, string[]>();
  for (const i of [...issues].map(clipIssue).sort((a, b) => a.row - b.row)) {
    const text = `${i.column ?? 'row'}${i.value === null ? '' : ` ${JSON.stringify(i.value)}`}: ${i.rule}`;
    byRow.set(i.row, [...(byRow.get(i.row) ?? []), text]);
  }
  return new Map([...byRow].map(([row, texts]) => [row, texts.join('; ')]));
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Writes the rejected rows exactly as they were read, plus `row` (where to find it in the
 * original) and `reason`, so the file can be fixed and imported on its own.
 */
export async function writeRejects(
  path: string,
  header: string[],
  rows: { row: number; raw: string[] }[],
  reasons: Map<number, string>,
): Promise<void> {
  const lines = [[...header, 'row', 'reason'].map(csvField).join(',')];
  for (const r of rows) {
    const cells = header.map((_, i) => r.raw[i] ?? '');
    lines.push([...cells, String(r.row), reasons.get(r.row) ?? ''].map(csvField).join(','));
  }
  await writeFile(path, lines.join('\r\n') + '\r\n', 'utf8');
}

/** The human summary printed by `ar import`. */
export function formatResult(r: ImportResult, maxIssues = 50): string {
  const out: string[] = [];
  if (!r.committed) {
    out.push(`${r.file}: REFUSED — ${r.rejectedRows} of ${r.rows} rows have problems; nothing was imported.`);
  } else {
    out.push(
      `${r.file}: imported ${r.kind} — ${r.counts.inserted} inserted, ${r.counts.updated} updated, ${r.counts.unchanged} unchanged` +
        (r.rejectedRows ? `, ${r.rejectedRows} rejected` : '') +
        ` (${r.rows} rows).`,
    );
  }
  if (r.issues.length) {
    out.push('Problems (row as in the file, header = row 1):');
    for (const i of r.issues.slice(0, maxIssues)) out.push(`  ${describeIssue(i)}`);
    if (r.issues.length > maxIssues) out.push(`  … and ${r.issues.length - maxIssues} more`);
  }
  if (r.rejectsFile) out.push(`Rejected rows, with a reason column, written to ${r.rejectsFile}`);
  else if (!r.committed)
    out.push('Fix the rows and import again, or use --skip-invalid to import the valid rows and write the rest to a rejects file.');
  return out.join('\n');
}
