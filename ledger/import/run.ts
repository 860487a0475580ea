/**
 * One import, start to finish: read the CSV, validate every row, check references against the
 * ledger, then write everything in ONE transaction — or nothing at all when any row is bad
 * (unless skipInvalid, which writes the good rows and puts the bad ones in a rejects file).
 */
import type { Db, Tx } from '../../db/client';
import { planCustomers, planInvoices, planPayments } from './checks';
import { readCsv, type CsvRow } from './csv';
import { knownCustomerIds, loadCustomers, loadInvoices, loadPayments } from './existing';
import { clipIssue, reasonsByRow, writeRejects, type ImportCounts, type ImportIssue, type ImportKind, type ImportResult } from './report';
import { COLUMNS, validateCustomer, validateInvoice, validatePayment, type CustomerRow, type InvoiceRow, type PaymentRow } from './schemas';
import { writeCustomers, writeInvoices, writePayments } from './upsert';

type ImportPhase = 'reading' | 'writing';

export interface ImportOptions {
  /** Import the valid rows and write the rejected ones (plus a reason column) to rejectsPath. */
  skipInvalid?: boolean;
  /** Default: next to the input, invoices.csv → invoices.rejected.csv. */
  rejectsPath?: string;
  onProgress?: (phase: ImportPhase, done: number, total: number) => void;
  /** The file's character encoding (iconv-lite names: latin1, windows-1252, …); UTF-8 by default, strictly. */
  encoding?: string;
}

/** Raised inside the transaction to roll it back when the file is refused. */
class Refused extends Error {}

function validateAll<T>(rows: CsvRow[], malformed: Set<number>, validate: (r: CsvRow) => { data?: T; issues: ImportIssue[] }) {
  const valid: T[] = [];
  const issues: ImportIssue[] = [];
  for (const r of rows) {
    if (malformed.has(r.row)) continue;
    const v = validate(r);
    if (v.data) valid.push(v.data);
    else issues.push(...v.issues);
  }
  return { valid, issues };
}

type Writer = (
  tx: Tx,
  progress?: (written: number, total: number) => void,
) => Promise<{ issues: ImportIssue[]; write: () => Promise<ImportCounts> }>;

/** Per kind: validate rows, then (in the transaction) load, check and prepare the write. */
function prepare(kind: ImportKind, rows: CsvRow[], malformed: Set<number>): { issues: ImportIssue[]; plan: Writer } {
  if (kind === 'customers') {
    const { valid, issues } = validateAll<CustomerRow>(rows, malformed, validateCustomer);
    return {
      issues,
      plan: async (tx, progress) => {
        const s = await loadCustomers(
          tx,
          valid.map((r) => r.id),
        );
        const p = planCustomers(valid, s.customers, s.contacts);
        return { issues: p.issues, write: () => writeCustomers(tx, p.customers, p.contactInserts, p.contactUpdates, progress) };
      },
    };
  }
  if (kind === 'invoices') {
    const { valid, issues } = validateAll<InvoiceRow>(rows, malformed, validateInvoice);
    return {
      issues,
      plan: async (tx, progress) => {
        const known = await knownCustomerIds(
          tx,
          valid.map((r) => r.customerId),
        );
        const stored = await loadInvoices(
          tx,
          valid.map((r) => r.number),
        );
        const p = planInvoices(valid, known, stored);
        return { issues: p.issues, write: () => writeInvoices(tx, p.invoices, p.accepted, progress) };
      },
    };
  }
  const { valid, issues } = validateAll<PaymentRow>(rows, malformed, validatePayment);
  return {
    issues,
    plan: async (tx, progress) => {
      const known = await knownCustomerIds(
        tx,
        valid.map((r) => r.customerId),
      );
      const invoices = await loadInvoices(
        tx,
        valid.flatMap((r) => (r.invoiceNumber ? [r.invoiceNumber] : [])),
      );
      const stored = await loadPayments(
        tx,
        valid.map((r) => r.id),
      );
      const p = planPayments(valid, known, invoices, stored.payments, stored.applications);
      return { issues: p.issues, write: () => writePayments(tx, p, progress) };
    },
  };
}

export async function importFile(db: Db, kind: ImportKind, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const csv = await readCsv(file, COLUMNS[kind], (done, total) => opts.onProgress?.('reading', done, total), opts.encoding);
  const malformed = new Set(csv.malformed.map((i) => i.row));
  const prepared = prepare(kind, csv.rows, malformed);
  let issues: ImportIssue[] = [...csv.malformed, ...prepared.issues];
  let counts: ImportCounts = { inserted: 0, updated: 0, unchanged: 0 };
  let committed = false;

  try {
    await db.transaction(async (tx) => {
      const checked = await prepared.plan(tx, (n, total) => opts.onProgress?.('writing', n, total));
      issues = [...issues, ...checked.issues].sort((a, b) => a.row - b.row);
      if (issues.length && !opts.skipInvalid) throw new Refused();
      counts = await checked.write();
      committed = true;
    });
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
  }

  const rejected = new Set(issues.map((i) => i.row));
  const result: ImportResult = {
    kind,
    file,
    rows: csv.rows.length,
    committed,
    counts,
    issues: issues.map(clipIssue),
    rejectedRows: rejected.size,
  };
  if (committed && rejected.size) {
    result.rejectsFile = opts.rejectsPath ?? defaultRejectsPath(file);
    await writeRejects(
      result.rejectsFile,
      csv.rawHeader,
      csv.rows.filter((r) => rejected.has(r.row)),
      reasonsByRow(issues),
    );
  }
  return result;
}

function defaultRejectsPath(file: string): string {
  return file.replace(/(\.csv)?$/i, '.rejected.csv');
}
