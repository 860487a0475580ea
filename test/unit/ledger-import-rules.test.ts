/** The pure rules behind `ar import` and `ar readiness`, without a database. */
import { describe, expect, it } from 'vitest';
import { planPayments, statusFor } from '../../ledger/import/checks';
import type { CsvRow } from '../../ledger/import/csv';
import type { StoredInvoice } from '../../ledger/import/existing';
import { validateCustomer, validateInvoice, validatePayment, type PaymentRow } from '../../ledger/import/schemas';
import { invoiceProblems, recommend, DEFAULT_THRESHOLDS, type SegmentReadiness } from '../../insights/readiness';

const row = (values: Record<string, string>, n = 2): CsvRow => ({ row: n, raw: Object.values(values), values });

describe('invoice rows', () => {
  const good = {
    invoice_number: ' INV-1 ',
    customer_id: 'C1',
    issue_date: '2025-01-31',
    due_date: '2025-03-02',
    currency: 'eur',
    amount: '1234.5',
  };

  it('trims, upper-cases the currency and converts money exactly; a missing open_amount is derived later', () => {
    expect(validateInvoice(row(good))).toEqual({
      data: {
        row: 2,
        number: 'INV-1',
        customerId: 'C1',
        issueDate: '2025-01-31',
        dueDate: '2025-03-02',
        currency: 'EUR',
        amountMinor: 123_450,
        openMinor: null,
        poNumber: undefined,
        terms: undefined,
      },
      issues: [],
    });
  });

  it('reports every problem of a row in one pass', () => {
    const v = validateInvoice(row({ ...good, invoice_number: '', issue_date: '2025-13-01', amount: '12.345', open_amount: 'abc' }, 7));
    expect(v.data).toBeUndefined();
    expect(v.issues.map((i) => [i.row, i.column, i.value])).toEqual([
      [7, 'invoice_number', ''],
      [7, 'issue_date', '2025-13-01'],
      [7, 'amount', '12.345'],
      [7, 'open_amount', 'abc'],
    ]);
  });

  it('empty optional cells clear (null); absent columns keep the stored value (undefined)', () => {
    expect(validateInvoice(row({ ...good, po_number: '', terms: ' NET30 ' })).data).toMatchObject({ poNumber: null, terms: 'NET30' });
  });
});

describe('customer and payment rows', () => {
  it('accepts a tier in any case and lower-cases emails', () => {
    const v = validateCustomer(row({ customer_id: 'C1', name: 'A', tier: 'Strategic', email: 'AP@Example.COM', no_touch: 'N' }));
    expect(v.data).toMatchObject({ tier: 'strategic', email: 'ap@example.com', noTouch: false, timezone: undefined, segment: undefined });
  });

  it('refuses a control character in a name or PO with row, column and rule, never passing it to the database', () => {
    const c = validateCustomer(row({ customer_id: 'C1', name: 'Caf\u0000 Muller', tier: 'small' }, 4));
    expect(c.data).toBeUndefined();
    expect(c.issues).toEqual([expect.objectContaining({ row: 4, column: 'name', value: 'Caf\u0000 Muller' })]);
    expect(c.issues[0]!.rule).toMatch(/control characters/);
    const i = validateInvoice(
      row({
        invoice_number: 'INV-1',
        customer_id: 'C1',
        issue_date: '2025-01-31',
        due_date: '2025-03-02',
        currency: 'USD',
        amount: '1',
        po_number: 'PO\u0007',
      }),
    );
    expect(i.issues.map((x) => x.column)).toEqual(['po_number']);
    // A tab inside a name is ordinary text.
    expect(validateCustomer(row({ customer_id: 'C2', name: 'A\tB', tier: 'small' })).issues).toEqual([]);
  });

  it('treats an empty invoice_number as an unapplied payment', () => {
    const v = validatePayment(
      row({ payment_id: 'P1', customer_id: 'C1', date: '2025-02-01', currency: 'JPY', amount: '5000', invoice_number: '' }),
    );
    expect(v.data).toMatchObject({ amountMinor: 5000, invoiceNumber: null });
  });
});

describe('invoice status after an import', () => {
  it('follows the balance for open and paid, keeps decisions a person made', () => {
    expect([statusFor(undefined, 0), statusFor(undefined, 5), statusFor('paid', 5), statusFor('open', 0)]).toEqual([
      'paid',
      'open',
      'open',
      'paid',
    ]);
    expect([statusFor('void', 5), statusFor('written_off', 5), statusFor('disputed', 5), statusFor('disputed', 0)]).toEqual([
      'void',
      'written_off',
      'disputed',
      'paid',
    ]);
  });
});

describe('payment allocation by import', () => {
  const inv = (number: string, openStated: boolean, openMinor: number): StoredInvoice => ({
    number,
    customerId: 'C1',
    currency: 'USD',
    amountMinor: 10_000,
    openMinor,
    issueDate: '2025-01-01',
    dueDate: '2025-01-31',
    terms: null,
    poNumber: null,
    status: 'open',
    openStated,
    appliedMinor: 0,
    writtenOffMinor: 0,
    creditedMinor: 0,
  });
  const pay = (id: string, invoiceNumber: string, amountMinor: number, n: number): PaymentRow => ({
    row: n,
    id,
    customerId: 'C1',
    receivedOn: '2025-02-01',
    currency: 'USD',
    amountMinor,
    invoiceNumber,
    reference: undefined,
    payer: undefined,
  });

  it('reduces a derived balance but not one the ERP stated', () => {
    const invoices = new Map([
      ['D', inv('D', false, 10_000)],
      ['S', inv('S', true, 4_000)],
    ]);
    const plan = planPayments([pay('P1', 'D', 3_000, 2), pay('P2', 'S', 6_000, 3)], new Set(['C1']), invoices, new Map(), []);
    expect(plan.issues).toEqual([]);
    expect(plan.applicationInserts).toEqual([
      { paymentId: 'P1', invoiceNumber: 'D', amountMinor: 3_000 },
      { paymentId: 'P2', invoiceNumber: 'S', amountMinor: 6_000 },
    ]);
    expect(plan.invoiceUpdates).toEqual([{ number: 'D', openMinor: 7_000, status: 'open' }]);
  });

  it('does not change an allocation someone made in the ledger', () => {
    const invoices = new Map([['D', { ...inv('D', false, 9_000), appliedMinor: 1_000 }]]);
    const stored = new Map([
      ['P1', { id: 'P1', customerId: 'C1', receivedOn: '2025-02-01', currency: 'USD', amountMinor: 1_000, reference: null, payer: null }],
    ]);
    const apps = [{ paymentId: 'P1', invoiceNumber: 'D', amountMinor: 1_000, appliedBy: 'matcher' }];
    const same = planPayments([pay('P1', 'D', 1_000, 2)], new Set(['C1']), invoices, stored, apps);
    expect([same.issues, same.applicationInserts, same.invoiceUpdates]).toEqual([[], [], []]);
    const changed = planPayments([pay('P1', 'D', 1_500, 2)], new Set(['C1']), invoices, stored, apps);
    expect(changed.issues.map((i) => i.rule)).toEqual([
      'differs from the 10.00 USD applied to D by matcher; an import does not change allocations made in the ledger',
    ]);
  });
});

describe('readiness rules', () => {
  const facts = {
    segment: 's',
    noTouch: false,
    timezone: 'Europe/Paris',
    anyEmail: true,
    decisionMakerEmail: true,
    invoiceCurrencies: new Set(['EUR']),
    paymentCurrencies: new Set<string>(),
  };
  const open = {
    number: 'I1',
    customer_id: 'C1',
    currency: 'EUR',
    amount_minor: 100,
    open_minor: 100,
    derived_minor: 100,
    issue_date: '2025-01-01',
    due_date: '2025-01-31',
    terms: 'NET30',
    po_number: null,
  };

  it('asks for a PO only when the terms say so', () => {
    expect(invoiceProblems(open, facts, '2025-02-01')).toEqual([]);
    expect(invoiceProblems({ ...open, terms: 'Net 30, purchase order required' }, facts, '2025-02-01').map((p) => p.code)).toEqual([
      'missing_po',
    ]);
    expect(invoiceProblems({ ...open, terms: 'PO REQUIRED', po_number: 'PO-1' }, facts, '2025-02-01')).toEqual([]);
  });

  it('flags a currency the customer has never paid in', () => {
    const p = invoiceProblems(open, { ...facts, paymentCurrencies: new Set(['CHF']) }, '2025-02-01');
    expect(p).toEqual([{ code: 'currency_mismatch', detail: 'invoice in EUR, the customer pays in CHF' }]);
  });

  it('is stale after 365 days past due, not before', () => {
    expect(invoiceProblems(open, facts, '2026-01-31')).toEqual([]);
    expect(invoiceProblems(open, facts, '2026-02-01').map((p) => p.code)).toEqual(['stale']);
  });

  it('keeps a segment exactly at a threshold in the pilot', () => {
    const s: SegmentReadiness = {
      segment: 'edge',
      customers: 5,
      openInvoices: 10,
      tieOut: [
        {
          currency: 'USD',
          statedOpenMinor: 1,
          derivedOpenMinor: 1,
          differenceMinor: 0,
          ties: true,
          customers: 5,
          untied: [],
          untiedCustomers: 0,
        },
      ],
      inScopeAccounts: 5,
      withDecisionMakerEmail: 4,
      decisionMakerEmailShare: 0.8,
      payments: { count: 10, applied: 7, appliedShare: 0.7, byCurrency: [] },
      inScopeOpenInvoices: 10,
      invoicesWithProblems: 1,
      problemShare: 0.1,
      problemCounts: { missing_po: 1 },
    };
    expect(recommend([s], DEFAULT_THRESHOLDS)).toEqual({ exclude: [], pilot: ['edge'] });
    expect(recommend([{ ...s, withDecisionMakerEmail: 3, decisionMakerEmailShare: 0.6 }], DEFAULT_THRESHOLDS).exclude[0]!.reasons).toEqual([
      'decision-maker email for 3 of 5 in-scope accounts (60%); needed: 80%',
    ]);
  });
});
