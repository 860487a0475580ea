/**
 * The admin app over a real PostgreSQL test database and a real Temporal dev server (no worker):
 * requests that pass authentication, authorisation and validation really reach Temporal, which
 * answers that no such workflow runs. Seeds a small ledger, proposals in every state, and one
 * user per role.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAdminApp } from '../../apps/http/app';
import { createUser, revokeTokens } from '../../access/users';
import { schema, type Db } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { createDevServerEnv } from '../../dev/harness/temporal';

const USERS = {
  viewer: { name: 'vera', role: 'viewer' },
  approver: { name: 'abe', role: 'approver', limits: [{ currency: 'USD', minor: 500_000 }] },
  approverUnlimited: { name: 'uma', role: 'approver' },
  admin: { name: 'ada', role: 'admin' },
  revoked: { name: 'rex', role: 'admin' },
} as const;
export type UserKey = keyof typeof USERS;

export interface AdminFixture {
  database: TestDatabase;
  db: Db;
  env: TestWorkflowEnvironment;
  app: ReturnType<typeof createAdminApp>;
  tokens: Record<UserKey, string>;
  call(
    method: string,
    path: string,
    opts?: { as?: UserKey | null; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

async function seedAdminLedger(db: Db): Promise<void> {
  const { customers, contacts, invoices, proposals, disputes } = schema;
  await db.insert(customers).values([
    { id: 'C-ACME', name: 'Acme Corp', tier: 'standard' },
    { id: 'C-GLOBEX', name: 'Globex', tier: 'strategic' },
    { id: 'C-INITECH', name: 'Initech GmbH', tier: 'small' },
    { id: 'C-NIPPON', name: 'Nippon KK', tier: 'standard' },
  ]);
  await db.insert(contacts).values([{ customerId: 'C-ACME', email: 'ap@acme.example' }]);
  await db.insert(invoices).values([
    {
      number: 'INV-100',
      customerId: 'C-ACME',
      currency: 'USD',
      amountMinor: 120_000,
      openMinor: 120_000,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
    },
    {
      number: 'INV-200',
      customerId: 'C-GLOBEX',
      currency: 'USD',
      amountMinor: 5_000_000,
      openMinor: 5_000_000,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
    },
    {
      number: 'INV-300',
      customerId: 'C-INITECH',
      currency: 'EUR',
      amountMinor: 30_000,
      openMinor: 30_000,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
    },
    {
      number: 'INV-400',
      customerId: 'C-ACME',
      currency: 'USD',
      amountMinor: 80_000,
      openMinor: 80_000,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
      status: 'disputed',
    },
    {
      number: 'INV-500',
      customerId: 'C-NIPPON',
      currency: 'JPY',
      amountMinor: 100_000,
      openMinor: 100_000,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
    },
  ]);
  const proposal = (id: string, invoiceNumber: string, customerId: string, currency: string, amountMinor: number, createdAt: string) => ({
    id,
    workflowId: `invoice-${invoiceNumber}`,
    invoiceNumber,
    customerId,
    actionKind: 'reminder',
    stepKey: 'overdue-7',
    tone: 'friendly',
    subject: `Invoice ${invoiceNumber} is overdue`,
    body: `Hello,\n\ninvoice ${invoiceNumber} is 7 days overdue.\n\nThanks`,
    reasoning: `overdue-7 is due; ${amountMinor} ${currency} open`,
    policyVersion: 1,
    currency,
    amountMinor,
    createdAt: new Date(createdAt),
  });
  await db.insert(proposals).values([
    proposal('invoice-INV-100/overdue-7', 'INV-100', 'C-ACME', 'USD', 120_000, '2026-02-07T09:00:00.000Z'),
    proposal('invoice-INV-200/overdue-7', 'INV-200', 'C-GLOBEX', 'USD', 5_000_000, '2026-02-07T09:00:00.000Z'),
    proposal('invoice-INV-300/overdue-7', 'INV-300', 'C-INITECH', 'EUR', 30_000, '2026-02-07T10:00:00.000Z'),
    {
      ...proposal('invoice-INV-400/overdue-7', 'INV-400', 'C-ACME', 'USD', 80_000, '2026-02-06T09:00:00.000Z'),
      status: 'approved' as const,
      decidedBy: 'zoe',
      decidedAt: new Date('2026-02-06T12:00:00.000Z'),
    },
  ]);
  await db.insert(disputes).values([
    { id: 'D-1', invoiceNumber: 'INV-400', reason: 'wrong quantity', owner: 'ar-disputes', deadline: '2026-02-20', openedBy: 'abe' },
    { id: 'D-2', invoiceNumber: 'INV-100', reason: 'duplicate', owner: 'ar-disputes', deadline: '2026-01-20', status: 'resolved_invalid' },
  ]);
}

export async function startAdminFixture(): Promise<AdminFixture> {
  const [database, env] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
  const db = database.db;
  await seedAdminLedger(db);
  const tokens = {} as Record<UserKey, string>;
  for (const [key, u] of Object.entries(USERS) as [UserKey, (typeof USERS)[UserKey]][]) {
    tokens[key] = (await createUser(db, { name: u.name, role: u.role, limits: 'limits' in u ? u.limits : null })).token;
  }
  await revokeTokens(db, USERS.revoked.name);
  const app = createAdminApp({
    db,
    temporal: env.client,
    config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' },
    now: () => new Date('2026-02-10T12:00:00.000Z'),
    updateTimeoutMs: 10_000,
  });
  return {
    database,
    db,
    env,
    app,
    tokens,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token ?? (opts.as ? tokens[opts.as] : undefined);
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    async close() {
      await env.teardown();
      await database.close();
    },
  };
}
