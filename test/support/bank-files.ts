/**
 * Small, valid bank statement files built for tests: camt.053, BAI2 (with correct control totals
 * and record counts) and MT940 (with balances that add up), each credit naming what it pays.
 */
export interface TestEntry {
  ref: string;
  /** Decimal string, e.g. "1250.00". */
  amount: string;
  direction: 'credit' | 'debit';
  payer?: string;
  payerIban?: string;
  remittance?: string;
  endToEndId?: string;
  /** A return (RtrInf) of the credit with this EndToEndId. */
  returnReason?: string;
}

export function camt053(statementId: string, currency: string, entries: TestEntry[], date = '2026-03-02'): string {
  const ntry = entries
    .map((e) => {
      const party = e.direction === 'credit' ? 'Dbtr' : 'Cdtr';
      const partyAcct = e.direction === 'credit' ? 'DbtrAcct' : 'CdtrAcct';
      return `      <Ntry>
        <NtryRef>${e.ref}</NtryRef>
        <Amt Ccy="${currency}">${e.amount}</Amt>
        <CdtDbtInd>${e.direction === 'credit' ? 'CRDT' : 'DBIT'}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${date}</Dt></BookgDt>
        <ValDt><Dt>${date}</Dt></ValDt>
        <AcctSvcrRef>${e.ref}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>${e.ref}</AcctSvcrRef>${e.endToEndId ? `<EndToEndId>${e.endToEndId}</EndToEndId>` : ''}</Refs>
          ${e.payer ? `<RltdPties><${party}><Nm>${e.payer}</Nm></${party}>${e.payerIban ? `<${partyAcct}><Id><IBAN>${e.payerIban}</IBAN></Id></${partyAcct}>` : ''}</RltdPties>` : ''}
          ${e.remittance ? `<RmtInf><Ustrd>${e.remittance}</Ustrd></RmtInf>` : ''}
          ${e.returnReason ? `<RtrInf><Rsn><Cd>${e.returnReason}</Cd></Rsn></RtrInf>` : ''}
        </TxDtls></NtryDtls>
      </Ntry>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${statementId}-MSG</MsgId><CreDtTm>${date}T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${statementId}</Id>
      <CreDtTm>${date}T08:00:00</CreDtTm>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>${currency}</Ccy></Acct>
${ntry}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

const cents = (amount: string) => Number(amount.replace('.', ''));

/** BAI2 amounts are minor units without a point; credits use type 195 (incoming wire), debits 495. */
export function bai2(fileId: string, account: string, currency: string, entries: TestEntry[], date = '260302'): string {
  const accountLines = [`03,${account},${currency},010,0,,/`];
  for (const e of entries) {
    accountLines.push(`16,${e.direction === 'credit' ? 195 : 495},${cents(e.amount)},0,${e.ref},,${e.remittance ?? ''}/`);
  }
  const total = entries.reduce((s, e) => s + cents(e.amount), 0);
  accountLines.push(`49,${total},${accountLines.length + 1}/`);
  const group = [`02,RECEIVER,BANKID,1,${date},0800,,2/`, ...accountLines];
  group.push(`98,${total},1,${group.length + 1}/`);
  const file = [`01,BANKID,RECEIVER,${date},0800,${fileId},,,2/`, ...group];
  file.push(`99,${total},1,${file.length + 1}/`);
  return `${file.join('\n')}\n`;
}

const mtAmount = (amount: string) => amount.replace('.', ',');

export function mt940(reference: string, iban: string, currency: string, entries: TestEntry[], date = '260302'): string {
  const lines = [`:20:${reference}`, `:25:${iban}`, ':28C:00001', `:60F:C${date}${currency}0,00`];
  let balance = 0;
  for (const e of entries) {
    const sign = e.direction === 'credit' ? 'C' : 'D';
    balance += (e.direction === 'credit' ? 1 : -1) * cents(e.amount);
    lines.push(`:61:${date}${date.slice(2)}${sign}${mtAmount(e.amount)}NTRFNONREF//${e.ref}`);
    lines.push(
      `:86:/EREF/${e.endToEndId ?? 'NOTPROVIDED'}//CNTP/${e.payerIban ?? ''}//${e.payer ?? ''}////REMI/USTD//${e.remittance ?? ''}/`,
    );
  }
  const abs = Math.abs(balance);
  lines.push(`:62F:${balance >= 0 ? 'C' : 'D'}${date}${currency}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`);
  lines.push('-');
  return `${lines.join('\r\n')}\r\n`;
}
