/**
 * The one normalised shape every bank statement format is parsed into. Money is integer minor
 * units with an ISO 4217 currency; dates of business meaning are ISO calendar dates (YYYY-MM-DD).
 */
import type { Minor } from '../../domain/money';
import type { CsvMapInput } from './csv-map';

export type StatementFormat = 'camt053' | 'camt054' | 'bai2' | 'mt940' | 'csv';

export type Direction = 'credit' | 'debit';

/** A balance as the bank reported it: negative minor units for a debit (overdrawn) balance. */
export interface StatementBalance {
  readonly amountMinor: Minor;
  readonly currency: string;
  readonly date: string;
}

export interface BankTransaction {
  /**
   * The bank's own reference for the transaction: camt AcctSvcrRef of the TxDtls, else of the
   * entry, else NtryRef; BAI2 the 16 record's bank reference; MT940 the :61: reference after
   * "//", else the customer reference. Null when the file carries none ("NONREF" counts as none).
   */
  readonly entryRef: string | null;
  readonly bookingDate: string;
  readonly valueDate: string | null;
  /** Always positive; the sign lives in `direction`. */
  readonly amountMinor: Minor;
  readonly currency: string;
  readonly direction: Direction;
  /**
   * The counterparty as the file names it: for a credit the payer (debtor), for a debit the
   * payee (creditor). The field keeps the receivables view's name because credits are what
   * cash application matches.
   */
  readonly payerName: string | null;
  /** An IBAN in electronic format when it validates, else the account id exactly as given. */
  readonly payerAccount: string | null;
  /** False for any account that is not a valid IBAN, including a mistyped one. */
  readonly payerAccountIsIban: boolean;
  /** Unstructured remittance text, joined with single spaces; '' when there is none. */
  readonly remittance: string;
  /** Creditor references, RF references, invoice numbers, EREF/KREF/MREF values. */
  readonly structuredRefs: readonly string[];
  readonly endToEndId: string | null;
  readonly isReturn: boolean;
  readonly returnReason: string | null;
  readonly bankTxCode: string | null;
  /** Bank narrative that is not remittance (camt AddtlTxInf/AddtlNtryInf, MT940 ?00 posting text). */
  readonly additionalInfo: string | null;
  /** False only for camt entries whose status is not BOOK (pending or information only). */
  readonly booked: boolean;
  /** The raw record text, or a compact JSON of the XML node, for storage and audit. */
  readonly raw: string;
  /** Line number or element path, for messages that send a person back to the file. */
  readonly location: string;
}

/** One entry refused under `skipInvalid`: where, what, and which rule it broke. */
export interface RejectedEntry {
  readonly location: string;
  readonly value: string;
  readonly rule: string;
}

export interface ParsedStatement {
  readonly format: StatementFormat;
  /** The statement's own id: camt Stmt/Ntfctn Id, BAI2 date/file id/group/account, MT940 :20:/:28C:. */
  readonly statementId: string;
  readonly accountId: string;
  /** The account as an IBAN when it is one, else null. */
  readonly iban: string | null;
  readonly currency: string;
  readonly openingBalance?: StatementBalance;
  readonly closingBalance?: StatementBalance;
  readonly transactions: readonly BankTransaction[];
  /** Always empty unless `skipInvalid` was set. */
  readonly rejected: readonly RejectedEntry[];
}

export interface ParseOptions {
  /** The name errors report; the caller knows it, the bytes do not. */
  readonly fileName: string;
  readonly format?: 'auto' | StatementFormat;
  readonly csvMap?: CsvMapInput;
  /** Keep the good entries and list the bad ones instead of refusing the whole file. */
  readonly skipInvalid?: boolean;
  /** Decode a Buffer with this encoding (iconv-lite name, e.g. latin1, windows-1252). */
  readonly encoding?: string;
}
