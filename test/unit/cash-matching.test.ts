import { describe, expect, it } from 'vitest';
import type { Minor } from '../../domain/money';
import { createMatcher } from '../../cash/matching';
import type { CreditToMatch, CustomerIdentity, OpenInvoice } from '../../cash/matching';

let day = 0;
function invoice(number: string, customerId: string, openMinor: number, extra: Partial<OpenInvoice> = {}): OpenInvoice {
  day++;
  const d = (n: number) => `2024-0${1 + Math.floor(n / 28)}-${String(1 + (n % 28)).padStart(2, '0')}`;
  return {
    number,
    customerId,
    currency: 'EUR',
    openMinor: openMinor as Minor,
    amountMinor: openMinor as Minor,
    issueDate: d(day),
    dueDate: d(day + 1),
    poNumber: null,
    paymentReference: null,
    ...extra,
  };
}
let serial = 0;
function credit(amountMinor: number, extra: Partial<CreditToMatch> = {}): CreditToMatch {
  return {
    id: `CR${++serial}`,
    amountMinor: amountMinor as Minor,
    currency: 'EUR',
    bookingDate: '2024-06-30',
    payerName: null,
    payerAccount: null,
    remittance: '',
    structuredRefs: [],
    endToEndId: null,
    ...extra,
  };
}

const customers: CustomerIdentity[] = [
  { id: 'C1', name: 'Acme Corporation', knownAccounts: ['DE89 3704 0044 0532 0130 00'] },
  { id: 'C2', name: 'Nordwind Logistik GmbH', knownAccounts: ['DE02120300000000202051'] },
  { id: 'C3', name: 'Blue Harbor Foods Ltd', knownAccounts: [] },
  { id: 'C4', name: 'Blue Harbor Foods Inc.', knownAccounts: [] },
  { id: 'C5', name: 'Kestrel Systems SA', knownAccounts: ['CH9300762011623852957'] },
];
const invoices: OpenInvoice[] = [
  invoice('INV-01042', 'C1', 125_000, { paymentReference: 'RF18539007547034' }),
  invoice('INV-01043', 'C1', 50_000),
  invoice('INV-01044', 'C1', 30_000),
  invoice('INV-01045', 'C1', 77_777),
  invoice('INV-02001', 'C2', 40_000),
  invoice('INV-02002', 'C2', 40_000), // same-amount twin of INV-02001
  invoice('INV-02003', 'C2', 123_456),
  invoice('INV-03001', 'C3', 98_700),
  invoice('INV-04001', 'C4', 55_500),
  invoice('INV-05001', 'C5', 210_000, { currency: 'CHF', paymentReference: '210000000003139471430009017' }),
  invoice('INV-05002', 'C5', 64_000, { currency: 'USD' }),
  invoice('INV-05003', 'C5', 310_000, { poNumber: 'PO-4500012345' }),
  // The same digits in two customers' numbering: a bare "7001" fits both.
  invoice('INV-7001', 'C3', 45_000),
  invoice('7001', 'C4', 45_000),
];
const matcher = createMatcher(invoices, customers, { issuedEndToEndPrefix: 'ARP-' });
const alloc = (r: { allocations: readonly { invoiceNumber: string; amountMinor: number }[] }) =>
  r.allocations.map((a) => [a.invoiceNumber, a.amountMinor]);

describe('cash matching: which open invoices a credit pays', () => {
  it('applies a verified RF reference exactly, even with no payer details', () => {
    const r = matcher.match(credit(125_000, { structuredRefs: ['RF18 5390 0754 7034'] }));
    expect(r.outcome).toBe('auto');
    expect(r.customerId).toBe('C1');
    expect(alloc(r)).toEqual([['INV-01042', 125_000]]);
    expect(r.evidence[0]).toBe('RF reference RF18 5390 0754 7034 (check digits valid) is printed on INV-01042');
  });

  it('ignores an RF reference whose check digits fail, and says so', () => {
    const r = matcher.match(credit(125_000, { remittance: 'RF19 5390 0754 7034' }));
    expect(r.outcome).not.toBe('auto');
    expect(r.evidence).toContain("'RF19 5390 0754 7034' looks like an RF reference but its check digits fail: ignored");
  });

  it('applies a Swiss QR reference in CHF', () => {
    const r = matcher.match(credit(210_000, { currency: 'CHF', structuredRefs: ['210000000003139471430009017'] }));
    expect(r.outcome).toBe('auto');
    expect(alloc(r)).toEqual([['INV-05001', 210_000]]);
  });

  it('finds an invoice number in free text and corroborates it with payer and amount', () => {
    const r = matcher.match(credit(125_000, { payerName: 'ACME Corp.', remittance: 'Payment inv 1042 of 15.03.2024, thank you' }));
    expect(r.outcome).toBe('auto');
    expect(r.confidence).toBeGreaterThanOrEqual(0.95);
    expect(r.evidence).toEqual([
      "Remittance names INV-01042 (found as 'inv 1042')",
      "Payer 'ACME Corp.' matches customer C1 'Acme Corporation' (name score 100)",
      'Amount 1,250.00 EUR equals the open balance of INV-01042',
    ]);
  });

  it('matches an exact amount among the payer’s open invoices (account learned earlier)', () => {
    const r = matcher.match(credit(77_777, { payerAccount: 'DE89370400440532013000' }));
    expect(r.outcome).toBe('auto');
    expect(alloc(r)).toEqual([['INV-01045', 77_777]]);
    expect(r.evidence[0]).toContain('Payer account DE89 3704 0044 0532 0130 00 is known for customer C1');
  });

  it('matches a subset of one customer’s open invoices that adds up exactly', () => {
    const r = matcher.match(credit(80_000, { payerName: 'Acme Corporation' }));
    expect(alloc(r)).toEqual([
      ['INV-01043', 50_000],
      ['INV-01044', 30_000],
    ]);
    expect(r.outcome).toBe('auto');
    expect(r.evidence.some((e) => e.includes('found by amount among'))).toBe(true);
  });

  it('allocates all of a credit short by bank charges within tolerance and flags it', () => {
    const r = matcher.match(credit(124_000, { remittance: 'INV-01042' }));
    // 10.00 short; tolerance is the lower of 15.00 and 0.5% of 1,250.00 = 6.25: beyond.
    expect(r.shortPayment).toEqual({ invoiceNumber: 'INV-01042', shortMinor: 1000, withinTolerance: false, deductionNamed: false });
    const fee = matcher.match(credit(124_500, { remittance: 'INV-01042', payerName: 'Acme Corp' }));
    expect(fee.outcome).toBe('auto');
    expect(alloc(fee)).toEqual([['INV-01042', 124_500]]);
    expect(fee.shortPayment).toEqual({ invoiceNumber: 'INV-01042', shortMinor: 500, withinTolerance: true, deductionNamed: false });
    expect(fee.evidence.some((e) => e.includes('within the tolerance of 6.25 (bank charges)'))).toBe(true);
  });

  it('allocates a partial payment beyond tolerance and flags a named deduction', () => {
    const r = matcher.match(credit(100_000, { payerName: 'Acme Corp', remittance: 'INV-01042 less 20% promo allowance' }));
    expect(alloc(r)).toEqual([['INV-01042', 100_000]]);
    expect(r.shortPayment).toEqual({ invoiceNumber: 'INV-01042', shortMinor: 25_000, withinTolerance: false, deductionNamed: true });
    expect(r.evidence).toContain("The remittance names a deduction ('less')");
  });

  it('leaves an overpayment unallocated (credit on account)', () => {
    const r = matcher.match(credit(130_000, { payerName: 'Acme Corp', remittance: 'INV-01042' }));
    expect(alloc(r)).toEqual([['INV-01042', 125_000]]);
    expect(r.unallocatedMinor).toBe(5_000);
    expect(r.evidence.some((e) => e.includes('exceeds the open balance of INV-01042 by 50.00'))).toBe(true);
  });

  it('pays several invoices named in one line, oldest first, the last one partly', () => {
    const all = matcher.match(credit(205_000, { payerName: 'Acme Corp', remittance: 'INV 1042, 1043 & 1044' }));
    expect(all.outcome).toBe('auto');
    expect(alloc(all)).toEqual([
      ['INV-01042', 125_000],
      ['INV-01043', 50_000],
      ['INV-01044', 30_000],
    ]);
    const part = matcher.match(credit(190_000, { payerName: 'Acme Corp', remittance: 'Invoices INV-01044 INV-01042 INV-01043' }));
    expect(alloc(part)).toEqual([
      ['INV-01042', 125_000],
      ['INV-01043', 50_000],
      ['INV-01044', 15_000],
    ]);
    expect(part.shortPayment).toMatchObject({ invoiceNumber: 'INV-01044', shortMinor: 15_000, withinTolerance: false });
  });

  it('never applies same-amount twins automatically', () => {
    const r = matcher.match(credit(40_000, { payerAccount: 'DE02120300000000202051', payerName: 'Nordwind Logistik' }));
    expect(r.outcome).not.toBe('auto');
    expect(r.ambiguous).toBe(true);
    expect(r.confidence).toBeLessThan(0.95);
    expect(r.candidates.map((c) => c.invoiceNumbers)).toEqual([['INV-02001'], ['INV-02002']]);
    expect(r.evidence.some((e) => e.startsWith('Another allocation fits about as well: INV-02002'))).toBe(true);
    // A reference tells them apart.
    const named = matcher.match(credit(40_000, { payerAccount: 'DE02120300000000202051', remittance: 'INV-02002' }));
    expect(named.outcome).toBe('auto');
    expect(alloc(named)).toEqual([['INV-02002', 40_000]]);
  });

  it('never applies automatically on a name that fits two customers', () => {
    const r = matcher.match(credit(98_700, { payerName: 'BLUE HARBOR FOODS' }));
    expect(r.outcome).not.toBe('auto');
    expect(r.ambiguous).toBe(true);
    expect(r.evidence.some((e) => e.includes('fits 2 customers about equally'))).toBe(true);
  });

  it('never crosses currencies', () => {
    // INV-05002 is in USD; the credit is in EUR.
    const r = matcher.match(credit(64_000, { payerAccount: 'CH9300762011623852957', remittance: 'INV-05002' }));
    expect(r.allocations).toEqual([]);
    expect(r.outcome).toBe('unapplied');
    expect(r.evidence).toContain('INV-05002 is named but is in USD, not EUR: invoices in another currency are never candidates');
    const sek = matcher.match(credit(64_000, { currency: 'SEK', remittance: 'INV-01042' }));
    expect(sek.outcome).toBe('unapplied');
    expect(sek.evidence).toEqual([
      'No open invoice is in SEK: nothing to apply this credit of 640.00 SEK to (invoices in another currency are never candidates)',
    ]);
  });

  it('leaves an unknown payer with no reference unapplied, even when an amount happens to fit', () => {
    const r = matcher.match(credit(98_700, { payerName: 'Zyxq Trading', remittance: 'PAYMENT' }));
    expect(r.outcome).toBe('unapplied');
    expect(r.allocations).toEqual([]);
    expect(r.unallocatedMinor).toBe(98_700);
    expect(r.candidates[0]?.invoiceNumbers).toEqual(['INV-03001']);
    const none = matcher.match(credit(12_345));
    expect(none.outcome).toBe('unapplied');
    expect(none.evidence).toContain('The bank gave no payer name or account');
  });

  it('recognises an EndToEndId we issued', () => {
    const r = matcher.match(credit(50_000, { endToEndId: 'ARP-INV-01043' }));
    expect(r.outcome).toBe('auto');
    expect(alloc(r)).toEqual([['INV-01043', 50_000]]);
  });

  it('weighs a bare number weakly: corroborated it applies, alone it does not', () => {
    const withPayer = matcher.match(credit(50_000, { payerName: 'Acme Corp', remittance: '1043' }));
    expect(withPayer.outcome).toBe('auto');
    const alone = matcher.match(credit(49_000, { remittance: 'Order 1043' }));
    expect(alone.outcome).not.toBe('auto');
  });

  it('treats a bare number that fits invoices of several customers as ambiguous; its prefix decides', () => {
    const bare = matcher.match(credit(45_000, { remittance: 'payment 7001' }));
    expect(bare.outcome).not.toBe('auto');
    expect(bare.candidates.map((c) => c.customerId).sort()).toEqual(['C3', 'C4']);
    expect(bare.evidence.some((e) => e.includes('the same number also fits invoices of 1 other customer'))).toBe(true);
    const prefixed = matcher.match(credit(45_000, { remittance: 'payment INV 7001' }));
    expect(prefixed.outcome).toBe('auto');
    expect(alloc(prefixed)).toEqual([['INV-7001', 45_000]]);
  });

  it('finds the customer’s purchase order number', () => {
    const r = matcher.match(credit(310_000, { payerName: 'Kestrel Systems', remittance: 'Your PO 4500012345' }));
    expect(r.outcome).toBe('auto');
    expect(alloc(r)).toEqual([['INV-05003', 310_000]]);
    expect(r.evidence[0]).toBe("Remittance names purchase order PO-4500012345 of INV-05003 (found as 'PO 4500012345')");
  });

  it('gives the same result for the same input, whatever order the book came in', () => {
    const shuffled = createMatcher([...invoices].reverse(), [...customers].reverse(), { issuedEndToEndPrefix: 'ARP-' });
    const credits = [
      credit(40_000, { payerName: 'Nordwind' }),
      credit(80_000, { payerName: 'Acme Corporation' }),
      credit(205_000, { payerName: 'Acme Corp', remittance: 'INV 1042, 1043 & 1044' }),
      credit(98_700, { payerName: 'BLUE HARBOR FOODS' }),
    ];
    for (const c of credits) {
      expect(shuffled.match(c)).toEqual(matcher.match(c));
      expect(matcher.match(c)).toEqual(matcher.match(c));
    }
  });

  it('refuses money that is not integer minor units', () => {
    expect(() => matcher.match(credit(12.5))).toThrow(/whole number of minor units/);
    expect(() => createMatcher([invoice('X-1', 'C1', 10.25)], customers)).toThrow(/whole number of minor units/);
  });
});
