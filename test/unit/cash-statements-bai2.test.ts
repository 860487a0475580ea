import { describe, expect, it } from 'vitest';
import { parseStatement, type StatementBalance } from '../../cash/statements';
import { fixture as statementFixture, thrown } from '../support/statements';

const fixture = (path: string) => statementFixture(path).toString('utf8');

const sample2 = fixture('bai2/sample2.txt');
const citi = fixture('bai2/citi_example.bai2');

describe('BAI2 spec example (moov-io sample2.txt): 4 groups, 5 accounts', () => {
  const statements = parseStatement(sample2, { fileName: 'sample2.txt' });

  it('gives one statement per account, with ids from file date, file id, group and account', () => {
    expect(statements.map((s) => s.statementId)).toEqual([
      '2004-06-21/1/1/0123456789',
      '2004-06-21/1/1/9876543210',
      '2004-06-21/1/2/4589761203',
      '2004-06-21/1/3/0975312468',
      '2004-06-21/1/4/7890654321',
    ]);
    expect(statements.every((s) => s.format === 'bai2' && s.currency === 'USD' && s.iban === null)).toBe(true);
    // 010 opening ledger per account: +4350000, -500000, 10000000, 500000, 800000 (cents).
    expect(statements.map((s) => s.openingBalance?.amountMinor)).toEqual([4350000, -500000, 10000000, 500000, 800000]);
    expect(statements[0]!.openingBalance!.date).toBe('2004-06-20'); // the group's as-of date
  });

  it('has exactly 4 transaction details, all credits, USD 309,500.00 in total', () => {
    const txs = statements.flatMap((s) => s.transactions);
    expect(txs).toHaveLength(4);
    expect(statements.map((s) => s.transactions.length)).toEqual([1, 1, 2, 0, 0]);
    expect(txs.every((t) => t.direction === 'credit' && t.currency === 'USD')).toBe(true);
    // 16,115,450000 + 16,115,500000 + 16,218,20000000 + 16,195,10000000
    expect(txs.reduce((sum, t) => sum + t.amountMinor, 0)).toBe(30950000);
  });

  it('reads references, value dates and 88 continuation text', () => {
    const [lockbox1, lockbox2, letterOfCredit, wire] = statements.flatMap((s) => s.transactions);
    expect(lockbox1).toMatchObject({
      bankTxCode: '115',
      amountMinor: 450000,
      entryRef: null,
      remittance: '',
      valueDate: null,
      location: 'line 5',
    });
    expect(lockbox2).toMatchObject({ amountMinor: 500000, remittance: 'LOCK BOX NO.68751', location: 'line 10' });
    // 16,218,20000000,V,040622,,SP4738,YRC065321/ then 88,PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO/
    expect(letterOfCredit).toMatchObject({
      bankTxCode: '218',
      entryRef: 'SP4738',
      structuredRefs: ['YRC065321'],
      valueDate: '2004-06-22',
      bookingDate: '2004-06-20',
      remittance: 'PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO',
    });
    expect(letterOfCredit!.raw).toBe(
      '16,218,20000000,V,040622,,SP4738,YRC065321/\n88,PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO/',
    );
    expect(wire).toMatchObject({ bankTxCode: '195', amountMinor: 10000000, location: 'line 18' });
  });

  it('reads the same file without "/" terminators', () => {
    const bare = sample2.replace(/\/$/gm, '');
    expect(
      parseStatement(bare, { fileName: 'bare.txt' }).map((s) => ({ ...s, transactions: s.transactions.map((t) => ({ ...t, raw: '' })) })),
    ).toEqual(statements.map((s) => ({ ...s, transactions: s.transactions.map((t) => ({ ...t, raw: '' })) })));
  });

  it('reads the same file with all records on one physical line', () => {
    const oneLine = sample2.split('\n').join('');
    const parsed = parseStatement(oneLine, { fileName: 'one-line.txt' });
    expect(parsed.map((s) => s.statementId)).toEqual(statements.map((s) => s.statementId));
    expect(parsed.flatMap((s) => s.transactions).map((t) => [t.amountMinor, t.remittance, t.entryRef])).toEqual(
      statements.flatMap((s) => s.transactions).map((t) => [t.amountMinor, t.remittance, t.entryRef]),
    );
  });
});

describe('BAI2 Citi UK example: Faster Payments credit with 88 continuations', () => {
  const [stmt, ...rest] = parseStatement(citi, { fileName: 'citi_example.bai2' });

  it('reads the GBP account, balances and the one credit of 1 penny', () => {
    expect(rest).toHaveLength(0);
    expect(stmt).toMatchObject({ statementId: '2015-07-16/00131100/1/77777777', accountId: '77777777', currency: 'GBP' });
    const ledger = { amountMinor: 10000, currency: 'GBP', date: '2015-07-15' } as StatementBalance; // the 010 and 015 items
    expect(stmt!.openingBalance).toEqual(ledger);
    expect(stmt!.closingBalance).toEqual(ledger);
    expect(stmt!.transactions).toHaveLength(1);
    const tx = stmt!.transactions[0]!;
    expect(tx).toMatchObject({
      direction: 'credit',
      amountMinor: 1,
      currency: 'GBP',
      bankTxCode: '191',
      entryRef: '1234567890',
      valueDate: '2015-07-15',
    });
  });

  it('joins the continuation text and finds the payer in it', () => {
    const tx = stmt!.transactions[0]!;
    expect(tx.remittance).toBe(
      'FR:FP SIP INCOMING ENDT:20150715 TRID:RP12312312312312 PY:RP1231231231231200 A1234BC 22/03/66 BI:22222222 OB:111111 BUCKINGHAM PALACE OB3:BARCLAYS BANK PLC BO:11111111 BO1:DOE JO',
    );
    expect(tx.payerName).toBe('DOE JO');
    expect(tx.payerAccount).toBe('11111111');
    expect(tx.payerAccountIsIban).toBe(false);
    expect(tx.structuredRefs).toEqual(['RP12312312312312']); // the customer reference field
    expect(tx.raw.split('\n')).toHaveLength(8);
  });
});

describe('BAI2 bad input', () => {
  it('refuses a wrong account control total, naming the 49 record', () => {
    const bad = sample2.replace('49,9150000,4/', '49,9150001,4/');
    const err = thrown(() => parseStatement(bad, { fileName: 'bad-total.txt' }));
    expect(err.fileName).toBe('bad-total.txt');
    expect(err.location).toBe('line 6');
    expect(err.value).toBe('49,9150001,4/');
    expect(err.rule).toBe("account control total 9150001 does not equal the sum of the account's amounts 9150000");
  });

  it('refuses wrong group and file totals and record counts', () => {
    expect(thrown(() => parseStatement(sample2.replace('98,13150000,2,11/', '98,13150000,2,12/'), { fileName: 'f' })).rule).toBe(
      'number of records in the group is 12, but 11 were found',
    );
    expect(thrown(() => parseStatement(sample2.replace('98,13150000,2,11/', '98,13150000,3,11/'), { fileName: 'f' })).rule).toBe(
      'number of accounts is 3, but 2 were found',
    );
    expect(thrown(() => parseStatement(sample2.replace('99,345450000,4,31/', '99,345450000,4,30/'), { fileName: 'f' })).rule).toBe(
      'number of records in the file is 30, but 31 were found',
    );
    expect(thrown(() => parseStatement(sample2.replace('99,345450000,4,31/', '99,345450001,4,31/'), { fileName: 'f' })).rule).toMatch(
      /file control total 345450001 does not equal/,
    );
    expect(thrown(() => parseStatement(citi.replace('49,20001,10/', '49,20001,9/'), { fileName: 'f' })).rule).toBe(
      'number of records in the account is 9, but 10 were found',
    );
  });

  it('refuses a truncated file', () => {
    const cut = sample2.split('\n').slice(0, 20).join('\n');
    const err = thrown(() => parseStatement(cut, { fileName: 'cut.txt' }));
    expect(err.rule).toMatch(/file ends where a \d\d record was expected \(truncated file\?\)/);
  });

  it('refuses unknown record codes and a bad funds type', () => {
    expect(
      thrown(() => parseStatement(sample2.replace('16,195,10000000,1,,,/', '17,195,10000000,1,,,/'), { fileName: 'f' })).location,
    ).toBe('line 18');
    expect(thrown(() => parseStatement(sample2.replace('16,195,10000000,1,,,/', '16,195,10000000,X,,,/'), { fileName: 'f' })).rule).toMatch(
      /not a BAI2 funds type/,
    );
  });

  it('refuses one bad detail by default, or skips it (and the totals it breaks) with skipInvalid', () => {
    const bad = sample2.replace('16,195,10000000,1,,,/', '16,195,1000000O,1,,,/');
    const err = thrown(() => parseStatement(bad, { fileName: 'bad.txt' }));
    expect(err).toMatchObject({ location: 'line 18', value: '1000000O' });
    const parsed = parseStatement(bad, { fileName: 'bad.txt', skipInvalid: true });
    expect(parsed.flatMap((s) => s.transactions)).toHaveLength(3);
    expect(parsed[2]!.rejected).toEqual([
      { location: 'line 18', value: '1000000O', rule: 'is not an unsigned BAI2 amount (the type code carries the direction)' },
    ]);
  });

  it('reads debits and return type codes', () => {
    const returned = citi.replace('16,191,001,V,150715,,1234567890,RP12312312312312/', '16,555,001,0,1234567890,RP12312312312312/');
    const tx = parseStatement(returned, { fileName: 'r' })[0]!.transactions[0]!;
    expect(tx).toMatchObject({ direction: 'debit', isReturn: true, bankTxCode: '555', valueDate: null });
  });
});
