import { describe, expect, it } from 'vitest';
import { type Direction, parseStatement } from '../../cash/statements';
import { fixture, thrown } from '../support/statements';

const sepa = fixture('mt940/sepa_mt9401.sta').toString('utf8');

describe('German SEPA MT940 (wolph/mt940 sepa_mt9401.sta): 26 statements, structured :86:', () => {
  const statements = parseStatement(Buffer.from(sepa), { fileName: 'sepa_mt9401.sta' });
  const txs = statements.flatMap((s) => s.transactions);

  it('has 26 statements and 97 statement lines: 41 credits of EUR 5,188,474.94 and 56 debits of EUR 14,457,610.84', () => {
    expect(statements).toHaveLength(26);
    expect(txs).toHaveLength(97);
    const side = (d: Direction) => txs.filter((t) => t.direction === d);
    const credits = side('credit');
    const debits = side('debit');
    expect(credits).toHaveLength(41); // 38 C + 3 C with a value date after the booking date
    expect(debits).toHaveLength(56); // 54 D + 2 RC (reversal of a credit)
    expect(credits.reduce((s, t) => s + t.amountMinor, 0)).toBe(518847494);
    expect(debits.reduce((s, t) => s + t.amountMinor, 0)).toBe(1445761084);
    expect(txs.every((t) => t.currency === 'EUR')).toBe(true);
  });

  it('reads the statement header: :20:/:28C: id, :25: account, :60F:/:62F: balances', () => {
    const first = statements[0]!;
    expect(first).toMatchObject({
      format: 'mt940',
      statementId: 'T089413946000001/00004/00001',
      accountId: '50880050/0194774600888',
      iban: null,
      currency: 'EUR',
    });
    expect(first.openingBalance).toEqual({ amountMinor: -123471836, currency: 'EUR', date: '2007-09-03' }); // D070903EUR1234718,36
    expect(first.closingBalance).toEqual({ amountMinor: -123762823, currency: 'EUR', date: '2007-09-04' });
    expect(first.transactions).toHaveLength(7);
    // :60M:/:62M: intermediate balances of a statement continued in a second sequence
    expect(statements.find((s) => s.statementId === 'T089414006000002/00004/00002')!.openingBalance!.amountMinor).toBe(-3050383);
  });

  it('reads a returned transfer: bank reference after //, EREF, GVC 159 and its reason key', () => {
    // :61:0709040904CR300,NTRFTFNr 40005 MSGID//0724710345313905
    // :86:159?00RETOURE?100399?20EREF+TFNR 40005 00005?21MTLG:Grund nicht s / pezifizie?22rt Reject aus SEPA-Ueberwei?23sungsauftrag?34914
    expect(txs[0]).toMatchObject({
      entryRef: '0724710345313905',
      bookingDate: '2007-09-04',
      valueDate: '2007-09-04',
      amountMinor: 30000,
      direction: 'credit',
      endToEndId: 'TFNR 40005 00005',
      structuredRefs: ['TFNR 40005 00005'],
      remittance: 'MTLG:Grund nicht spezifiziert Reject aus SEPA-Ueberweisungsauftrag',
      isReturn: true,
      returnReason: '914',
      bankTxCode: 'NTRF/159',
      additionalInfo: 'RETOURE',
      location: 'line 5',
    });
    expect(txs[0]!.raw).toBe(
      ':61:0709040904CR300,NTRFTFNr 40005 MSGID//0724710345313905\n:86:159?00RETOURE?100399?20EREF+TFNR 40005 00005?21MTLG:Grund nicht s\npezifizie?22rt Reject aus SEPA-Ueberwei?23sungsauftrag?34914',
    );
  });

  it('books RC (reversal of a credit) as a debit return, and NONREF as no reference', () => {
    // :61:0709040904RCR204,88NRTINONREF  :86:079?00SAMMLER/STORNO?109800?200904059003
    const storno = txs.find((t) => t.location === 'line 19')!;
    expect(storno).toMatchObject({
      direction: 'debit',
      isReturn: true,
      amountMinor: 20488,
      entryRef: null,
      remittance: '0904059003',
      bankTxCode: 'NRTI/079',
      additionalInfo: 'SAMMLER/STORNO',
    });
  });

  it('joins wrapped ?-subfields: EREF across ?20/?21, payer name ?32+?33, IBAN in ?31', () => {
    // :61:0709040904CR15000,05NTRFNONREF//0724710290621954 (line 27), statement T089413956000001
    const credit = statements[1]!.transactions[0]!;
    expect(credit).toMatchObject({
      entryRef: '0724710290621954',
      amountMinor: 1500005,
      endToEndId: 'EndToEndIdTFNR2000400001',
      payerName: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'DE42100100100043921105',
      payerAccountIsIban: true,
      bankTxCode: 'NTRF/166',
      additionalInfo: 'GUTSCHRIFT',
    });
    expect(credit.remittance).toMatch(/^TO 13 TFNr 20004 Eingangskanal Mint \.+/);
    expect(credit.remittance).toContain('MTLG:SEPA-Ueberweisungseingang Auftraggeber: Richter R');
  });

  it('reads KREF and SVWZ spanning many subfields, and the payee of a debit', () => {
    // :61:0709040904DR57,34NTRFKREF+//0724710352996674 with ?20EREF+NONREF?21KREF+TFNR 01011 Instruct / ion?22 Id  00001?23SVWZ+…
    const debit = txs.find((t) => t.entryRef === '0724710352996674')!;
    expect(debit).toMatchObject({
      direction: 'debit',
      amountMinor: 5734,
      endToEndId: null,
      structuredRefs: ['TFNR 01011 Instruction Id 00001'],
      payerName: 'Empfaenger 1 mit 70 Zeichen Empfaenger 1 mit 70 Zeiche',
      payerAccount: 'FR1420041010050500013M02606',
      payerAccountIsIban: true,
      remittance:
        'Unstrukturierter Verwendungszweck mit 140 Stellen fu/r SEPA COR Buchungsschema /A-CT-DTE-S01 und A-CT-NUD-/S01 CTSc-01 EBB TFNr 01011/ 0001',
    });
  });

  it('reads a value date that differs from the booking date, and a padded name', () => {
    // :61:0709070904CR50990,05NTRFNONREF//0724710333343453, ?32KARL?33        KAUFMANN
    // The same bank reference books the debit side in another statement (line 422).
    expect(txs.filter((t) => t.entryRef === '0724710333343453').map((t) => [t.location, t.direction])).toEqual([
      ['line 422', 'debit'],
      ['line 490', 'credit'],
    ]);
    const tx = txs.find((t) => t.location === 'line 490')!;
    expect(tx).toMatchObject({
      valueDate: '2007-09-07',
      bookingDate: '2007-09-04',
      payerName: 'KARL KAUFMANN',
      payerAccount: 'DE14508800500194785000',
    });
  });
});

describe('bunq MT940 (php-mt940 Bunq sample): Dutch /TAG/ layout', () => {
  const statements = parseStatement(fixture('mt940/bunq/sample'), { fileName: 'sample' });
  const stmt = statements[0]!;
  const txs = stmt.transactions;

  it('skips the bank header lines and reads one statement of 111 lines', () => {
    expect(statements).toHaveLength(1);
    expect(stmt).toMatchObject({
      statementId: 'BUNQ BV/00001',
      accountId: 'NL10BUNQ2290325473',
      iban: 'NL10BUNQ2290325473',
      currency: 'EUR',
    });
    expect(stmt.openingBalance).toEqual({ amountMinor: 3233, currency: 'EUR', date: '2019-01-31' });
    expect(stmt.closingBalance).toEqual({ amountMinor: 566, currency: 'EUR', date: '2019-05-31' });
    expect(txs).toHaveLength(111);
  });

  it('totals 26 credits of EUR 761.66 and 85 debits of EUR 788.33; 15 of the credits carry no remittance', () => {
    const credits = txs.filter((t) => t.direction === 'credit');
    const debits = txs.filter((t) => t.direction === 'debit');
    expect(credits).toHaveLength(26);
    expect(debits).toHaveLength(85);
    expect(credits.reduce((s, t) => s + t.amountMinor, 0)).toBe(76166);
    expect(debits.reduce((s, t) => s + t.amountMinor, 0)).toBe(78833);
    expect(credits.filter((t) => t.remittance === '')).toHaveLength(15);
    expect(txs.filter((t) => t.payerAccount === null)).toHaveLength(20); // card payments name no IBAN
    expect(txs.every((t) => t.entryRef === null)).toBe(true); // every line is NONREF
  });

  it('reads NAME, IBAN and REMI, keeps slashes inside a name, and joins continuation lines with a space', () => {
    // :61:1902090209C75,NTRFNONREF  :86:/IBAN/NL97ABNA0479445079/NAME/SRMF WILLEMS/REMI/Proficiat
    expect(txs[3]).toMatchObject({
      direction: 'credit',
      amountMinor: 7500,
      payerName: 'SRMF WILLEMS',
      payerAccount: 'NL97ABNA0479445079',
      payerAccountIsIban: true,
      remittance: 'Proficiat',
      bookingDate: '2019-02-09',
    });
    const salary = txs.find((t) => t.remittance === 'Salaris februari 2019')!;
    expect(salary).toMatchObject({ payerName: 'STICHTING VILENTE', amountMinor: 4333, direction: 'credit' });
    expect(txs.find((t) => t.amountMinor === 4000 && t.remittance === 'Test')!.payerName).toBe('Hr J F M Wacki en/of.Mw K Wacki-Blokland');
    expect(txs.find((t) => t.amountMinor === 61 && t.direction === 'debit')!.remittance).toBe(
      'WWW.ROUTERHOSTING.COM TAURANGA SOUT, NZ 1.00 NZD, 1 NZD = 0.61000 EUR',
    );
  });

  it('puts a booking date in the nearest year to its value date', () => {
    // :61:1904010502C0,61NMSCNONREF: valued 2019-04-01, booked 05-02
    expect(txs.find((t) => t.valueDate === '2019-04-01' && t.bookingDate === '2019-05-02')).toMatchObject({
      amountMinor: 61,
      direction: 'credit',
    });
  });
});

const ing = [
  '{1:F01INGBNL2AXXXX0000000000}{2:I940INGBNL2AXXXXN}{4:',
  ':20:P140220000000001',
  ':25:NL69INGB0123456789EUR',
  ':28C:00000',
  ':60F:C131231EUR1000,00',
  ':61:1401020102C250,00NTRF//PREF',
  ':86:/EREF/20140102-INV77//CNTP/NL66RABO0160878799/RABONL2U/Klant BV/Utrecht///REMI/USTD//Factuur 2013-077 RF18539007547034/',
  ':61:1401021231D25,00NTRFEREF//0000006',
  ':86:/RTRN/MS03/EREF/NOTPROVIDED//CNTP/NL08INGB0000001234/INGBNL2A/Leverancier NV//',
  ':61:1401020102RD7,50NTRFNONREF//STORNO-1',
  ':86:/EREF/DD-2013-12//MARF/MANDATE-9/REMI/USTD//Storno incasso/',
  ':62F:C140102EUR1232,50',
  '-}',
  '',
].join('\r\n');

describe('MT940 layouts and envelopes', () => {
  it('reads a SWIFT envelope and the ING /EREF/ /CNTP/ /REMI/USTD// /RTRN/ layout', () => {
    const [stmt] = parseStatement(ing, { fileName: 'ing.940' });
    expect(stmt!).toMatchObject({ statementId: 'P140220000000001/00000', accountId: 'NL69INGB0123456789', iban: 'NL69INGB0123456789' });
    expect(stmt!.transactions).toHaveLength(3);
    const [credit, returned] = stmt!.transactions;
    expect(credit).toMatchObject({
      entryRef: 'PREF',
      endToEndId: '20140102-INV77',
      payerName: 'Klant BV',
      payerAccount: 'NL66RABO0160878799',
      payerAccountIsIban: true,
      remittance: 'Factuur 2013-077 RF18539007547034',
      structuredRefs: ['20140102-INV77', 'RF18539007547034'],
      bookingDate: '2014-01-02',
    });
    expect(returned).toMatchObject({
      isReturn: true,
      returnReason: 'MS03',
      endToEndId: null,
      payerName: 'Leverancier NV',
      direction: 'debit',
      entryRef: '0000006',
    });
    // Booked 31 Dec, valued 2 Jan: the booking date belongs to the previous year.
    expect(returned).toMatchObject({ valueDate: '2014-01-02', bookingDate: '2013-12-31' });
    // RD, the reversal of a debit, is booked as a credit.
    expect(stmt!.transactions[2]).toMatchObject({
      direction: 'credit',
      isReturn: true,
      amountMinor: 750,
      entryRef: 'STORNO-1',
      endToEndId: 'DD-2013-12',
      structuredRefs: ['DD-2013-12', 'MANDATE-9'],
      remittance: 'Storno incasso',
    });
  });

  it('reads a German SEPA direct debit: EREF, MREF, CRED, SVWZ and the debtor', () => {
    const text = [
      ':20:STARTUMS',
      ':25:70020270/12345678',
      ':28C:5/1',
      ':60F:C240301EUR0,00',
      ':61:2403040304CR49,00NDDTNONREF//2403041234567',
      ':86:171?00SEPA-BASISLASTSCHRIFT?109310?20EREF+INV-2024-0042?21MREF+M-778?22CRED+DE98ZZZ09999999999?23SVWZ+Beitrag Maerz 2024?30GENODEF1S04?31DE02120300000000202051?32Verein fuer Testzwecke e.V.',
      ':62F:C240304EUR49,00',
      '-',
    ].join('\n');
    const [tx] = parseStatement(text, { fileName: 'dd.sta' })[0]!.transactions;
    expect(tx).toMatchObject({
      entryRef: '2403041234567',
      bookingDate: '2024-03-04',
      endToEndId: 'INV-2024-0042',
      structuredRefs: ['INV-2024-0042', 'M-778'],
      remittance: 'Beitrag Maerz 2024',
      payerName: 'Verein fuer Testzwecke e.V.',
      payerAccount: 'DE02120300000000202051',
      payerAccountIsIban: true,
      bankTxCode: 'NDDT/171',
      additionalInfo: 'SEPA-BASISLASTSCHRIFT',
      isReturn: false,
    });
  });

  it('decodes a latin1 file when told, and refuses it as UTF-8 naming the line', () => {
    const text = [
      ':20:STARTUMS',
      ':25:70020270/12345678',
      ':28C:1/1',
      ':60F:C240301EUR100,00',
      ':61:2403010301CR12,34NTRFNONREF',
      ':86:166?00GUTSCHRIFT?20SVWZ+Rechnung 4711 Grüße?32Jürgen Mößner',
      ':62F:C240301EUR112,34',
      '-',
    ].join('\n');
    const latin1 = Buffer.from(text, 'latin1');
    const [stmt] = parseStatement(latin1, { fileName: 'umsatz.sta', encoding: 'latin1' });
    expect(stmt!.transactions[0]).toMatchObject({ payerName: 'Jürgen Mößner', remittance: 'Rechnung 4711 Grüße', amountMinor: 1234 });
    const asUtf8 = thrown(() => parseStatement(latin1, { fileName: 'umsatz.sta' }));
    expect(asUtf8.fileName).toBe('umsatz.sta');
    expect(asUtf8.location).toMatch(/^line 6, column \d+$/);
    expect(asUtf8.rule).toMatch(/is not valid UTF-8 \(byte 0xFC\).*encoding option/);
    expect(
      parseStatement(Buffer.from(text, 'latin1'), { fileName: 'u.sta', encoding: 'windows-1252' })[0]!.transactions[0]!.payerName,
    ).toBe('Jürgen Mößner');
  });
});

describe('MT940 bad input', () => {
  it('refuses a broken :61: line by default, naming file, line and value', () => {
    const bad = sepa.replace(
      ':61:0709040904CR335,33NTRFTFNr 44003 MSGID//0724710351061491',
      ':61:0709040904XR335,33NTRFTFNr 44003 MSGID//0724710351061491',
    );
    const err = thrown(() => parseStatement(bad, { fileName: 'bad.sta' }));
    expect(err.fileName).toBe('bad.sta');
    expect(err.location).toBe('line 8');
    expect(err.value).toBe(':61:0709040904XR335,33NTRFTFNr 44003 MSGID//0724710351061491');
    expect(err.rule).toMatch(/is not a :61: statement line/);
    expect(err.message).toMatch(/^bad\.sta, line 8: is not a :61: statement line/);
  });

  it('skips the broken line with skipInvalid and keeps every other statement', () => {
    const bad = sepa.replace(':61:0709040904CR335,33NTRFTFNr 44003 MSGID//0724710351061491', ':61:0709040904CR335,33');
    const statements = parseStatement(bad, { fileName: 'bad.sta', skipInvalid: true });
    expect(statements).toHaveLength(26);
    expect(statements.flatMap((s) => s.transactions)).toHaveLength(96);
    expect(statements[0]!.rejected).toEqual([
      { location: 'line 8', value: ':61:0709040904CR335,33', rule: expect.stringMatching(/not a :61: statement line/) },
    ]);
    expect(statements.slice(1).every((s) => s.rejected.length === 0)).toBe(true);
  });

  it('refuses impossible dates and amounts in :61:', () => {
    expect(
      thrown(() => parseStatement(sepa.replace(':61:0709040904CR300,NTRF', ':61:0713040904CR300,NTRF'), { fileName: 'f' })).rule,
    ).toMatch(/YYMMDD/);
    expect(
      thrown(() => parseStatement(sepa.replace(':61:0709040904CR300,NTRF', ':61:0709041304CR300,NTRF'), { fileName: 'f' })).rule,
    ).toMatch(/MMDD/);
    expect(
      thrown(() => parseStatement(sepa.replace(':61:0709040904CR300,NTRF', ':61:0709040904CR300,123NTRF'), { fileName: 'f' })).rule,
    ).toMatch(/more than 2 decimal places/);
  });

  it('refuses a statement whose lines do not add up to the closing balance', () => {
    const bad = sepa.replace(':61:0709040904CR300,NTRF', ':61:0709040904CR301,NTRF');
    const err = thrown(() => parseStatement(bad, { fileName: 'sum.sta' }));
    expect(err.location).toBe('line 23');
    expect(err.rule).toMatch(/closing balance -123762823 does not equal opening balance -123471836 plus the statement lines -290887/);
  });

  it('refuses a truncated file (no closing balance) and fields before :20:', () => {
    const cut = sepa.split('\n').slice(0, 20).join('\n');
    expect(thrown(() => parseStatement(cut, { fileName: 'cut.sta' })).rule).toMatch(/no :62F:\/:62M: closing balance \(truncated file\?\)/);
    expect(thrown(() => parseStatement(':25:123\n:60F:C240301EUR1,00\n', { fileName: 'x.sta', format: 'mt940' })).rule).toMatch(
      /comes before the :20:/,
    );
  });

  it('refuses a balance in another currency than the opening balance', () => {
    expect(
      thrown(() => parseStatement(sepa.replace(':62F:D070904EUR1237628,23', ':62F:D070904USD1237628,23'), { fileName: 'f' })).rule,
    ).toMatch(/closing balance currency USD differs from the opening balance currency EUR/);
  });
});
