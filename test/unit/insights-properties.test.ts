import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../domain/calendar';
import {
  AGING_BUCKETS,
  arSnapshot,
  computeLedgerMetrics,
  computeLedgerMetricsRaw,
  currencyMetrics,
  type InvoiceFact,
  indexLedger,
  type LedgerFacts,
  type PaymentFact,
  type SettlementFact,
} from '../../insights/metrics';

const BASE = '2025-01-01';
const CURRENCIES = ['USD', 'EUR', 'JPY'] as const;
const TIERS = ['strategic', 'standard', 'small'] as const;
const SEGMENTS = ['enterprise', 'smb'] as const;

const invoiceArb = fc.record({
  customer: fc.integer({ min: 0, max: 5 }),
  currency: fc.constantFrom(...CURRENCIES),
  amountMinor: fc.integer({ min: 0, max: 1_000_000 }),
  issue: fc.integer({ min: 0, max: 500 }),
  terms: fc.integer({ min: 0, max: 90 }),
  settlements: fc.array(
    fc.record({
      after: fc.integer({ min: 0, max: 300 }),
      amountMinor: fc.integer({ min: 1, max: 600_000 }),
      kind: fc.constantFrom('payment', 'credit', 'write_off') as fc.Arbitrary<SettlementFact['kind']>,
    }),
    { maxLength: 4 },
  ),
});

/** A random ledger: customers 0-5 with a fixed tier and segment each; cash = the payment settlements. */
const ledgerArb = fc.array(invoiceArb, { maxLength: 40 }).map((rows): LedgerFacts => {
  const invoices: InvoiceFact[] = [];
  const settlements: SettlementFact[] = [];
  const payments: PaymentFact[] = [];
  rows.forEach((r, i) => {
    const number = `INV-${i}`;
    const customerId = `c${r.customer}`;
    const issueDate = addDays(BASE, r.issue);
    invoices.push({
      number,
      customerId,
      tier: TIERS[r.customer % 3]!,
      segment: SEGMENTS[r.customer % 2]!,
      currency: r.currency,
      amountMinor: r.amountMinor,
      issueDate,
      dueDate: addDays(issueDate, r.terms),
    });
    for (const s of r.settlements) {
      const date = addDays(issueDate, s.after);
      settlements.push({ invoiceNumber: number, date, amountMinor: s.amountMinor, kind: s.kind });
      if (s.kind === 'payment') payments.push({ date, currency: r.currency, amountMinor: s.amountMinor, customerId });
    }
  });
  return { invoices, settlements, payments };
});

const dayArb = fc.integer({ min: 0, max: 800 }).map((n) => addDays(BASE, n));

/** AR(t) straight from the definition, scanning every settlement for every invoice (independent of the index). */
function referenceAr(facts: LedgerFacts, t: string): Record<string, { ar: number; current: number }> {
  const out: Record<string, { ar: number; current: number }> = {};
  for (const inv of facts.invoices) {
    if (inv.issueDate > t) continue;
    const settled = facts.settlements.filter((s) => s.invoiceNumber === inv.number && s.date <= t).reduce((a, s) => a + s.amountMinor, 0);
    const open = Math.max(0, inv.amountMinor - settled);
    const row = (out[inv.currency] ??= { ar: 0, current: 0 });
    row.ar += open;
    if (daysBetween(inv.dueDate, t) <= 0) row.current += open;
  }
  return out;
}

describe('insights metrics: properties', () => {
  it('AR matches the definition computed naively', () => {
    fc.assert(
      fc.property(ledgerArb, dayArb, (facts, t) => {
        const snap = arSnapshot(indexLedger(facts).invoices, t);
        const ref = referenceAr(facts, t);
        expect(Object.keys(snap).sort()).toEqual(Object.keys(ref).sort());
        for (const [cur, r] of Object.entries(ref)) {
          expect(snap[cur]!.arOpenMinor).toBe(r.ar);
          expect(snap[cur]!.currentMinor).toBe(r.current);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('aging sums to AR, 0 ≤ current ≤ AR, tiers and segments partition AR, 0 ≤ CEI ≤ 100, countback defined', () => {
    fc.assert(
      fc.property(ledgerArb, dayArb, fc.integer({ min: 1, max: 200 }), (facts, asOf, span) => {
        const raw = computeLedgerMetricsRaw(facts, { asOf, from: addDays(asOf, -span + 1) });
        for (const [cur, m] of Object.entries(raw.byCurrency)) {
          const sum = AGING_BUCKETS.reduce((a, b) => a + m.aging[b], 0);
          expect(sum).toBe(m.arOpenMinor);
          for (const b of AGING_BUCKETS) expect(m.aging[b]).toBeGreaterThanOrEqual(0);
          expect(m.currentMinor).toBeGreaterThanOrEqual(0);
          expect(m.currentMinor).toBeLessThanOrEqual(m.arOpenMinor);
          // With non-negative settlements AR never exceeds the sales it came from: the walk always covers it.
          expect(m.dsoCountback.days).not.toBeNull();
          expect(m.dsoCountback.days!).toBeGreaterThanOrEqual(0);
          if (m.cei.percent !== null) {
            expect(m.cei.percent).toBeGreaterThanOrEqual(0);
            expect(m.cei.percent).toBeLessThanOrEqual(100 + 1e-9);
          }
          for (const groups of [raw.byTier, raw.bySegment]) {
            const total = Object.values(groups).reduce((a, g) => a + (g[cur]?.arOpenMinor ?? 0), 0);
            expect(total).toBe(m.arOpenMinor);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the one-pass computation equals the single-metric functions over each filtered set', () => {
    fc.assert(
      fc.property(ledgerArb, dayArb, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 120 }), (facts, asOf, span, dsoDays) => {
        const opts = { asOf, from: addDays(asOf, -span + 1), dsoDays };
        const ix = indexLedger(facts);
        const raw = computeLedgerMetricsRaw(ix, opts);
        expect(raw.byCurrency).toEqual(currencyMetrics(ix.invoices, ix.payments, opts));
        for (const attr of ['tier', 'segment'] as const) {
          const groups = attr === 'tier' ? raw.byTier : raw.bySegment;
          for (const key of new Set(facts.invoices.map((i) => i[attr]))) {
            const invoices = ix.invoices.filter((i) => i.invoice[attr] === key);
            const payments = ix.payments.filter((p) => p.customerId !== null && ix.customerGroups.get(p.customerId)?.[attr] === key);
            expect(groups[key] ?? {}).toEqual(currencyMetrics(invoices, payments, opts));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a payment dated after asOf, or an invoice issued after it, never changes the as-of figures', () => {
    fc.assert(
      fc.property(
        ledgerArb.filter((f) => f.invoices.length > 0),
        dayArb,
        fc.nat(),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 500_000 }),
        (facts, asOf, pick, later, amount) => {
          const target = facts.invoices[pick % facts.invoices.length]!;
          const date = addDays(asOf, later);
          const withLater: LedgerFacts = {
            invoices: [...facts.invoices, { ...target, number: 'LATE', issueDate: date, dueDate: addDays(date, 30) }],
            settlements: [...facts.settlements, { invoiceNumber: target.number, date, amountMinor: amount, kind: 'payment' }],
            payments: [...facts.payments, { date, currency: target.currency, amountMinor: amount, customerId: target.customerId }],
          };
          const opts = { asOf, from: addDays(asOf, -29) };
          expect(computeLedgerMetrics(withLater, opts)).toEqual(computeLedgerMetrics(facts, opts));
          expect(computeLedgerMetricsRaw(withLater, opts)).toEqual(computeLedgerMetricsRaw(facts, opts));
        },
      ),
      { numRuns: 200 },
    );
  });
});
