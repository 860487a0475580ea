import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Minor } from '../../domain/money';
import { createMatcher, DEFAULT_POLICY } from '../../cash/matching';
import type { CreditToMatch, CustomerIdentity, OpenInvoice } from '../../cash/matching';

const CURRENCIES = ['EUR', 'USD', 'CHF'] as const;
const customers: CustomerIdentity[] = [
  { id: 'C1', name: 'Acme Corporation', knownAccounts: ['DE89370400440532013000'] },
  { id: 'C2', name: 'Acme Corp Ltd', knownAccounts: ['DE89370400440532013000'] },
  { id: 'C3', name: 'Nordwind Logistik GmbH', knownAccounts: ['GB29NWBK60161331926819'] },
];

const invoiceArb = fc.record({
  customer: fc.integer({ min: 0, max: 2 }),
  currency: fc.constantFrom(...CURRENCIES),
  open: fc.oneof(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom(10_000, 25_000, 50_000)),
  paidShare: fc.integer({ min: 0, max: 50 }),
  day: fc.integer({ min: 1, max: 28 }),
});

const bookArb = fc.array(invoiceArb, { maxLength: 14 }).map((drafts): OpenInvoice[] =>
  drafts.map((d, i) => ({
    number: `INV-${String(1000 + i).padStart(6, '0')}`,
    customerId: customers[d.customer]!.id,
    currency: d.currency,
    openMinor: d.open as Minor,
    amountMinor: (d.open + Math.floor((d.open * d.paidShare) / 100)) as Minor,
    issueDate: `2024-03-${String(d.day).padStart(2, '0')}`,
    dueDate: `2024-04-${String(d.day).padStart(2, '0')}`,
    poNumber: null,
    paymentReference: null,
  })),
);

const creditArb = (book: readonly OpenInvoice[]) =>
  fc.record({
    amount: fc.oneof(
      fc.integer({ min: 1, max: 400_000 }),
      book.length ? fc.constantFrom(...book.map((i) => i.openMinor as number)) : fc.constant(10_000),
      book.length > 1 ? fc.constantFrom(...book.slice(1).map((i, k) => i.openMinor + book[k]!.openMinor)) : fc.constant(25_000),
    ),
    currency: fc.constantFrom(...CURRENCIES, 'SEK'),
    mentions: fc.array(fc.nat({ max: Math.max(0, book.length + 2) }), { maxLength: 4 }),
    style: fc.constantFrom('INV-', 'inv ', '', 'Invoice no. '),
    payer: fc.constantFrom<string | null>(null, 'ACME', 'Acme Corporation', 'NORDWIND LOGISTIK', 'Unknown Payer SA'),
    account: fc.constantFrom<string | null>(null, 'DE89 3704 0044 0532 0130 00', 'GB29NWBK60161331926819', 'FR7630006000011234567890189'),
    noise: fc.constantFrom('', ' 15.03.2024', ' EUR 1.250,00', ' thank you', ' less promo'),
  });

describe('cash matching: properties', () => {
  it('never over-allocates, never crosses currencies, keeps confidence in [0, 1], and is deterministic', () => {
    fc.assert(
      fc.property(
        bookArb.chain((book) => fc.tuple(fc.constant(book), fc.array(creditArb(book), { minLength: 1, maxLength: 6 }))),
        ([book, drafts]) => {
          const matcher = createMatcher(book, customers);
          const byNumber = new Map(book.map((i) => [i.number, i]));
          drafts.forEach((d, k) => {
            const credit: CreditToMatch = {
              id: `P${k}`,
              amountMinor: d.amount as Minor,
              currency: d.currency,
              bookingDate: '2024-06-30',
              payerName: d.payer,
              payerAccount: d.account,
              remittance: d.mentions.map((m) => `${d.style}${1000 + m}`).join(', ') + d.noise,
              structuredRefs: [],
              endToEndId: null,
            };
            const r = matcher.match(credit);
            const allocated = r.allocations.reduce((s, a) => s + a.amountMinor, 0);
            expect(allocated).toBeLessThanOrEqual(credit.amountMinor);
            expect(allocated + r.unallocatedMinor).toBe(credit.amountMinor);
            expect(new Set(r.allocations.map((a) => a.invoiceNumber)).size).toBe(r.allocations.length);
            for (const a of r.allocations) {
              const inv = byNumber.get(a.invoiceNumber)!;
              expect(Number.isSafeInteger(a.amountMinor)).toBe(true);
              expect(a.amountMinor).toBeGreaterThan(0);
              expect(a.amountMinor).toBeLessThanOrEqual(inv.openMinor);
              expect(inv.currency).toBe(credit.currency);
              expect(inv.customerId).toBe(r.customerId);
            }
            for (const c of r.candidates) {
              for (const a of c.allocations) expect(byNumber.get(a.invoiceNumber)!.currency).toBe(credit.currency);
              expect(c.score).toBeGreaterThanOrEqual(0);
              expect(c.score).toBeLessThanOrEqual(1);
            }
            expect(r.candidates.reduce((s, c) => s + c.score, 0)).toBeLessThanOrEqual(1.001);
            expect(r.confidence).toBeGreaterThanOrEqual(0);
            expect(r.confidence).toBeLessThanOrEqual(1);
            if (r.outcome === 'auto') {
              expect(r.confidence).toBeGreaterThanOrEqual(DEFAULT_POLICY.autoApplyMinConfidence);
              expect(r.ambiguous).toBe(false);
            }
            if (r.outcome === 'unapplied') expect(r.allocations).toEqual([]);
            if (credit.currency === 'SEK') expect(r.outcome).toBe('unapplied');
            expect(matcher.match(credit)).toEqual(r);
          });
        },
      ),
      { numRuns: 300, seed: 1042 },
    );
  });
});
