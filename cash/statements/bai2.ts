/**
 * BAI2 cash-management balance reports: file (01/99) → groups (02/98) → accounts (03/49) →
 * transaction details (16, continued by 88). Every trailer's control total (the sum of all
 * amounts in its 03 and 16 records, funds-availability splits excluded) and record count is
 * checked: BAI2 has no other defence against a truncated or edited file.
 */
import { currencyCode, impliedDecimalMinor } from './amounts';
import { type Bai2Record, FieldCursor, readRecords } from './bai2-records';
import { CLOSING_LEDGER, directionOf, NON_MONETARY, OPENING_LEDGER, RETURN_CODES } from './bai2-codes';
import { yymmdd } from './dates';
import type { ParseContext } from './errors';
import { accountId, addRefs, creditorReferencesIn } from './references';
import { collapse } from './text';
import type { BankTransaction, ParsedStatement, RejectedEntry, StatementBalance } from './types';

/** BAI2's default when neither the group nor the account names a currency. */
const DEFAULT_CURRENCY = 'USD';

export function parseBai2(text: string, ctx: ParseContext): ParsedStatement[] {
  const records = readRecords(text, ctx);
  const reader = new RecordReader(records, ctx);
  const statements: ParsedStatement[] = [];

  const header = reader.expect('01');
  const h = new FieldCursor([header]);
  const sender = h.next() ?? '';
  h.next(); // receiver
  const creationDate = yymmdd(h.next() ?? '', `line ${header.line}`, ctx);
  h.next(); // creation time
  const fileId = h.next() ?? '';
  h.next(); // physical record length
  h.next(); // block size
  const version = h.next() ?? '';
  if (version !== '2') ctx.fail(`line ${header.line}`, header.text, `has BAI version "${version}"; only version 2 is supported`);
  if (!sender || !fileId) ctx.fail(`line ${header.line}`, header.text, 'names no sender or file identification number');

  let fileTotal = 0;
  let groups = 0;
  let complete = true; // false once an entry is skipped: its amount is then missing from the sums
  while (reader.peek()?.code === '02') {
    groups++;
    const group = parseGroup(reader, `${creationDate}/${fileId}/${groups}`, ctx);
    statements.push(...group.statements);
    fileTotal += group.total;
    complete &&= group.complete;
  }
  const trailer = reader.expect('99');
  const t = new FieldCursor(reader.withContinuations(trailer));
  if (complete) checkTotal(trailer, t.next(), fileTotal, 'file', ctx);
  else t.next();
  checkCount(trailer, t.next(), groups, 'number of groups', ctx);
  checkCount(trailer, t.next(), reader.consumed, 'number of records in the file', ctx);
  const extra = reader.peek();
  if (extra) ctx.fail(`line ${extra.line}`, extra.text, 'follows the 99 file trailer');
  return statements;
}

function parseGroup(reader: RecordReader, idPrefix: string, ctx: ParseContext) {
  const start = reader.consumed;
  const header = reader.expect('02');
  const g = new FieldCursor(reader.withContinuations(header));
  g.next(); // ultimate receiver
  g.next(); // originator
  g.next(); // group status
  const asOfDate = yymmdd(g.next() ?? '', `line ${header.line}`, ctx);
  g.next(); // as-of time
  const groupCurrencyText = g.next() ?? '';
  const groupCurrency = groupCurrencyText ? currencyCode(groupCurrencyText, `line ${header.line}`, ctx) : DEFAULT_CURRENCY;

  const statements: ParsedStatement[] = [];
  let total = 0;
  let accounts = 0;
  let complete = true;
  while (reader.peek()?.code === '03') {
    accounts++;
    const account = parseAccount(reader, asOfDate, groupCurrency, idPrefix, ctx);
    statements.push(account.statement);
    total += account.total;
    complete &&= account.statement.rejected.length === 0;
  }
  const trailer = reader.expect('98');
  const t = new FieldCursor(reader.withContinuations(trailer));
  if (complete) checkTotal(trailer, t.next(), total, 'group', ctx);
  else t.next();
  checkCount(trailer, t.next(), accounts, 'number of accounts', ctx);
  checkCount(trailer, t.next(), reader.consumed - start, 'number of records in the group', ctx);
  return { statements, total, complete };
}

function parseAccount(reader: RecordReader, asOfDate: string, groupCurrency: string, idPrefix: string, ctx: ParseContext) {
  const start = reader.consumed;
  const identifier = reader.expect('03');
  const a = new FieldCursor(reader.withContinuations(identifier));
  const at = `line ${identifier.line}`;
  const accountNumber = a.next() ?? '';
  if (!accountNumber) ctx.fail(at, identifier.text, 'names no account number');
  const currencyText = a.next() ?? '';
  const currency = currencyText ? currencyCode(currencyText, at, ctx) : groupCurrency;

  let total = 0;
  let openingBalance: StatementBalance | undefined;
  let closingBalance: StatementBalance | undefined;
  // Summary and status items: type code, amount, item count, funds type (+ its fields).
  for (let code = a.next(); code !== undefined; code = a.next()) {
    if (code === '') continue;
    const where = `line ${a.line}`;
    if (!/^\d{3}$/.test(code)) ctx.fail(where, code, 'is not a three-digit BAI2 type code');
    const amountText = a.next() ?? '';
    a.next(); // item count
    skipFundsAvailability(a, a.next() ?? '', where, ctx);
    if (amountText === '') continue;
    const amount = impliedDecimalMinor(amountText, where, ctx);
    total += amount;
    const typeCode = Number(code);
    if (typeCode === OPENING_LEDGER) openingBalance = { amountMinor: amount, currency, date: asOfDate };
    if (typeCode === CLOSING_LEDGER) closingBalance = { amountMinor: amount, currency, date: asOfDate };
  }

  const rejected: RejectedEntry[] = [];
  const transactions: BankTransaction[] = [];
  while (reader.peek()?.code === '16') {
    const detail = reader.withContinuations(reader.expect('16'));
    // A refused detail's amount is unknown, so the control totals above it cannot be checked.
    const built = ctx.entry(rejected, () => transactionDetail(detail, asOfDate, currency, ctx));
    if (!built) continue;
    total += built.amount;
    if (built.transaction) transactions.push(built.transaction);
  }

  const trailer = reader.expect('49');
  const t = new FieldCursor(reader.withContinuations(trailer));
  if (rejected.length === 0) checkTotal(trailer, t.next(), total, 'account', ctx);
  else t.next();
  checkCount(trailer, t.next(), reader.consumed - start, 'number of records in the account', ctx);

  const account = accountId(accountNumber)!;
  return {
    total,
    statement: {
      format: 'bai2' as const,
      statementId: `${idPrefix}/${accountNumber}`,
      accountId: account.account,
      iban: account.isIban ? account.account : null,
      currency,
      openingBalance,
      closingBalance,
      transactions,
      rejected,
    },
  };
}

function transactionDetail(
  segments: Bai2Record[],
  asOfDate: string,
  currency: string,
  ctx: ParseContext,
): { amount: number; transaction: BankTransaction | null } {
  const first = segments[0]!;
  const at = `line ${first.line}`;
  const c = new FieldCursor(segments);
  const code = c.next() ?? '';
  if (!/^\d{3}$/.test(code)) ctx.fail(at, first.text, `type code "${code}" is not three digits`);
  const typeCode = Number(code);
  const amountText = c.next() ?? '';
  const fundsType = c.next() ?? '';
  const valueDate = skipFundsAvailability(c, fundsType, at, ctx);
  const bankRef = c.next() ?? '';
  const customerRef = c.next() ?? '';
  const remittance = collapse(c.rest().join(' '));
  const raw = segments.map((s) => s.text).join('\n');

  if (typeCode === NON_MONETARY) {
    return { amount: amountText ? impliedDecimalMinor(amountText, at, ctx) : 0, transaction: null };
  }
  const direction = directionOf(typeCode);
  if (!direction) ctx.fail(at, first.text, `type code ${code} is a status or loan code, not a credit or debit transaction`);
  if (!/^\d+$/.test(amountText)) ctx.fail(at, amountText, 'is not an unsigned BAI2 amount (the type code carries the direction)');
  const amount = impliedDecimalMinor(amountText, at, ctx);
  if (amount <= 0) ctx.fail(at, amountText, 'must be an amount greater than zero');

  const payer = payerFromText(remittance);
  return {
    amount,
    transaction: {
      entryRef: bankRef || null,
      bookingDate: asOfDate,
      valueDate,
      amountMinor: amount,
      currency,
      direction,
      payerName: payer.name,
      payerAccount: payer.account?.account ?? null,
      payerAccountIsIban: payer.account?.isIban ?? false,
      remittance,
      structuredRefs: addRefs([], customerRef, ...creditorReferencesIn(remittance)),
      endToEndId: null,
      isReturn: RETURN_CODES.has(typeCode),
      returnReason: null,
      bankTxCode: code,
      additionalInfo: null,
      booked: true,
      raw,
      location: at,
    },
  };
}

/**
 * Funds-availability fields after a funds type: S has three amounts, V a value date and time,
 * D a count and that many (days, amount) pairs; 0, 1, 2, Z and blank have none. Returns the
 * value date of a V, the only one with business meaning for the transaction.
 */
function skipFundsAvailability(c: FieldCursor, fundsType: string, at: string, ctx: ParseContext): string | null {
  switch (fundsType) {
    case '':
    case '0':
    case '1':
    case '2':
    case 'Z':
      return null;
    case 'S':
      c.next();
      c.next();
      c.next();
      return null;
    case 'V': {
      const date = c.next() ?? '';
      c.next(); // time
      return date ? yymmdd(date, at, ctx) : null;
    }
    case 'D': {
      const countText = c.next() ?? '';
      if (!/^\d+$/.test(countText)) ctx.fail(at, countText, 'is not the number of funds-availability distributions after funds type D');
      for (let i = 0; i < Number(countText); i++) {
        c.next();
        c.next();
      }
      return null;
    }
    default:
      return ctx.fail(at, fundsType, 'is not a BAI2 funds type (0, 1, 2, S, V, D or Z)');
  }
}

/**
 * Payer details some banks put in the text as KEY:value items, e.g. Citi UK Faster Payments
 * ("BO:11111111 BO1:DOE JO": by-order-of account and name).
 */
function payerFromText(text: string): { name: string | null; account: ReturnType<typeof accountId> } {
  const items = new Map<string, string>();
  const keys = [...text.matchAll(/(?:^|\s)([A-Z]{2,4}\d?):/g)];
  keys.forEach((k, i) => {
    const start = k.index + k[0].length;
    const end = keys[i + 1]?.index ?? text.length;
    if (!items.has(k[1]!)) items.set(k[1]!, text.slice(start, end).trim());
  });
  return { name: items.get('BO1') || null, account: accountId(items.get('BO')) };
}

function checkTotal(trailer: Bai2Record, reported: string | undefined, computed: number, level: string, ctx: ParseContext): void {
  const at = `line ${trailer.line}`;
  const value = impliedDecimalMinor(reported ?? '', at, ctx);
  if (value !== computed) {
    ctx.fail(at, trailer.text, `${level} control total ${value} does not equal the sum of the ${level}'s amounts ${computed}`);
  }
}

function checkCount(trailer: Bai2Record, reported: string | undefined, computed: number, what: string, ctx: ParseContext): void {
  const at = `line ${trailer.line}`;
  if (!/^\d+$/.test(reported ?? '')) ctx.fail(at, trailer.text, `${what} "${reported ?? ''}" is not a number`);
  if (Number(reported) !== computed) ctx.fail(at, trailer.text, `${what} is ${reported}, but ${computed} were found`);
}

/** Walks the records in order, counting what it consumes (trailers count records). */
class RecordReader {
  consumed = 0;
  private index = 0;

  constructor(
    private readonly records: readonly Bai2Record[],
    private readonly ctx: ParseContext,
  ) {}

  peek(): Bai2Record | undefined {
    return this.records[this.index];
  }

  expect(code: string): Bai2Record {
    const r = this.records[this.index];
    if (!r) {
      const last = this.records.at(-1);
      this.ctx.fail(`line ${last?.line ?? 1}`, last?.text ?? '', `file ends where a ${code} record was expected (truncated file?)`);
    }
    if (r.code !== code) this.ctx.fail(`line ${r.line}`, r.text, `is a ${r.code} record where a ${code} record was expected`);
    this.index++;
    this.consumed++;
    return r;
  }

  /** The record plus the 88 continuation records that follow it. */
  withContinuations(record: Bai2Record): Bai2Record[] {
    const out = [record];
    while (this.peek()?.code === '88') {
      out.push(this.records[this.index]!);
      this.index++;
      this.consumed++;
    }
    return out;
  }
}
