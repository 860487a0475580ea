/**
 * ISO 20022 camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification),
 * versions 001.02 to 001.08. One BankTransaction per TxDtls of an entry (a batch booking
 * carries several), or one for the entry itself when it has no details. Totals and balances are
 * reported, not enforced: banks send camt files whose sums do not reconcile and they still carry
 * real payments.
 */
import { attribute, child, children, compact, compactJson, loadXml, textAt, textsAt, type XmlNode } from './xml';
import { currencyCode, decimalMinor, positiveMinor } from './amounts';
import { isoDateOrDateTime } from './dates';
import type { ParseContext } from './errors';
import { accountId, addRefs, creditorReferencesIn, isPlaceholderRef } from './references';
import { collapse } from './text';
import type { BankTransaction, Direction, ParsedStatement, RejectedEntry, StatementBalance } from './types';

type CamtFormat = 'camt053' | 'camt054';

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(05[34])\.001\.(\d{2})$/;
const FIRST_VERSION = 2;
const LAST_VERSION = 8;

const MESSAGE = {
  camt053: { element: 'BkToCstmrStmt', report: 'Stmt' },
  camt054: { element: 'BkToCstmrDbtCdtNtfctn', report: 'Ntfctn' },
} as const;

/** Bank transaction sub-families that are returns or reversals of an earlier payment. */
const RETURN_SUBFAMILIES = new Set([
  'RRTN', // reversal due to payment return
  'ARET', // ACH return
  'RPCR', // reversal due to payment cancellation request
  'UPDD', // reversal due to return/unpaid direct debit
  'CQRV', // cheque reversal
]);

export function parseCamt(text: string, expected: CamtFormat | undefined, ctx: ParseContext): ParsedStatement[] {
  const doc = loadXml(text, ctx);
  if (doc.rootName !== 'Document') ctx.fail('line 1', doc.rootName, 'is not an ISO 20022 Document root element');
  const ns = doc.namespace ? NAMESPACE.exec(doc.namespace) : null;
  if (!ns) {
    ctx.fail(
      'Document',
      doc.namespace ?? '(no namespace)',
      'is not a camt.053 or camt.054 namespace (urn:iso:std:iso:20022:tech:xsd:camt.053.001.0X)',
    );
  }
  const format: CamtFormat = ns[1] === '053' ? 'camt053' : 'camt054';
  const version = Number(ns[2]);
  if (version < FIRST_VERSION || version > LAST_VERSION) {
    ctx.fail('Document', doc.namespace!, `is camt.${ns[1]} version 001.${ns[2]}; supported are 001.02 to 001.08`);
  }
  if (expected && expected !== format) ctx.fail('Document', doc.namespace!, `is ${format}, but the format option says ${expected}`);

  const { element, report } = MESSAGE[format];
  const message = children(doc.root, element)[0];
  if (!message) {
    const found = Object.keys(doc.root).filter((k) => !k.startsWith('@_') && k !== '#text');
    ctx.fail('Document', found.join(', ') || '(empty)', `has no ${element} message (expected for ${format})`);
  }
  return children(message, report).map((node, i) => statement(node, format, `Document/${element}/${report}[${i + 1}]`, ctx));
}

function statement(node: XmlNode, format: CamtFormat, path: string, ctx: ParseContext): ParsedStatement {
  const statementId = textAt(node, 'Id', path, ctx);
  if (!statementId) ctx.fail(`${path}/Id`, '', 'is missing (every statement has an Id)');
  const acct = child(node, 'Acct');
  const rawAccount = textAt(acct, 'Id/IBAN', `${path}/Acct`, ctx) ?? textAt(acct, 'Id/Othr/Id', `${path}/Acct`, ctx);
  const account = accountId(rawAccount);
  if (!account) ctx.fail(`${path}/Acct/Id`, '', 'is missing (an IBAN or Othr/Id names the account)');

  const balances = children(node, 'Bal');
  const entries = children(node, 'Ntry');
  const currencyText =
    textAt(acct, 'Ccy', `${path}/Acct`, ctx) ?? attribute(child(balances[0], 'Amt'), 'Ccy') ?? attribute(child(entries[0], 'Amt'), 'Ccy');
  if (!currencyText) ctx.fail(`${path}/Acct/Ccy`, '', 'is missing, and no balance or entry names a currency');
  const currency = currencyCode(currencyText, `${path}/Acct/Ccy`, ctx);

  const rejected: RejectedEntry[] = [];
  const transactions: BankTransaction[] = [];
  entries.forEach((entry, i) => {
    const entryPath = `${path}/Ntry[${i + 1}]`;
    for (const tx of entryTransactions(entry, entryPath, ctx, rejected)) transactions.push(tx);
  });

  return {
    format,
    statementId,
    accountId: account.account,
    iban: account.isIban ? account.account : null,
    currency,
    openingBalance: balance(balances, ['OPBD', 'PRCD'], path, ctx),
    closingBalance: balance(balances, ['CLBD'], path, ctx),
    transactions,
    rejected,
  };
}

/** The first balance of the preferred types, in order (OPBD, else the previous day's PRCD). */
function balance(balances: XmlNode[], types: string[], path: string, ctx: ParseContext): StatementBalance | undefined {
  for (const type of types) {
    const index = balances.findIndex((b) => textAt(b, 'Tp/CdOrPrtry/Cd', path, ctx) === type);
    if (index === -1) continue;
    const bal = balances[index]!;
    const at = `${path}/Bal[${index + 1}]`;
    const amt = child(bal, 'Amt');
    const ccy = currencyCode(attribute(amt, 'Ccy') ?? '', `${at}/Amt/@Ccy`, ctx);
    const amountText = textAt(bal, 'Amt', at, ctx) ?? '';
    const unsigned = decimalMinor(amountText, ccy, `${at}/Amt`, ctx);
    const sign = direction(textAt(bal, 'CdtDbtInd', at, ctx), `${at}/CdtDbtInd`, ctx) === 'debit' ? -1 : 1;
    const dateText = textAt(bal, 'Dt/Dt', at, ctx) ?? textAt(bal, 'Dt/DtTm', at, ctx);
    if (!dateText) ctx.fail(`${at}/Dt`, '', 'is missing (a balance has a date)');
    return {
      amountMinor: (sign * unsigned) as StatementBalance['amountMinor'],
      currency: ccy,
      date: isoDateOrDateTime(dateText, `${at}/Dt`, ctx),
    };
  }
  return undefined;
}

function entryTransactions(entry: XmlNode, path: string, ctx: ParseContext, rejected: RejectedEntry[]): BankTransaction[] {
  // An entry may hold several NtryDtls (one per batch), each with its own TxDtls.
  const details: { node: XmlNode; path: string }[] = [];
  children(entry, 'NtryDtls').forEach((nd, i) => {
    children(nd, 'TxDtls').forEach((tx, j) => details.push({ node: tx, path: `${path}/NtryDtls[${i + 1}]/TxDtls[${j + 1}]` }));
  });
  const out: BankTransaction[] = [];
  if (details.length === 0) {
    const tx = ctx.entry(rejected, () => transaction(entry, undefined, true, path, ctx));
    if (tx) out.push(tx);
    return out;
  }
  for (const d of details) {
    const tx = ctx.entry(rejected, () => transaction(entry, d.node, details.length === 1, d.path, ctx));
    if (tx) out.push(tx);
  }
  return out;
}

function transaction(entry: XmlNode, tx: XmlNode | undefined, soleDetail: boolean, path: string, ctx: ParseContext): BankTransaction {
  const entryPath = tx ? path.replace(/\/NtryDtls\[\d+\]\/TxDtls\[\d+\]$/, '') : path;
  const here = (node: XmlNode | undefined, p: string) => textAt(node, p, node === tx ? path : entryPath, ctx);

  // Amount: the detail's own (Amt from v03 on, else AmtDtls/TxAmt); a lone detail may rely on the entry's.
  const amountSource: { el: XmlNode; at: string } | undefined =
    (tx && child(tx, 'Amt') && { el: child(tx, 'Amt')!, at: `${path}/Amt` }) ||
    (tx && child(tx, 'AmtDtls/TxAmt/Amt') && { el: child(tx, 'AmtDtls/TxAmt/Amt')!, at: `${path}/AmtDtls/TxAmt/Amt` }) ||
    (soleDetail && child(entry, 'Amt') && { el: child(entry, 'Amt')!, at: `${entryPath}/Amt` }) ||
    undefined;
  if (!amountSource) ctx.fail(path, '', 'has no amount (Amt or AmtDtls/TxAmt), and the entry holds several transactions');
  const currency = currencyCode(attribute(amountSource.el, 'Ccy') ?? '', `${amountSource.at}/@Ccy`, ctx);
  const amountText = typeof amountSource.el['#text'] === 'string' ? (amountSource.el['#text'] as string).trim() : '';
  const amountMinor = positiveMinor(amountText, currency, amountSource.at, ctx);

  const dir = direction(
    here(tx, 'CdtDbtInd') ?? here(entry, 'CdtDbtInd'),
    `${tx && child(tx, 'CdtDbtInd') ? path : entryPath}/CdtDbtInd`,
    ctx,
  );

  const bookingText = here(entry, 'BookgDt/Dt') ?? here(entry, 'BookgDt/DtTm');
  const valueText = here(entry, 'ValDt/Dt') ?? here(entry, 'ValDt/DtTm');
  const valueDate = valueText ? isoDateOrDateTime(valueText, `${entryPath}/ValDt`, ctx) : null;
  const bookingDate = bookingText ? isoDateOrDateTime(bookingText, `${entryPath}/BookgDt`, ctx) : valueDate;
  if (!bookingDate) ctx.fail(`${entryPath}/BookgDt`, '', 'is missing, and so is ValDt (an entry needs a date)');

  // v02–v07 name parties directly (Dbtr/Nm); v08 wraps them (Dbtr/Pty/Nm).
  const party = dir === 'credit' ? 'Dbtr' : 'Cdtr';
  const parties = child(tx, 'RltdPties');
  const partyName =
    textAt(parties, `${party}/Nm`, `${path}/RltdPties`, ctx) ??
    textAt(parties, `${party}/Pty/Nm`, `${path}/RltdPties`, ctx) ??
    textAt(parties, `${party}Acct/Nm`, `${path}/RltdPties`, ctx);
  const partyAccount = accountId(
    textAt(parties, `${party}Acct/Id/IBAN`, `${path}/RltdPties`, ctx) ??
      textAt(parties, `${party}Acct/Id/Othr/Id`, `${path}/RltdPties`, ctx),
  );

  const rmt = child(tx, 'RmtInf');
  const unstructured = textsAt(rmt, 'Ustrd', `${path}/RmtInf`, ctx);
  const structured = children(rmt, 'Strd');
  const additionalRemittance: string[] = [];
  const structuredRefs: string[] = [];
  structured.forEach((s, i) => {
    const at = `${path}/RmtInf/Strd[${i + 1}]`;
    addRefs(structuredRefs, ...textsAt(s, 'CdtrRefInf/Ref', at, ctx));
    // Referred documents carry the invoice numbers a receivables matcher looks for.
    children(s, 'RfrdDocInf').forEach((doc, j) => addRefs(structuredRefs, textAt(doc, 'Nb', `${at}/RfrdDocInf[${j + 1}]`, ctx)));
    additionalRemittance.push(...textsAt(s, 'AddtlRmtInf', at, ctx));
  });
  const remittance = collapse([...unstructured, ...additionalRemittance].join(' '));
  addRefs(structuredRefs, ...creditorReferencesIn(remittance));

  const endToEnd = here(tx, 'Refs/EndToEndId');
  const rtr = child(tx, 'RtrInf');
  const subFamily = here(tx, 'BkTxCd/Domn/Fmly/SubFmlyCd') ?? here(entry, 'BkTxCd/Domn/Fmly/SubFmlyCd');
  const isReturn = rtr !== undefined || here(entry, 'RvslInd') === 'true' || (subFamily !== null && RETURN_SUBFAMILIES.has(subFamily));
  // The reason code (ISO "AM06", ACH "R02" …) first, then the bank's words for it.
  const returnReason = rtr
    ? [
        textAt(rtr, 'Rsn/Cd', `${path}/RtrInf`, ctx) ?? textAt(rtr, 'Rsn/Prtry', `${path}/RtrInf`, ctx),
        textsAt(rtr, 'AddtlInf', `${path}/RtrInf`, ctx).join(' '),
      ]
        .filter(Boolean)
        .join(': ') || null
    : null;

  const status = here(entry, 'Sts') ?? here(entry, 'Sts/Cd');
  const additional = (tx && textsAt(tx, 'AddtlTxInf', path, ctx).join(' ')) || here(entry, 'AddtlNtryInf');

  return {
    entryRef: here(tx, 'Refs/AcctSvcrRef') ?? here(entry, 'AcctSvcrRef') ?? here(entry, 'NtryRef'),
    bookingDate,
    valueDate,
    amountMinor,
    currency,
    direction: dir,
    payerName: partyName ? collapse(partyName) : null,
    payerAccount: partyAccount?.account ?? null,
    payerAccountIsIban: partyAccount?.isIban ?? false,
    remittance,
    structuredRefs,
    endToEndId: endToEnd && !isPlaceholderRef(endToEnd) ? endToEnd : null,
    isReturn,
    returnReason: returnReason ? collapse(returnReason) : null,
    bankTxCode: bankTxCode(child(tx, 'BkTxCd') ?? child(entry, 'BkTxCd'), path, ctx),
    additionalInfo: additional ? collapse(additional) : null,
    booked: status === null || status === 'BOOK',
    raw: tx ? JSON.stringify({ Ntry: compact(withoutDetails(entry)), TxDtls: compact(tx) }) : compactJson(entry),
    location: path,
  };
}

/** ISO domain/family/sub-family ("PMNT/RCDT/BOOK") when given, else the bank's proprietary code. */
function bankTxCode(code: XmlNode | undefined, path: string, ctx: ParseContext): string | null {
  if (!code) return null;
  const domain = textAt(code, 'Domn/Cd', path, ctx);
  if (domain) {
    return [domain, textAt(code, 'Domn/Fmly/Cd', path, ctx), textAt(code, 'Domn/Fmly/SubFmlyCd', path, ctx)].filter(Boolean).join('/');
  }
  return textAt(code, 'Prtry/Cd', path, ctx);
}

function direction(indicator: string | null, location: string, ctx: ParseContext): Direction {
  if (indicator === 'CRDT') return 'credit';
  if (indicator === 'DBIT') return 'debit';
  return ctx.fail(location, indicator ?? '', 'must be CRDT or DBIT');
}

function withoutDetails(entry: XmlNode): XmlNode {
  const { NtryDtls: _details, ...rest } = entry as Record<string, unknown>;
  return rest;
}
