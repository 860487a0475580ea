/**
 * The readiness report on real PostgreSQL: on the clean fixture ledger it finds nothing and
 * recommends every segment; with problems planted it finds each one, on the right invoice and
 * segment, and recommends leaving those segments out with the reason.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../ledger/import/run';
import { computeReadiness, type ReadinessReport } from '../../insights/readiness';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';

const FIXTURES = path.resolve('test/fixtures/ledger');
const AS_OF = '2025-06-30';
let t: TestDatabase;
const q = (text: string, params: unknown[] = []) => t.db.$client.query(text, params);
const seg = (r: ReadinessReport, name: string) => r.segments.find((s) => s.segment === name)!;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await q('TRUNCATE customers, contacts, invoices, payments, payment_applications, write_offs, credit_notes CASCADE');
  for (const kind of ['customers', 'invoices', 'payments'] as const) {
    const r = await importFile(t.db, kind, path.join(FIXTURES, `${kind}.csv`));
    expect(r.issues).toEqual([]);
  }
});

describe('a clean ledger', () => {
  it('ties every balance, finds no problems and recommends every segment', async () => {
    const r = await computeReadiness(t.db, { asOf: AS_OF });
    expect(r.totals).toEqual({ customers: 10, openInvoices: 22, payments: 10 });
    expect(r.segments.map((s) => s.segment)).toEqual(['apac', 'emea', 'enterprise-us', 'mena', 'smb-us']);
    for (const s of r.segments) {
      expect(
        s.tieOut.every((x) => x.ties && x.differenceMinor === 0),
        s.segment,
      ).toBe(true);
      expect(s.problemCounts, s.segment).toEqual({});
      expect(s.decisionMakerEmailShare, s.segment).toBe(1);
      expect(s.payments.appliedShare, s.segment).toBe(1);
    }
    expect(seg(r, 'enterprise-us').tieOut).toEqual([
      {
        currency: 'USD',
        statedOpenMinor: 3_163_125,
        derivedOpenMinor: 3_163_125,
        differenceMinor: 0,
        ties: true,
        customers: 2,
        untied: [],
        untiedCustomers: 0,
      },
    ]);
    // GBP: INV-2004's stated 2400.00 ties to 5400.00 − the 3000.00 applied.
    expect(seg(r, 'emea').tieOut.map((x) => [x.currency, x.statedOpenMinor])).toEqual([
      ['EUR', 3_030_040],
      ['GBP', 975_000],
    ]);
    // C005 is no-touch: smb-us has three customers, two of them in scope.
    expect(seg(r, 'smb-us')).toMatchObject({
      customers: 3,
      inScopeAccounts: 2,
      withDecisionMakerEmail: 2,
      openInvoices: 5,
      inScopeOpenInvoices: 3,
    });
    expect(r.recommendation).toEqual({ exclude: [], pilot: ['apac', 'emea', 'enterprise-us', 'mena', 'smb-us'] });
  });

  it('samples 20 open invoices deterministically, by the MD5 of the number', async () => {
    const a = await computeReadiness(t.db, { asOf: AS_OF });
    const b = await computeReadiness(t.db, { asOf: AS_OF });
    expect(a.sample).toHaveLength(20);
    expect(b.sample).toEqual(a.sample);
    const open = (await q(`SELECT number FROM invoices WHERE status IN ('open', 'disputed')`)).rows.map(
      (x: { number: string }) => x.number,
    );
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = open.sort((x, y) => md5(x).localeCompare(md5(y))).slice(0, 20);
    expect(a.sample.map((s) => s.number)).toEqual(expected);
    expect(a.sample.every((s) => s.problems.length === 0)).toBe(true);
    expect(a.sampled).toEqual({ invoices: 20, of: 22, all: false });
  });

  it('with all lists every open invoice, the default sample first', async () => {
    const sampled = await computeReadiness(t.db, { asOf: AS_OF });
    const all = await computeReadiness(t.db, { asOf: AS_OF, all: true });
    expect(all.sample).toHaveLength(22);
    expect(all.sampled).toEqual({ invoices: 22, of: 22, all: true });
    expect(all.sample.slice(0, 20)).toEqual(sampled.sample);
    // --all wins over a sample size.
    expect((await computeReadiness(t.db, { asOf: AS_OF, all: true, sampleSize: 3 })).sample).toHaveLength(22);
  });

  it('totals open invoices per currency, never across currencies', async () => {
    const r = await computeReadiness(t.db, { asOf: AS_OF });
    expect(r.totalsByCurrency.map((x) => x.currency)).toEqual([...r.totalsByCurrency.map((x) => x.currency)].sort());
    expect(r.totalsByCurrency.reduce((n, x) => n + x.openInvoices, 0)).toBe(r.totals.openInvoices);
    const open = (
      await q(`SELECT currency, count(*)::int AS n, sum(amount_minor)::int8 AS amount, sum(open_minor)::int8 AS open
                            FROM invoices WHERE status IN ('open', 'disputed') GROUP BY 1 ORDER BY 1`)
    ).rows as { currency: string; n: number; amount: string; open: string }[];
    expect(r.totalsByCurrency).toEqual(
      open.map((x) => ({
        currency: x.currency,
        openInvoices: x.n,
        amountMinor: Number(x.amount),
        openMinor: Number(x.open),
        derivedOpenMinor: Number(x.open),
        invoicesWithProblems: 0,
      })),
    );
  });
});

describe('a ledger with planted problems', () => {
  beforeEach(async () => {
    // smb-us: due before issue, stale, issued in the future, a currency the customer never bills in.
    await q(`UPDATE invoices SET due_date = '2025-05-01' WHERE number = 'INV-1009'`);
    await q(`UPDATE invoices SET issue_date = '2023-12-01', due_date = '2024-01-01' WHERE number = 'INV-1011'`);
    await q(`UPDATE invoices SET issue_date = '2025-07-15', due_date = '2025-08-14' WHERE number = 'INV-1016'`);
    await q(`INSERT INTO invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date, terms)
             VALUES ('INV-1098', 'C004', 'EUR', 50000, 50000, '2025-06-01', '2025-07-01', 'NET30')`);
    // emea: a PO-required invoice without its PO; a customer with no contacts at all.
    await q(`UPDATE invoices SET po_number = NULL WHERE number = 'INV-2003'`);
    await q(`DELETE FROM contacts WHERE customer_id = 'C008'`);
    // apac: no timezone, and most payments not recorded against invoices.
    await q(`UPDATE customers SET timezone = 'UTC' WHERE id = 'C009'`);
    await q(`INSERT INTO payments (id, customer_id, received_on, currency, amount_minor)
             VALUES ('U1', 'C009', '2025-06-01', 'JPY', 1000), ('U2', 'C009', '2025-06-02', 'JPY', 2000), ('U3', 'C009', '2025-06-03', 'JPY', 3000)`);
    // mena: a stated balance that does not tie to amount − payments.
    await q(`UPDATE invoices SET open_minor = 100000 WHERE number = 'INV-4002'`);
  });

  it('finds each planted problem on its invoice, and nothing on the others', async () => {
    const r = await computeReadiness(t.db, { asOf: AS_OF, sampleSize: 1000 });
    const found = Object.fromEntries(
      r.sample.filter((s) => s.problems.length).map((s) => [s.number, s.problems.map((p) => p.code).sort()]),
    );
    expect(found).toEqual({
      'INV-1009': ['due_before_issue'],
      'INV-1011': ['stale'],
      'INV-1016': ['issued_in_future'],
      'INV-1098': ['currency_mismatch'],
      'INV-2003': ['missing_po'],
      'INV-2006': ['no_contact_email'],
      'INV-2007': ['no_contact_email'],
      'INV-3002': ['no_timezone'],
      'INV-3003': ['no_timezone'],
      'INV-4002': ['balance_does_not_tie'],
    });
    const kwd = r.totalsByCurrency.find((x) => x.currency === 'KWD')!;
    expect(kwd).toMatchObject({ openMinor: 1_080_500, derivedOpenMinor: 3_730_625, invoicesWithProblems: 1 });
    expect(r.sample.find((s) => s.number === 'INV-4002')!.problems[0]!.detail).toBe('stated open 100.000 KWD, derived 2,750.125 KWD');
  });

  it('reports the failing tie-out, contact and payment figures per segment', async () => {
    const r = await computeReadiness(t.db, { asOf: AS_OF });
    expect(seg(r, 'mena').tieOut).toEqual([
      {
        currency: 'KWD',
        statedOpenMinor: 1_080_500,
        derivedOpenMinor: 3_730_625,
        differenceMinor: -2_650_125,
        ties: false,
        customers: 1,
        untied: [{ customerId: 'C010', statedOpenMinor: 1_080_500, derivedOpenMinor: 3_730_625 }],
        untiedCustomers: 1,
      },
    ]);
    expect(seg(r, 'emea')).toMatchObject({
      inScopeAccounts: 3,
      withDecisionMakerEmail: 2,
      invoicesWithProblems: 3,
      inScopeOpenInvoices: 7,
    });
    expect(seg(r, 'apac').payments).toEqual({
      count: 4,
      applied: 1,
      appliedShare: 0.25,
      byCurrency: [{ currency: 'JPY', totalMinor: 1_256_000, appliedMinor: 1_250_000 }],
    });
    expect(seg(r, 'smb-us').problemCounts).toEqual({ due_before_issue: 1, stale: 1, issued_in_future: 1, currency_mismatch: 1 });
  });

  it('recommends leaving out each segment that misses a threshold, with the reason', async () => {
    const r = await computeReadiness(t.db, { asOf: AS_OF });
    expect(r.recommendation.pilot).toEqual(['enterprise-us']);
    const reasons = Object.fromEntries(r.recommendation.exclude.map((e) => [e.segment, e.reasons]));
    expect(reasons).toEqual({
      apac: [
        '1 of 4 payments recorded against specific invoices (25%); needed: 70%',
        '2 of 2 open invoices have record problems (100%); allowed: 10%',
      ],
      emea: [
        'decision-maker email for 2 of 3 in-scope accounts (66.7%); needed: 80%',
        '3 of 7 open invoices have record problems (42.9%); allowed: 10%',
      ],
      mena: [
        'balances do not tie for 1 of 1 customer balances (stated minus derived -2,650.125 KWD); allowed: 0%',
        '1 of 2 open invoices have record problems (50%); allowed: 10%',
      ],
      'smb-us': ['4 of 4 open invoices have record problems (100%); allowed: 10%'],
    });
  });

  it('uses the thresholds it is given', async () => {
    const r = await computeReadiness(t.db, {
      asOf: AS_OF,
      thresholds: { minDecisionMakerEmailShare: 0.5, minAppliedPaymentShare: 0.2, maxProblemInvoiceShare: 1, maxUntiedCustomerShare: 1 },
    });
    expect(r.recommendation).toEqual({ exclude: [], pilot: ['apac', 'emea', 'enterprise-us', 'mena', 'smb-us'] });
  });
});
