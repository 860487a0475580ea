/**
 * Storing a bank file, idempotently: the file by its SHA-256, each statement by (account, the
 * bank's statement id), each transaction by (statement, position). Parsing happens first and
 * whole, so a refused file (a StatementError) stores nothing; everything a file adds is written
 * in one database transaction.
 */
import { createHash } from 'node:crypto';
import { schema, type Db } from '../db/client';
import { parseStatement, type ParsedStatement, type ParseOptions, type RejectedEntry, type StatementFormat } from './statements';
import { statementKey } from './keys';

export interface StoredStatement {
  key: string;
  statementId: string;
  accountId: string;
  format: StatementFormat;
  currency: string;
  transactions: number;
  credits: number;
  debits: number;
  /** False when this statement was already stored (from this file or another export of it). */
  stored: boolean;
}

export interface BankFileImport {
  fileName: string;
  sha256: string;
  /** The exact bytes were imported before: nothing new was stored. */
  alreadyImported: boolean;
  statements: StoredStatement[];
  rejected: RejectedEntry[];
}

const DEBIT_REASON = 'A debit (money out): stored for the record, never matched to invoices';

export async function importBankFile(db: Db, bytes: Buffer, opts: ParseOptions & { importedBy: string }): Promise<BankFileImport> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const parsed = parseStatement(bytes, opts);
  const rejected = parsed.flatMap((s) => s.rejected);
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(schema.bankFiles)
      .values({
        sha256,
        fileName: opts.fileName,
        format: parsed[0]?.format ?? 'unknown',
        byteSize: bytes.length,
        importedBy: opts.importedBy,
      })
      .onConflictDoNothing()
      .returning({ sha256: schema.bankFiles.sha256 });
    const alreadyImported = inserted.length === 0;
    const statements: StoredStatement[] = [];
    for (const s of parsed) statements.push(await storeStatement(tx, sha256, s, !alreadyImported));
    return { fileName: opts.fileName, sha256, alreadyImported, statements, rejected };
  });
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function storeStatement(tx: Tx, sha256: string, s: ParsedStatement, mayStore: boolean): Promise<StoredStatement> {
  const key = statementKey(s);
  const credits = s.transactions.filter((t) => t.direction === 'credit').length;
  const summary = {
    key,
    statementId: s.statementId,
    accountId: s.accountId,
    format: s.format,
    currency: s.currency,
    transactions: s.transactions.length,
    credits,
    debits: s.transactions.length - credits,
  };
  if (!mayStore) return { ...summary, stored: false };
  const rows = await tx
    .insert(schema.bankStatements)
    .values({
      id: key,
      fileSha256: sha256,
      statementId: s.statementId,
      accountId: s.accountId,
      iban: s.iban,
      format: s.format,
      currency: s.currency,
      openingBalance: s.openingBalance ?? null,
      closingBalance: s.closingBalance ?? null,
      transactionCount: s.transactions.length,
      rejected: s.rejected,
    })
    .onConflictDoNothing()
    .returning({ id: schema.bankStatements.id });
  if (rows.length === 0) return { ...summary, stored: false };
  // Batches keep each INSERT well under PostgreSQL's 65,535 parameters on a big statement.
  const values = s.transactions.map((t, i) => ({
    statementKey: key,
    seq: i + 1,
    entryRef: t.entryRef,
    bookingDate: t.bookingDate,
    valueDate: t.valueDate,
    amountMinor: t.amountMinor,
    currency: t.currency,
    direction: t.direction,
    payerName: t.payerName,
    payerAccount: t.payerAccount,
    remittance: t.remittance,
    structuredRefs: [...t.structuredRefs],
    endToEndId: t.endToEndId,
    isReturn: t.isReturn,
    returnReason: t.returnReason,
    bankTxCode: t.bankTxCode,
    additionalInfo: t.additionalInfo,
    booked: t.booked,
    raw: t.raw,
    location: t.location,
    status: t.direction === 'debit' ? ('ignored' as const) : ('unapplied' as const),
    reasons: t.direction === 'debit' ? [DEBIT_REASON] : [],
  }));
  for (let i = 0; i < values.length; i += 500) await tx.insert(schema.bankTransactions).values(values.slice(i, i + 500));
  return { ...summary, stored: true };
}
