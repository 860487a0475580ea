/**
 * SWIFT MT940 customer statements. A file holds one or more messages (each from :20: to "-"),
 * optionally inside {1:}{2:}{4: … -} envelopes or after a bank's own header lines. Each :61:
 * statement line, with the :86: that follows it, is one transaction. Opening balance plus the
 * lines must give the closing balance: a dropped or mangled line shows up there.
 */
import { currencyCode, swiftAmountMinor } from './amounts';
import { nearestYearDate, yymmdd } from './dates';
import type { ParseContext } from './errors';
import { parseDetails } from './mt940-details';
import { accountId } from './references';
import { collapse, splitLines } from './text';
import type { BankTransaction, Direction, ParsedStatement, RejectedEntry, StatementBalance } from './types';

interface Field {
  readonly tag: string;
  /** Physical lines, the first one starting with ":tag:". */
  readonly lines: string[];
  readonly line: number;
}

/** SWIFT wraps field content at 65 characters; a line of exactly that width was cut mid-word. */
const LINE_WIDTH = 65;

export function parseMt940(text: string, ctx: ParseContext): ParsedStatement[] {
  const messages = readMessages(text, ctx);
  if (messages.length === 0) ctx.fail('line 1', splitLines(text)[0] ?? '', 'holds no MT940 statement (no :20: field)');
  return messages.map((fields) => statement(fields, ctx));
}

function readMessages(text: string, ctx: ParseContext): Field[][] {
  const messages: Field[][] = [];
  let message: Field[] | null = null;
  let field: Field | null = null;
  splitLines(text).forEach((physical, i) => {
    const lineNo = i + 1;
    let line = physical;
    if (/^\{\d:/.test(line)) {
      // SWIFT envelope: basic/application/user header blocks, then the text block {4:.
      const textBlock = line.indexOf('{4:');
      if (textBlock === -1) return;
      line = line.slice(textBlock + 3);
      if (line.trim() === '') return;
    }
    if (/^-(\}|\s*$)/.test(line)) {
      message = null;
      field = null;
      return;
    }
    const tag = /^:(\d{2}[A-Z]?):/.exec(line);
    if (tag) {
      if (tag[1] === '20') {
        message = [];
        messages.push(message);
      } else if (!message) {
        ctx.fail(`line ${lineNo}`, line, `field :${tag[1]}: comes before the :20: that opens a statement`);
      }
      field = { tag: tag[1]!, lines: [line], line: lineNo };
      message.push(field);
      return;
    }
    if (line.trim() === '') return;
    // Continuation of a multi-line field; outside a message it is a bank's header line (e.g. "940").
    if (field) field.lines.push(line);
  });
  return messages;
}

function content(field: Field): string {
  return field.lines[0]!.slice(field.tag.length + 2);
}

/** A multi-line field's text: hard-wrapped lines join directly, others with a space. */
function joined(field: Field): string {
  let out = content(field);
  for (let i = 1; i < field.lines.length; i++) {
    const previous = field.lines[i - 1]!;
    const previousContent = i === 1 ? content(field) : previous;
    const wrapped = previous.length === LINE_WIDTH || previousContent.length === LINE_WIDTH;
    out += (wrapped ? '' : ' ') + field.lines[i];
  }
  return out;
}

function statement(fields: Field[], ctx: ParseContext): ParsedStatement {
  const first = fields[0]!;
  const find = (...tags: string[]) => fields.find((f) => tags.includes(f.tag));
  const reference = content(first).trim();
  if (!reference) ctx.fail(`line ${first.line}`, first.lines[0]!, 'is an empty :20: transaction reference');
  const accountField = find('25');
  if (!accountField) ctx.fail(`line ${first.line}`, first.lines[0]!, `statement ${reference} has no :25: account identification`);
  const numberField = find('28C', '28');
  const openingField = find('60F', '60M');
  if (!openingField) ctx.fail(`line ${first.line}`, first.lines[0]!, `statement ${reference} has no :60F:/:60M: opening balance`);
  const closingField = find('62F', '62M');
  if (!closingField)
    ctx.fail(`line ${first.line}`, first.lines[0]!, `statement ${reference} has no :62F:/:62M: closing balance (truncated file?)`);

  const opening = balance(openingField, undefined, ctx);
  const closing = balance(closingField, opening.currency, ctx);
  const currency = opening.currency;

  const account = statementAccount(content(accountField).trim());

  const rejected: RejectedEntry[] = [];
  const transactions: BankTransaction[] = [];
  fields.forEach((f, i) => {
    if (f.tag !== '61') return;
    const next = fields[i + 1];
    const details = next?.tag === '86' ? next : undefined;
    const tx = ctx.entry(rejected, () => transaction(f, details, currency, ctx));
    if (tx) transactions.push(tx);
  });

  if (rejected.length === 0) {
    const net = transactions.reduce((sum, t) => sum + (t.direction === 'credit' ? t.amountMinor : -t.amountMinor), 0);
    if (opening.amountMinor + net !== closing.amountMinor) {
      ctx.fail(
        `line ${closingField.line}`,
        closingField.lines[0]!,
        `closing balance ${closing.amountMinor} does not equal opening balance ${opening.amountMinor} plus the statement lines ${net} (minor units of ${currency}); a line is missing or wrong`,
      );
    }
  }

  const number = numberField ? content(numberField).trim() : '';
  return {
    format: 'mt940',
    statementId: number ? `${reference}/${number}` : reference,
    accountId: account.account,
    iban: account.isIban ? account.account : null,
    currency,
    openingBalance: opening,
    closingBalance: closing,
    transactions,
    rejected,
  };
}

/**
 * Banks append the currency to the account, with or without a space (":25:NL10BUNQ2290325473 EUR",
 * ":25:NL69INGB0123456789EUR"); it is dropped when what remains is the account proper.
 */
function statementAccount(text: string): NonNullable<ReturnType<typeof accountId>> {
  const spaced = /^(.+?)\s+[A-Z]{3}$/.exec(text);
  if (spaced) return accountId(spaced[1])!;
  const glued = /^(.+)[A-Z]{3}$/.exec(text);
  const withoutCurrency = glued ? accountId(glued[1]) : null;
  if (withoutCurrency?.isIban && !accountId(text)!.isIban) return withoutCurrency;
  return accountId(text) ?? { account: text, isIban: false };
}

function balance(field: Field, currency: string | undefined, ctx: ParseContext): StatementBalance {
  const at = `line ${field.line}`;
  const m = /^([CD])(\d{6})([A-Z]{3})(\d+,\d*)$/.exec(content(field).trim());
  if (!m) ctx.fail(at, field.lines[0]!, `:${field.tag}: is not a balance (C or D, YYMMDD date, currency, amount with decimal comma)`);
  const ccy = currencyCode(m[3]!, at, ctx);
  if (currency && ccy !== currency)
    ctx.fail(at, field.lines[0]!, `closing balance currency ${ccy} differs from the opening balance currency ${currency}`);
  const amount = swiftAmountMinor(m[4]!, ccy, at, ctx);
  return { amountMinor: (m[1] === 'D' ? -amount : amount) as StatementBalance['amountMinor'], currency: ccy, date: yymmdd(m[2]!, at, ctx) };
}

/**
 * :61: value date YYMMDD, [booking date MMDD], mark C/D/RC/RD, [funds code], amount, type
 * (N/F/S + 3), customer reference, [//bank reference]; an optional second line of details.
 */
const STATEMENT_LINE = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d[\d,]*)([NSF][A-Z0-9]{3})(.*)$/;

function transaction(line61: Field, details: Field | undefined, currency: string, ctx: ParseContext): BankTransaction {
  const at = `line ${line61.line}`;
  const body = content(line61);
  const m = STATEMENT_LINE.exec(body);
  if (!m) {
    ctx.fail(
      at,
      line61.lines[0]!,
      'is not a :61: statement line (YYMMDD[MMDD], C/D/RC/RD, amount with decimal comma, N/F/S + 3-character type, reference)',
    );
  }
  const [, valueText, bookingText, mark, , amountText, type, rest] = m;
  const valueDate = yymmdd(valueText!, at, ctx);
  let bookingDate = valueDate;
  if (bookingText) {
    const date = nearestYearDate(Number(bookingText.slice(0, 2)), Number(bookingText.slice(2)), valueDate);
    if (!date) ctx.fail(at, bookingText, 'is not a booking date in MMDD form');
    bookingDate = date;
  }
  const amountMinor = swiftAmountMinor(amountText!, currency, at, ctx);
  if (amountMinor <= 0) ctx.fail(at, amountText!, 'must be an amount greater than zero');
  // RC is the reversal of a credit, so it is booked as a debit; RD likewise as a credit.
  const direction: Direction = mark === 'C' || mark === 'RD' ? 'credit' : 'debit';

  const refs = rest!.split('//');
  const customerRef = refs[0]!.trim();
  const bankRef = refs.slice(1).join('//').trim();
  const ref = (r: string) => (r && r.toUpperCase() !== 'NONREF' ? r : null);
  const supplementary = line61.lines.slice(1).join(' ').trim();

  const info = details ? parseDetails(joined(details)) : parseDetails('');
  const extra = [info.postingText, supplementary].filter(Boolean).join(' ');
  return {
    entryRef: ref(bankRef) ?? ref(customerRef),
    bookingDate,
    valueDate,
    amountMinor,
    currency,
    direction,
    payerName: info.payerName,
    payerAccount: info.payerAccount,
    payerAccountIsIban: info.payerAccountIsIban,
    remittance: info.remittance,
    structuredRefs: info.structuredRefs,
    endToEndId: info.endToEndId,
    isReturn: mark === 'RC' || mark === 'RD' || info.isReturn,
    returnReason: info.returnReason,
    bankTxCode: info.gvc ? `${type}/${info.gvc}` : type!,
    additionalInfo: extra ? collapse(extra) : null,
    booked: true,
    raw: [...line61.lines, ...(details?.lines ?? [])].join('\n'),
    location: at,
  };
}
