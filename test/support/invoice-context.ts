/**
 * The ledger read an InvoiceCase is fed in unit tests: one open USD invoice of a standard-tier
 * customer, under the default policy (version 3), with whatever a test overrides.
 */
import type { InvoiceContext } from '../../collections/activities';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';

export const TEST_POLICY: Policy = { version: 3, ...DEFAULT_POLICY };

export function invoiceContext(
  overrides: {
    invoice?: Partial<InvoiceContext['invoice']>;
    customer?: Partial<InvoiceContext['customer']>;
    policy?: Policy;
    openDispute?: InvoiceContext['openDispute'];
  } = {},
): InvoiceContext {
  return {
    invoice: {
      number: 'INV-1',
      customerId: 'C1',
      currency: 'USD',
      amountMinor: 100_000,
      openMinor: 100_000,
      issueDate: '2026-02-01',
      dueDate: '2026-03-01',
      terms: null,
      poNumber: null,
      status: 'open',
      noTouch: false,
      ...overrides.invoice,
    },
    openDispute: overrides.openDispute ?? null,
    customer: {
      id: 'C1',
      name: 'Acme',
      tier: 'standard',
      segment: 'default',
      riskScore: 0,
      noTouch: false,
      timezone: 'UTC',
      locale: 'en-US',
      paymentTermsDays: 30,
      contactName: 'Ann',
      email: 'ann@example.com',
      ...overrides.customer,
    },
    policy: overrides.policy ?? TEST_POLICY,
  };
}
