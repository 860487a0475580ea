import { describe, expect, it } from 'vitest';
import { type BankTransaction, parseStatement, type RejectedEntry } from '../../cash/statements';
import { fixture, thrown } from '../support/statements';

function totals(txs: readonly BankTransaction[]) {
  const out: Record<string, number> = {};
  for (const t of txs) out[`${t.direction} ${t.currency}`] = (out[`${t.direction} ${t.currency}`] ?? 0) + t.amountMinor;
  return out;
}

/** A minimal camt.053 document of the given version around the given entries. */
function camt053(version: string, entries: string, account = '<IBAN>DE89370400440532013000</IBAN>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2024-03-01</Id>
      <CreDtTm>2024-03-01T08:00:00</CreDtTm>
      <Acct><Id>${account}</Id><Ccy>EUR</Ccy></Acct>
${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

const entry = (ref: string, amount: string, ind: string, details = '', extra = '') => `      <Ntry>
        <NtryRef>${ref}</NtryRef>
        <Amt Ccy="EUR">${amount}</Amt>
        <CdtDbtInd>${ind}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-01</Dt></BookgDt>
        <ValDt><Dt>2024-03-04</Dt></ValDt>
        ${extra}
        <NtryDtls>${details}</NtryDtls>
      </Ntry>`;

describe('camt.053 fixture (newinnovations example-camt053-b.xml, v001.02)', () => {
  const [stmt, ...others] = parseStatement(fixture('camt053/example-camt053-b.xml'), { fileName: 'example-camt053-b.xml' });

  it('reads the one statement with its account and balances', () => {
    expect(others).toHaveLength(0);
    expect(stmt!.format).toBe('camt053');
    expect(stmt!.statementId).toBe('258158850');
    expect(stmt!.accountId).toBe('DD01100056869');
    expect(stmt!.iban).toBeNull();
    expect(stmt!.currency).toBe('USD');
    // OPBD 843686.20 DBIT on 2025-04-30, CLBD 843610.73 DBIT on 2026-04-30.
    expect(stmt!.openingBalance).toEqual({ amountMinor: -84368620, currency: 'USD', date: '2025-04-30' });
    expect(stmt!.closingBalance).toEqual({ amountMinor: -84361073, currency: 'USD', date: '2026-04-30' });
  });

  it('has exactly 19 entries: 13 credits of USD 145.53, 6 debits of USD 41.00 and EUR 29.06', () => {
    const txs = stmt!.transactions;
    expect(txs).toHaveLength(19);
    expect(txs.filter((t) => t.direction === 'credit')).toHaveLength(13);
    expect(txs.filter((t) => t.direction === 'debit')).toHaveLength(6);
    expect(totals(txs)).toEqual({ 'credit USD': 14553, 'debit USD': 4100, 'debit EUR': 2906 });
    expect(stmt!.rejected).toEqual([]);
    expect(txs.every((t) => t.booked && Number.isSafeInteger(t.amountMinor) && t.amountMinor > 0)).toBe(true);
  });

  it('marks reversals (RvslInd), RtrInf returns and RRTN/CQRV codes as returns', () => {
    const returns = stmt!.transactions.filter((t) => t.isReturn);
    // RvslInd=true on 52198201, 268885951, 52198451, 787705300, 785075950; plus 377138350 (ICDT/RRTN).
    expect(returns.map((t) => t.entryRef)).toEqual([
      'B20092800002225',
      'PUI000000090883',
      'GI2118700002010',
      'B20092800008542',
      'GI2611202687456',
      'SC2611002854562',
    ]);
  });

  it('takes the TxDtls AcctSvcrRef, payer, IBAN, remittance and return reason of specific entries', () => {
    const byRef = (ref: string) => stmt!.transactions.find((t) => t.entryRef === ref)!;
    const first = byRef('B20092800002225'); // NtryRef 52198201, ACH Credit Reject
    expect(first.remittance).toBe('Sample Unstructured Remittance 123');
    expect(first.endToEndId).toBe('GSGWGDNCTAHQM8');
    expect(first.returnReason).toBe('Status changed to REJECTED : REJECT REVERSAL');
    expect(first.bookingDate).toBe('2025-12-06'); // from BookgDt/DtTm 2025-12-06T13:37:14.000Z
    expect(first.bankTxCode).toBe('ACH Credit Reject');

    const interbranch = byRef('PT1MTM97OM4OND37'); // NtryRef 377138300
    expect(interbranch.payerName).toBe('SC Beneficiary Investment Account');
    expect(interbranch.payerAccount).toBe('GB16GSLD04296271246464');
    expect(interbranch.payerAccountIsIban).toBe(true);
    expect(interbranch.bankTxCode).toBe('PMNT/RCDT/BOOK');
    expect(interbranch.additionalInfo).toContain('Client Ref ID: GSDGPLHRGAVSLC');

    const primrose = byRef('B20092800008542'); // NtryRef 52198451, ACH Credit Payment Return
    expect(primrose).toMatchObject({
      payerName: 'Primrose',
      payerAccount: '456000000',
      payerAccountIsIban: false,
      returnReason: 'R02',
      direction: 'credit',
    });

    const check = byRef('SC2611002854562'); // NtryRef 785075950, Check Return
    expect(check.remittance).toBe('REMITTANCE INFO LINE ONE REMITTANCE INFO LINE TWO');
    expect(check.returnReason).toBe('4: RCC Warranty Breach');
    expect(check.amountMinor).toBe(1541);
    expect(check.bookingDate).toBe('2026-04-20');

    const wire = byRef('GI2321400001068'); // NtryRef 172404700, outgoing EUR wire: the counterparty is the creditor
    expect(wire).toMatchObject({
      direction: 'debit',
      currency: 'EUR',
      amountMinor: 2906,
      payerName: 'Test creditor name',
      payerAccount: 'GB14BARC20325340846481',
      payerAccountIsIban: true,
      remittance: 'FFC',
      endToEndId: '5741412',
    });

    const amReturn = byRef('GI2611202687456'); // NtryRef 787705300
    expect(amReturn.returnReason).toBe('AM06: Specified transaction amount is less than agreed minimum');
  });

  it('keeps a compact JSON of the XML node and its element path', () => {
    const tx = stmt!.transactions[2]!;
    expect(tx.location).toBe('Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/NtryDtls[1]/TxDtls[1]');
    const raw = JSON.parse(tx.raw) as { Ntry: { NtryRef: string; Amt: { Ccy: string } }; TxDtls: { Refs: { TxId: string } } };
    expect(raw.Ntry.NtryRef).toBe('377138300');
    expect(raw.Ntry.Amt.Ccy).toBe('USD');
    expect(raw.TxDtls.Refs.TxId).toBe('PT1MTM97OM4OND37');
  });
});

describe('camt.054 fixture (genkgo camt054.v4.xml, v001.04, batch with 3 TxDtls)', () => {
  const statements = parseStatement(fixture('camt054/camt054.v4.xml'), { fileName: 'camt054.v4.xml' });
  const stmt = statements[0]!;

  it('parses although its amounts do not reconcile (entry DBIT SEK 200000, batch total CHF 6.3, details CRDT CHF 3.1+3.2+3.2)', () => {
    expect(statements).toHaveLength(1);
    expect(stmt.format).toBe('camt054');
    expect(stmt.statementId).toBe('AAAASESS-FP-ACCR001');
    expect(stmt.iban).toBe('CH2801234000123456789');
    expect(stmt.transactions).toHaveLength(3);
    expect(stmt.transactions.map((t) => t.amountMinor)).toEqual([310, 320, 320]);
    expect(totals(stmt.transactions)).toEqual({ 'credit CHF': 950 });
  });

  it('gives each TxDtls its references, remittance and the debtor', () => {
    const [a, b, c] = stmt.transactions;
    for (const t of stmt.transactions) {
      expect(t.entryRef).toBe('ACSR160617103200001'); // no TxDtls AcctSvcrRef: the entry's
      expect(t.payerName).toBe('UNIFITS GmbH');
      expect(t.payerAccount).toBe('CH2801234000123456789');
      expect(t.payerAccountIsIban).toBe(true);
      expect(t.bankTxCode).toBe('PMNT/ICDT/DMCT');
      expect(t.additionalInfo).toBe('Order'); // AddtlNtryInf
      expect(t.bookingDate).toBe('2007-10-18');
      expect(t.valueDate).toBe('2007-10-18');
    }
    expect(a!.endToEndId).toBe('UXC06170000006PI00001EE00001');
    expect(a!.structuredRefs).toEqual(['ISR ref number V1']);
    expect(a!.remittance).toBe('Unstructured Remittance Information V1 Additional Remittance Information V1');
    expect(b!.endToEndId).toBe('UXC06170000006PI00001EE00002');
    expect(b!.structuredRefs).toEqual(['ISR ref number V2']);
    expect(b!.remittance).toBe('Additional Remittance Information V2');
    expect(c!.structuredRefs).toEqual(['Ref number V3 block 1', 'Ref number V3 block 2']);
    expect(c!.remittance).toBe(
      'Unstructured Remittance Information V3 block 1 Unstructured Remittance Information V3 block 2 Additional Remittance Information V3 block 1 Additional Remittance Information V3 block 2',
    );
    expect(c!.location).toBe('Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[3]');
  });
});

describe('camt versions and layouts', () => {
  const v08Detail = `<TxDtls>
          <Refs><AcctSvcrRef>TX-1</AcctSvcrRef><EndToEndId>E2E-77</EndToEndId></Refs>
          <Amt Ccy="EUR">1250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Müller &amp; Söhne GmbH</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE89 3704 0044 0532 0130 00</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>Invoice INV-1001 RF18539007547034</Ustrd><Strd><RfrdDocInf><Nb>INV-1001</Nb></RfrdDocInf></Strd></RmtInf>
        </TxDtls>`;

  it('reads v08 parties (Dbtr/Pty/Nm), TxDtls/Amt, invoice numbers and RF references', () => {
    const [stmt] = parseStatement(camt053('08', entry('N1', '1250.00', 'CRDT', v08Detail)), { fileName: 'v08.xml' });
    const tx = stmt!.transactions[0]!;
    expect(stmt!.iban).toBe('DE89370400440532013000');
    expect(tx).toMatchObject({
      entryRef: 'TX-1',
      amountMinor: 125000,
      payerName: 'Müller & Söhne GmbH',
      payerAccount: 'DE89370400440532013000',
      payerAccountIsIban: true,
      endToEndId: 'E2E-77',
      valueDate: '2024-03-04',
    });
    expect(tx.structuredRefs).toEqual(['INV-1001', 'RF18539007547034']);
  });

  it('accepts every version from 001.02 to 001.08 and refuses the others by name', () => {
    for (const v of ['02', '03', '04', '05', '06', '07', '08']) {
      expect(parseStatement(camt053(v, entry('N1', '10.00', 'CRDT')), { fileName: `v${v}.xml` })[0]!.transactions).toHaveLength(1);
    }
    for (const v of ['01', '09', '13']) {
      const err = thrown(() => parseStatement(camt053(v, entry('N1', '10.00', 'CRDT')), { fileName: `v${v}.xml` }));
      expect(err.rule).toMatch(new RegExp(`version 001\\.${v}; supported are 001\\.02 to 001\\.08`));
      expect(err.fileName).toBe(`v${v}.xml`);
    }
  });

  it('takes the entry amount for a single TxDtls without one, and refuses a batch detail without one', () => {
    const bare = '<TxDtls><Refs><EndToEndId>E1</EndToEndId></Refs></TxDtls>';
    const [single] = parseStatement(camt053('02', entry('N1', '42.10', 'DBIT', bare)), { fileName: 'single.xml' });
    expect(single!.transactions[0]).toMatchObject({ amountMinor: 4210, direction: 'debit', entryRef: 'N1' });
    const err = thrown(() => parseStatement(camt053('02', entry('N1', '42.10', 'DBIT', bare + bare)), { fileName: 'batch.xml' }));
    expect(err.location).toBe('Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]');
    expect(err.rule).toMatch(/has no amount/);
  });

  it('keeps an invalid payer IBAN as an account id, flagged not-an-IBAN', () => {
    const detail =
      '<TxDtls><RltdPties><Dbtr><Nm>X</Nm></Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013001</IBAN></Id></DbtrAcct></RltdPties></TxDtls>';
    const [stmt] = parseStatement(camt053('02', entry('N1', '5.00', 'CRDT', detail)), { fileName: 'iban.xml' });
    expect(stmt!.transactions[0]).toMatchObject({ payerAccount: 'DE89370400440532013001', payerAccountIsIban: false });
  });

  it('marks entries that are not booked', () => {
    const xml = camt053('02', entry('N1', '5.00', 'CRDT')).replace('<Sts>BOOK</Sts>', '<Sts>PDNG</Sts>');
    expect(parseStatement(xml, { fileName: 'p.xml' })[0]!.transactions[0]!.booked).toBe(false);
  });

  it('decodes numeric character references', () => {
    const detail = '<TxDtls><RmtInf><Ustrd>Gr&#252;&#xDF;e</Ustrd></RmtInf></TxDtls>';
    expect(parseStatement(camt053('02', entry('N1', '5.00', 'CRDT', detail)), { fileName: 'r.xml' })[0]!.transactions[0]!.remittance).toBe(
      'Grüße',
    );
  });
});

describe('camt bad input', () => {
  const good = fixture('camt053/example-camt053-b.xml').toString('utf8');

  it('refuses a truncated file, naming the last line and the open elements', () => {
    const cut = good.slice(0, good.indexOf('<NtryRef>52198301</NtryRef>'));
    const err = thrown(() => parseStatement(cut, { fileName: 'cut.xml' }));
    expect(err.fileName).toBe('cut.xml');
    expect(err.rule).toMatch(/ends before these elements are closed: .*Ntry.*truncated/);
    expect(err.location).toMatch(/^line \d+$/);
    expect(err.message).toContain('cut.xml');
  });

  it('refuses malformed XML with the line of the fault', () => {
    const broken = good.replace('<NtryRef>52198251</NtryRef>', '<NtryRef>52198251</NtryRf>');
    const line = good.slice(0, good.indexOf('<NtryRef>52198251')).split('\n').length;
    const err = thrown(() => parseStatement(broken, { fileName: 'broken.xml' }));
    expect(err.location).toMatch(new RegExp(`^line ${line}, column \\d+$`));
    expect(err.rule).toMatch(/not well-formed XML/);
    expect(err.value).toContain('NtryRf');
  });

  it('refuses an unknown namespace or message type', () => {
    const pain = good.replace('camt.053.001.02', 'pain.001.001.03');
    expect(thrown(() => parseStatement(pain, { fileName: 'pain.xml' })).rule).toMatch(/not a camt\.053 or camt\.054 namespace/);
    const camt052 = good.replace('camt.053.001.02', 'camt.052.001.02');
    expect(thrown(() => parseStatement(camt052, { fileName: '052.xml' })).value).toBe('urn:iso:std:iso:20022:tech:xsd:camt.052.001.02');
    const wrongMessage = good.replaceAll('BkToCstmrStmt', 'BkToCstmrAcctRpt');
    expect(thrown(() => parseStatement(wrongMessage, { fileName: 'rpt.xml' })).rule).toMatch(/has no BkToCstmrStmt message/);
    expect(thrown(() => parseStatement('<?xml version="1.0"?><Invoice/>', { fileName: 'inv.xml' })).rule).toMatch(
      /not an ISO 20022 Document/,
    );
  });

  it('refuses a format option that contradicts the namespace', () => {
    expect(thrown(() => parseStatement(good, { fileName: 'f.xml', format: 'camt054' })).rule).toMatch(
      /is camt053, but the format option says camt054/,
    );
  });

  it('refuses DOCTYPE declarations and control-character references', () => {
    const dtd = good.replace('<Document', '<!DOCTYPE Document [<!ENTITY x "y">]>\n<Document');
    expect(thrown(() => parseStatement(dtd, { fileName: 'dtd.xml' })).rule).toMatch(/DOCTYPE/);
    const nul = good.replace('Sample Unstructured Remittance 123', 'Sample&#0;Remittance');
    const err = thrown(() => parseStatement(nul, { fileName: 'nul.xml' }));
    expect(err.rule).toMatch(/character reference &#0; to a control/);
    expect(err.location).toMatch(/^line \d+, column \d+$/);
  });

  it('refuses the whole file for one bad entry, or skips it with skipInvalid', () => {
    const bad = good.replace(
      '<CdtDbtInd>DBIT</CdtDbtInd>\n                <RvslInd>false</RvslInd>',
      '<CdtDbtInd>DEBIT</CdtDbtInd>\n                <RvslInd>false</RvslInd>',
    );
    expect(bad).not.toBe(good);
    const err = thrown(() => parseStatement(bad, { fileName: 'bad.xml' }));
    expect(err.location).toBe('Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/CdtDbtInd');
    expect(err.value).toBe('DEBIT');
    expect(err.rule).toBe('must be CRDT or DBIT');

    const [stmt] = parseStatement(bad, { fileName: 'bad.xml', skipInvalid: true });
    expect(stmt!.transactions).toHaveLength(18);
    const expected: RejectedEntry[] = [
      { location: 'Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/CdtDbtInd', value: 'DEBIT', rule: 'must be CRDT or DBIT' },
    ];
    expect(stmt!.rejected).toEqual(expected);
  });

  it('refuses amounts with more decimals than the currency has, and zero amounts', () => {
    const tooFine = thrown(() => parseStatement(camt053('02', entry('N1', '15.415', 'CRDT')), { fileName: 'fine.xml' }));
    expect(tooFine.location).toBe('Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt');
    expect(tooFine.rule).toMatch(/more than 2 decimal places/);
    const zero = thrown(() => parseStatement(camt053('02', entry('N1', '0.00', 'CRDT')), { fileName: 'zero.xml' }));
    expect(zero.rule).toMatch(/greater than zero/);
  });
});
