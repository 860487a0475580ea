/** Small ledgers for tests: real rows in the real tables, nothing mocked. */
import { schema, type Db } from '../../db/client';
import { publishPolicy } from '../../policy/store';
import { DEFAULT_POLICY, type PolicyBody } from '../../domain/policy';

export interface SeedCustomer {
  id: string;
  name?: string;
  tier?: 'strategic' | 'standard' | 'small';
  segment?: string;
  timezone?: string;
  noTouch?: boolean;
  email?: string | null;
}

export async function seedCustomer(db: Db, c: SeedCustomer): Promise<void> {
  await db
    .insert(schema.customers)
    .values({
      id: c.id,
      name: c.name ?? `Customer ${c.id}`,
      tier: c.tier ?? 'standard',
      segment: c.segment ?? 'default',
      timezone: c.timezone ?? 'UTC',
      noTouch: c.noTouch ?? false,
    })
    .onConflictDoNothing();
  if (c.email !== null) {
    await db
      .insert(schema.contacts)
      .values({ customerId: c.id, role: 'billing', name: 'Pat Payables', email: c.email ?? `ap@${c.id.toLowerCase()}.example` })
      .onConflictDoNothing();
  }
}

export interface SeedInvoice {
  number: string;
  customerId: string;
  currency?: string;
  amountMinor: number;
  openMinor?: number;
  issueDate?: string;
  dueDate: string;
  noTouch?: boolean;
}

export async function seedInvoice(db: Db, i: SeedInvoice): Promise<void> {
  await db.insert(schema.invoices).values({
    number: i.number,
    customerId: i.customerId,
    currency: i.currency ?? 'USD',
    amountMinor: i.amountMinor,
    openMinor: i.openMinor ?? i.amountMinor,
    issueDate: i.issueDate ?? '2026-01-01',
    dueDate: i.dueDate,
    noTouch: i.noTouch ?? false,
  });
}

/** Publishes a policy version derived from the default (e.g. a short escalation time, no send-window limits). */
export async function seedPolicy(db: Db, overrides: Partial<PolicyBody> = {}): Promise<number> {
  const p = await publishPolicy(db, { ...DEFAULT_POLICY, ...overrides }, { note: 'test policy', createdBy: 'test' });
  return p.version;
}
