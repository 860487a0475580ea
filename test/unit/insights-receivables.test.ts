import { describe, expect, it } from 'vitest';
import {
  agingBucket,
  arSnapshot,
  cashCollectedByMonth,
  cei,
  computeDaysToPay,
  computeDaysToPayRaw,
  computeLedgerMetrics,
  computeLedgerMetricsRaw,
  countbackMonths,
  countbackWalk,
  creditSales,
  dsoCountback,
  dsoStandard,
  type InvoiceFact,
  indexLedger,
  type LedgerFacts,
  LedgerFactsError,
  openBalanceAt,
  type PaymentFact,
  roundTo,
  type SettlementFact,
} from '../../insights/metrics';

/*
 * The fixture ledger, as of 2026-03-31 (2026 is not a leap year: February has 28 days).
 *
 * customers: c1 strategic/enterprise, c2 strategic/smb, c3 standard/enterprise, c4 standard/smb, c5 small/smb
 *
 * inv  cust cur  amount   issued      due         settlements                                   open at 03-31  d = 03-31 − due
 * A    c1   USD  1000.00  2026-01-10  2026-02-09  pay 300.00 02-20, credit 200.00 03-05,        500.00         50 → 31-60
 *                                                  pay 500.00 04-10 (after asOf: ignored)
 * B    c1   USD  2000.00  2026-03-15  2026-04-14  —                                              2000.00       −14 → current
 * C    c3   USD   500.00  2025-11-01  2025-12-01  write-off 500.00 03-20                           0.00
 * D    c3   USD   700.00  2026-04-05  2026-05-05  — (issued after asOf: excluded)                  —
 * E    c4   USD   300.00  2025-12-15  2025-12-31  pay 100.00 01-15                               200.00         90 → 61-90 (31+28+31)
 * F    c4   USD   400.00  2025-10-01  2025-10-31  —                                               400.00        151 → 90+ (30+31+31+28+31)
 * G    c2   USD   100.00  2026-03-01  2026-03-31  —                                               100.00          0 → current (due today)
 * H    c5   USD   600.00  2026-02-01  2026-03-03  pay 600.00 03-10                                  0.00
 * I    c5   USD   250.00  2026-02-10  2026-03-12  credit 50.00 03-01                              200.00         19 → 1-30
 * J    c2   EUR  1000.00  2026-03-01  2026-03-31  pay 400.00 03-15                                600.00          0 → current
 * K    c5   JPY    50000  2026-02-01  2026-03-02  —                                             ¥50000          29 → 1-30
 *
 * cash received: 01-15 USD 100.00 c4; 02-20 USD 300.00 c1; 03-10 USD 600.00 c5; 03-25 USD 75.00
 * unidentified (not applied); 04-10 USD 500.00 c1 (after asOf); 03-15 EUR 400.00 c2.
 */
const CUSTOMERS = {
  c1: { tier: 'strategic', segment: 'enterprise' },
  c2: { tier: 'strategic', segment: 'smb' },
  c3: { tier: 'standard', segment: 'enterprise' },
  c4: { tier: 'standard', segment: 'smb' },
  c5: { tier: 'small', segment: 'smb' },
} as const;

function inv(
  number: string,
  customerId: keyof typeof CUSTOMERS,
  currency: string,
  amountMinor: number,
  issueDate: string,
  dueDate: string,
): InvoiceFact {
  return { number, customerId, ...CUSTOMERS[customerId], currency, amountMinor, issueDate, dueDate };
}
const pay = (invoiceNumber: string, date: string, amountMinor: number): SettlementFact => ({
  invoiceNumber,
  date,
  amountMinor,
  kind: 'payment',
});
const credit = (invoiceNumber: string, date: string, amountMinor: number): SettlementFact => ({
  invoiceNumber,
  date,
  amountMinor,
  kind: 'credit',
});
const writeOff = (invoiceNumber: string, date: string, amountMinor: number): SettlementFact => ({
  invoiceNumber,
  date,
  amountMinor,
  kind: 'write_off',
});
const cash = (date: string, currency: string, amountMinor: number, customerId: string | null): PaymentFact => ({
  date,
  currency,
  amountMinor,
  customerId,
});

const FACTS: LedgerFacts = {
  invoices: [
    inv('A', 'c1', 'USD', 100000, '2026-01-10', '2026-02-09'),
    inv('B', 'c1', 'USD', 200000, '2026-03-15', '2026-04-14'),
    inv('C', 'c3', 'USD', 50000, '2025-11-01', '2025-12-01'),
    inv('D', 'c3', 'USD', 70000, '2026-04-05', '2026-05-05'),
    inv('E', 'c4', 'USD', 30000, '2025-12-15', '2025-12-31'),
    inv('F', 'c4', 'USD', 40000, '2025-10-01', '2025-10-31'),
    inv('G', 'c2', 'USD', 10000, '2026-03-01', '2026-03-31'),
    inv('H', 'c5', 'USD', 60000, '2026-02-01', '2026-03-03'),
    inv('I', 'c5', 'USD', 25000, '2026-02-10', '2026-03-12'),
    inv('J', 'c2', 'EUR', 100000, '2026-03-01', '2026-03-31'),
    inv('K', 'c5', 'JPY', 50000, '2026-02-01', '2026-03-02'),
  ],
  settlements: [
    // Deliberately out of date order: the index sorts them.
    pay('A', '2026-04-10', 50000),
    credit('A', '2026-03-05', 20000),
    pay('A', '2026-02-20', 30000),
    writeOff('C', '2026-03-20', 50000),
    pay('E', '2026-01-15', 10000),
    pay('H', '2026-03-10', 60000),
    credit('I', '2026-03-01', 5000),
    pay('J', '2026-03-15', 40000),
  ],
  payments: [
    cash('2026-01-15', 'USD', 10000, 'c4'),
    cash('2026-02-20', 'USD', 30000, 'c1'),
    cash('2026-03-10', 'USD', 60000, 'c5'),
    cash('2026-03-25', 'USD', 7500, null),
    cash('2026-04-10', 'USD', 50000, 'c1'),
    cash('2026-03-15', 'EUR', 40000, 'c2'),
  ],
};

const AS_OF = '2026-03-31';

describe('insights metrics: AR and aging', () => {
  const ix = indexLedger(FACTS);

  it('aging buckets by days past due, boundaries included', () => {
    expect(agingBucket(-14)).toBe('current');
    expect(agingBucket(0)).toBe('current'); // due today is not past due
    expect(agingBucket(1)).toBe('1-30');
    expect(agingBucket(30)).toBe('1-30');
    expect(agingBucket(31)).toBe('31-60');
    expect(agingBucket(60)).toBe('31-60');
    expect(agingBucket(61)).toBe('61-90');
    expect(agingBucket(90)).toBe('61-90');
    expect(agingBucket(91)).toBe('90+');
  });

  it('open balance: partial payment, credit note, write-off, later settlements ignored', () => {
    const a = ix.invoices.find((i) => i.invoice.number === 'A')!;
    expect(openBalanceAt(a, '2026-01-09')).toBe(0); // not issued yet
    expect(openBalanceAt(a, '2026-02-19')).toBe(100000);
    expect(openBalanceAt(a, '2026-02-20')).toBe(70000); // 100000 − 30000 (payment dated that day counts)
    expect(openBalanceAt(a, '2026-03-31')).toBe(50000); // − 20000 credit note of 03-05
    expect(openBalanceAt(a, '2026-04-10')).toBe(0); // − 50000 payment of 04-10
    const c = ix.invoices.find((i) => i.invoice.number === 'C')!;
    expect(openBalanceAt(c, '2026-03-19')).toBe(50000);
    expect(openBalanceAt(c, '2026-03-20')).toBe(0); // written off
  });

  it('AR, current AR and aging as of the as-of date, per currency', () => {
    const snap = arSnapshot(ix.invoices, AS_OF);
    // USD AR = A 50000 + B 200000 + E 20000 + F 40000 + G 10000 + I 20000 = 340000 (C 0, H 0, D not issued)
    expect(snap.USD!.arOpenMinor).toBe(340000);
    // current = B 200000 + G 10000 (due today)
    expect(snap.USD!.currentMinor).toBe(210000);
    expect(snap.USD!.aging).toEqual({ current: 210000, '1-30': 20000, '31-60': 50000, '61-90': 20000, '90+': 40000 });
    expect(snap.USD!.openInvoices).toBe(6);
    expect(snap.EUR).toEqual({
      arOpenMinor: 60000,
      currentMinor: 60000,
      aging: { current: 60000, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 },
      openInvoices: 1,
    });
    expect(snap.JPY!.aging['1-30']).toBe(50000);
    expect(Object.keys(snap)).toEqual(['EUR', 'JPY', 'USD']); // never one total across currencies
  });

  it('AR as of a past date is what it was then', () => {
    // issued ≤ 02-28: A 100000 − 30000 (02-20) = 70000; C 50000 (write-off 03-20 not yet);
    // E 30000 − 10000 = 20000; F 40000; H 60000 (paid 03-10 not yet); I 25000 (credit 03-01 not yet)
    // = 70000 + 50000 + 20000 + 40000 + 60000 + 25000 = 265000
    expect(arSnapshot(ix.invoices, '2026-02-28').USD!.arOpenMinor).toBe(265000);
    // at 2025-12-31: C 50000 + E 30000 + F 40000 = 120000
    expect(arSnapshot(ix.invoices, '2025-12-31').USD!.arOpenMinor).toBe(120000);
    expect(arSnapshot(ix.invoices, '2025-12-31').EUR).toBeUndefined(); // no EUR invoice issued yet
  });

  it('refuses malformed facts, naming row, field and rule', () => {
    const bad = (patch: Partial<InvoiceFact>) => () =>
      indexLedger({ invoices: [{ ...FACTS.invoices[0]!, ...patch }], settlements: [], payments: [] });
    expect(bad({ amountMinor: 10.5 })).toThrow(LedgerFactsError);
    expect(bad({ amountMinor: 10.5 })).toThrow(/invoice A amountMinor: 10.5 is not a whole number/);
    expect(bad({ issueDate: '2026-1-10' })).toThrow(/issueDate/);
    expect(bad({ currency: 'usd' })).toThrow(/currency/);
    expect(() => indexLedger({ invoices: [FACTS.invoices[0]!, FACTS.invoices[0]!], settlements: [], payments: [] })).toThrow(
      /more than once/,
    );
    // A settlement for an unknown invoice settles nothing and is counted.
    expect(indexLedger({ invoices: [], settlements: [pay('ZZ', '2026-01-01', 1)], payments: [] }).unmatchedSettlements).toBe(1);
  });
});

describe('insights metrics: credit sales, DSO, CEI, cash', () => {
  const ix = indexLedger(FACTS);

  it('credit sales over an inclusive window', () => {
    // [2026-01-01, 2026-03-31]: A 100000 + B 200000 + G 10000 + H 60000 + I 25000 = 395000 (D is 04-05, E 2025-12-15)
    expect(creditSales(ix.invoices, '2026-01-01', AS_OF)).toEqual({ USD: 395000, EUR: 100000, JPY: 50000 });
    // bounds inclusive: exactly the 03-15 invoice
    expect(creditSales(ix.invoices, '2026-03-15', '2026-03-15')).toEqual({ USD: 200000 });
  });

  it('standard DSO: AR ÷ sales of the last N days × N; null without sales', () => {
    // 340000 × 90 ÷ 395000 = 77.4683…
    expect(dsoStandard(340000, 395000, 90)).toBeCloseTo(77.468354, 5);
    expect(dsoStandard(0, 0, 90)).toBeNull();
    expect(dsoStandard(100, 0, 90)).toBeNull();
  });

  it('countback consuming exactly 2.5 months', () => {
    // as of 2026-03-31: March (31 days) sales 1000, February (28) 1000, January (31) 2000; AR 3000.
    // March: 3000 ≥ 1000 → 31 days, 2000 left; February: 2000 ≥ 1000 → 28 days, 1000 left;
    // January: 1000 < 2000 → 31 × 1000 ÷ 2000 = 15.5 days. Total 31 + 28 + 15.5 = 74.5 days over 2.5 months.
    const invoices = indexLedger({
      invoices: [
        inv('m', 'c1', 'USD', 1000, '2026-03-10', '2026-04-09'),
        inv('f', 'c1', 'USD', 1000, '2026-02-10', '2026-03-12'),
        inv('j', 'c1', 'USD', 2000, '2026-01-10', '2026-02-09'),
      ],
      settlements: [],
      payments: [],
    }).invoices;
    const r = dsoCountback(invoices, AS_OF, { USD: 3000 }).USD!;
    expect(r).toEqual({ days: 74.5, monthsWalked: 3, uncoveredMinor: 0, consumedDays: 74.5 });
  });

  it('countback: the as-of month counts only up to the as-of date, earlier months whole', () => {
    const months = countbackMonths(new Map([['2026-02', 5]]), '2026-03-17', '2025-12');
    expect(months.map((m) => [m.month, m.from, m.to, m.days, m.creditSalesMinor])).toEqual([
      ['2026-03', '2026-03-01', '2026-03-17', 17, 0],
      ['2026-02', '2026-02-01', '2026-02-28', 28, 5],
      ['2026-01', '2026-01-01', '2026-01-31', 31, 0],
      ['2025-12', '2025-12-01', '2025-12-31', 31, 0],
    ]);
    // AR beyond every month's sales → null, with the remainder reported: 10 − 5 = 5 uncovered after 17+28+31+31 days
    expect(countbackWalk(10, months)).toEqual({ days: null, monthsWalked: 4, uncoveredMinor: 5, consumedDays: 107 });
    expect(countbackWalk(0, months).days).toBe(0); // no AR: 0 days
    // AR used up exactly at a month's end: stop there (later empty months add nothing)
    expect(countbackWalk(5, months)).toMatchObject({ days: 17 + 28, monthsWalked: 2 });
  });

  it('CEI with a 0 denominator is null', () => {
    // one invoice issued in the period, unpaid and not yet due: begin AR 0, sales 1000, AR 1000, current 1000
    // numerator 0 + 1000 − 1000 = 0, denominator 0 + 1000 − 1000 = 0 → null
    expect(cei(0, 1000, 1000, 1000)).toEqual({ numeratorMinor: 0, denominatorMinor: 0, percent: null });
    const m = computeLedgerMetrics(
      { invoices: [inv('x', 'c1', 'USD', 1000, '2026-03-01', '2026-04-30')], settlements: [], payments: [] },
      { asOf: AS_OF, from: '2026-03-01' },
    );
    expect(m.byCurrency.USD!.ceiPercent).toBeNull();
    expect(m.byCurrency.USD!.dsoStandardDays).toBe(90); // 1000 × 90 ÷ 1000
  });

  it('cash collected per currency and per month, applied or not', () => {
    // USD in [01-01, 03-31]: 10000 + 30000 + 60000 + 7500 (unidentified) = 107500; 04-10 is after
    const byMonth = cashCollectedByMonth(FACTS.payments, '2026-01-16', AS_OF);
    expect(byMonth.USD).toEqual([
      { month: '2026-01', from: '2026-01-16', to: '2026-01-31', amountMinor: 0 }, // 01-15 is before the period
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28', amountMinor: 30000 },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-31', amountMinor: 67500 },
    ]);
    expect(byMonth.EUR!.map((m) => m.amountMinor)).toEqual([0, 0, 40000]);
  });
});

describe('insights metrics: computeLedgerMetrics', () => {
  // from = the DSO window start: 2026-03-31 − 89 days = 2026-01-01 (Jan 31 + Feb 28 + Mar 31 = 90 days)
  const m = computeLedgerMetrics(FACTS, { asOf: AS_OF, from: '2026-01-01', dsoDays: 90 });

  it('defaults from to the first day of the as-of month, and N to 90', () => {
    const d = computeLedgerMetrics(FACTS, { asOf: AS_OF });
    expect([d.asOf, d.from, d.dsoDays]).toEqual([AS_OF, '2026-03-01', 90]);
    // the period is March; the DSO window stays the last 90 days
    expect(d.byCurrency.USD).toMatchObject({ creditSales: '3950.00', creditSalesPeriod: '2100.00', ceiPercent: 50.94 });
  });

  it('USD figures, by hand', () => {
    expect(m.byCurrency.USD).toEqual({
      arOpen: '3400.00',
      current: '2100.00',
      aging: { current: '2100.00', '1-30': '200.00', '31-60': '500.00', '61-90': '200.00', '90+': '400.00' },
      creditSales: '3950.00',
      creditSalesPeriod: '3950.00',
      // 340000 × 90 ÷ 395000 = 77.468… → 77.47
      dsoStandardDays: 77.47,
      // March: 340000 ≥ 210000 (B + G) → 31 d, 130000 left; February: ≥ 85000 (H + I) → 28 d, 45000 left;
      // January: 45000 < 100000 (A) → 31 × 0.45 = 13.95 d. 31 + 28 + 13.95 = 72.95
      dsoCountbackDays: 72.95,
      // begin AR(2025-12-31) = 120000 (C + E + F); (120000 + 395000 − 340000) ÷ (120000 + 395000 − 210000)
      // = 175000 ÷ 305000 × 100 = 57.377… → 57.38
      ceiPercent: 57.38,
      cashCollected: '1075.00',
    });
  });

  it('other currencies never added to USD', () => {
    expect(m.byCurrency.EUR).toEqual({
      arOpen: '600.00',
      current: '600.00',
      aging: { current: '600.00', '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' },
      creditSales: '1000.00',
      creditSalesPeriod: '1000.00',
      dsoStandardDays: 54, // 60000 × 90 ÷ 100000
      dsoCountbackDays: 18.6, // March: 60000 < 100000 → 31 × 0.6
      ceiPercent: 100, // (0 + 100000 − 60000) ÷ (0 + 100000 − 60000)
      cashCollected: '400.00',
    });
    // JPY has no minor unit: ¥50000 is "50000"
    expect(m.byCurrency.JPY).toMatchObject({
      arOpen: '50000',
      current: '0',
      creditSales: '50000',
      dsoStandardDays: 90,
      ceiPercent: 0,
      cashCollected: '0',
    });
    // countback JPY: March 0 sales → 31 d; February 50000 → 28 d, used up: 59
    expect(m.byCurrency.JPY!.dsoCountbackDays).toBe(59);
  });

  it('per tier', () => {
    expect(Object.keys(m.byTier)).toEqual(['small', 'standard', 'strategic']);
    // strategic USD: A 50000 + B 200000 + G 10000 = 260000, current 210000; sales A + B + G = 310000
    expect(m.byTier.strategic!.USD).toMatchObject({
      arOpen: '2600.00',
      current: '2100.00',
      creditSales: '3100.00',
      dsoStandardDays: 75.48, // 260000 × 90 ÷ 310000 = 75.4838…
      dsoCountbackDays: 74.5, // Mar 31 d (50000 left), Feb no sales 28 d, Jan 31 × 50000 ÷ 100000 = 15.5
      ceiPercent: 50, // (0 + 310000 − 260000) ÷ (0 + 310000 − 210000)
      cashCollected: '300.00', // c1's 02-20 (04-10 after asOf)
    });
    expect(m.byTier.strategic!.EUR!.cashCollected).toBe('400.00');
    // standard USD (C, E, F): AR 20000 + 40000 = 60000; no sales in the window → DSO null
    expect(m.byTier.standard!.USD).toMatchObject({
      arOpen: '600.00',
      current: '0.00',
      creditSales: '0.00',
      dsoStandardDays: null,
      // Mar 31 + Feb 28 + Jan 31 (no sales), Dec 31 (E 30000 → 30000 left), Nov 30 × 30000 ÷ 50000 = 18 → 139
      dsoCountbackDays: 139,
      ceiPercent: 50, // (120000 + 0 − 60000) ÷ (120000 + 0 − 0)
      cashCollected: '100.00', // c4's 01-15
    });
    // small USD: I 20000 (1-30); JPY K
    expect(m.byTier.small!.USD).toMatchObject({
      arOpen: '200.00',
      aging: { current: '0.00', '1-30': '200.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' },
      cashCollected: '600.00',
    });
    expect(m.byTier.small!.JPY!.arOpen).toBe('50000');
  });

  it('per segment; unidentified cash only in the currency totals', () => {
    // enterprise USD (A, B, C): AR 50000 + 200000 = 250000, current 200000, sales 300000, begin AR 50000 (C)
    expect(m.bySegment.enterprise!.USD).toMatchObject({
      arOpen: '2500.00',
      current: '2000.00',
      dsoStandardDays: 75, // 250000 × 90 ÷ 300000
      ceiPercent: 66.67, // (50000 + 300000 − 250000) ÷ (50000 + 300000 − 200000) = 100000 ÷ 150000
      cashCollected: '300.00',
    });
    // smb USD cash: c4 10000 + c5 60000 = 70000 (the unidentified 7500 is in no segment)
    expect(m.bySegment.smb!.USD!.cashCollected).toBe('700.00');
    const segmentsAr = Number(m.bySegment.enterprise!.USD!.arOpen) + Number(m.bySegment.smb!.USD!.arOpen);
    expect(segmentsAr).toBe(3400); // the segments partition the invoices
  });

  it('raw layer keeps minor units and unrounded figures', () => {
    const raw = computeLedgerMetricsRaw(indexLedger(FACTS), { asOf: AS_OF, from: '2026-01-01' });
    expect(raw.byCurrency.USD!.arOpenMinor).toBe(340000);
    expect(raw.byCurrency.USD!.dsoStandardDays).toBeCloseTo(77.4683544, 6);
    expect(raw.byCurrency.USD!.cei).toEqual({ numeratorMinor: 175000, denominatorMinor: 305000, percent: (175000 / 305000) * 100 });
    expect(raw.byCurrency.USD!.arBeforeFromMinor).toBe(120000);
    expect(raw.dsoWindowFrom).toBe('2026-01-01');
  });

  it('a period shorter than the DSO window: CEI over [from, asOf], credit sales and DSO over the last N days', () => {
    const q = computeLedgerMetrics(FACTS, { asOf: AS_OF, from: '2026-03-01', dsoDays: 90 });
    // sales in March: B 200000 + G 10000 = 210000; DSO still on the 90-day sales 395000
    expect(q.byCurrency.USD!.creditSalesPeriod).toBe('2100.00');
    expect(q.byCurrency.USD!.creditSales).toBe('3950.00');
    expect(q.byCurrency.USD!.dsoStandardDays).toBe(77.47);
    // AR(02-28) = 265000; (265000 + 210000 − 340000) ÷ (265000 + 210000 − 210000) = 135000 ÷ 265000 = 50.943… → 50.94
    expect(q.byCurrency.USD!.ceiPercent).toBe(50.94);
    // cash in March: 60000 + 7500 = 67500
    expect(q.byCurrency.USD!.cashCollected).toBe('675.00');
    // a 30-day DSO window: [03-02, 03-31] sales = B 200000 → 340000 × 30 ÷ 200000 = 51
    expect(computeLedgerMetrics(FACTS, { asOf: AS_OF, dsoDays: 30 }).byCurrency.USD!.dsoStandardDays).toBe(51);
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => computeLedgerMetrics(FACTS, { asOf: AS_OF, from: '2026-04-01' })).toThrow(/after asOf/);
    expect(() => computeLedgerMetrics(FACTS, { asOf: AS_OF, dsoDays: 0 })).toThrow(/dsoDays/);
  });
});

describe('insights metrics: days to pay', () => {
  it('over invoices paid in full by a payment, plain and amount-weighted', () => {
    // As of 2026-04-30:
    // H 60000: issued 02-01, due 03-03, paid 03-10 → 37 days to pay (27 + 10), 7 beyond terms
    // A 100000: issued 01-10, due 02-09, closed 04-10 by the payment (30000 + 20000 credit + 50000)
    //   → 90 days (21 + 28 + 31 + 10), 60 beyond (19 + 31 + 10)
    // C closed by a write-off: not paid, left out. E, F, I, J, B not closed.
    const raw = computeDaysToPayRaw(FACTS, { asOf: '2026-04-30' });
    expect(raw.paid.map((p) => [p.number, p.paidOn, p.daysToPay, p.daysBeyondTerms])).toEqual([
      ['A', '2026-04-10', 90, 60],
      ['H', '2026-03-10', 37, 7],
    ]);
    const out = computeDaysToPay(FACTS, { asOf: '2026-04-30' });
    expect(out.byCurrency.USD).toEqual({
      invoicesPaid: 2,
      amountPaid: '1600.00',
      meanDaysToPay: 63.5, // (90 + 37) ÷ 2
      meanDaysBeyondTerms: 33.5, // (60 + 7) ÷ 2
      weightedDaysToPay: 70.13, // (100000 × 90 + 60000 × 37) ÷ 160000 = 70.125
      weightedDaysBeyondTerms: 40.13, // (100000 × 60 + 60000 × 7) ÷ 160000 = 40.125
    });
    expect(out.byCustomer.c5!.USD!.meanDaysToPay).toBe(37);
    expect(out.byCustomer.c1!.USD!.meanDaysToPay).toBe(90);
    expect(out.byTier.small!.USD!.invoicesPaid).toBe(1);
    // As of 03-31 A is not paid yet (its closing payment is dated 04-10)
    expect(computeDaysToPay(FACTS, { asOf: AS_OF }).byCurrency.USD!.invoicesPaid).toBe(1);
    // only invoices closed from 04-01: A
    expect(computeDaysToPay(FACTS, { asOf: '2026-04-30', closedFrom: '2026-04-01' }).byCurrency.USD!.invoicesPaid).toBe(1);
  });

  it('paid early gives negative days beyond terms', () => {
    // issued 03-01, due 03-31, paid 03-21: 20 days to pay, −10 beyond terms
    const out = computeDaysToPay(
      { invoices: [inv('e', 'c2', 'EUR', 5000, '2026-03-01', '2026-03-31')], settlements: [pay('e', '2026-03-21', 5000)], payments: [] },
      { asOf: AS_OF },
    );
    expect(out.byCurrency.EUR).toMatchObject({ meanDaysToPay: 20, meanDaysBeyondTerms: -10 });
  });
});

describe('insights metrics: rounding at presentation', () => {
  it('rounds half away from zero as written', () => {
    expect(roundTo(2.675)).toBe(2.68); // 2.675 is 2.67499999… in binary
    expect(roundTo(1.005)).toBe(1.01);
    expect(roundTo(-1.005)).toBe(-1.01);
    expect(roundTo(77.46835443)).toBe(77.47);
    expect(roundTo(-0.001)).toBe(0);
    expect(roundTo(null)).toBeNull();
    expect(roundTo(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('insights metrics: groups from data', () => {
  it('cash of a customer known only from `customers` lands in its tier; odd group names stay groups', () => {
    const facts: LedgerFacts = {
      invoices: [{ ...inv('x', 'c1', 'USD', 1000, '2026-03-01', '2026-03-31'), segment: '__proto__' }],
      settlements: [],
      payments: [cash('2026-03-10', 'USD', 500, 'c9')],
      customers: [{ id: 'c9', tier: 'small', segment: 'smb' }],
    };
    const m = computeLedgerMetrics(facts, { asOf: AS_OF, from: '2026-03-01' });
    expect(m.byTier.small!.USD).toMatchObject({ arOpen: '0.00', cashCollected: '5.00' });
    expect(Object.keys(m.bySegment)).toEqual(['__proto__', 'smb']);
    expect(Object.hasOwn(m.bySegment, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(m.bySegment, '__proto__')?.value.USD.arOpen).toBe('10.00');
  });
});
