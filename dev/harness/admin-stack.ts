/**
 * The whole system behind a listening admin endpoint: Temporal dev server, PostgreSQL (or
 * PGlite), a running worker, real invoice workflows started by the real sync, and the HTTP
 * server on a free port. Used by the admin integration and browser tests and the approvals
 * benchmark. Nothing is mocked.
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { EmailSender } from '../../outreach/channels/email';
import type { WorkflowStackTraces } from '../../apps/worker/create-worker';
import { startAdminServer, type AdminServer } from '../../apps/http/server';
import { createUser } from '../../access/users';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { startTestStack, type TestStack } from './stack';
import { waitFor } from './wait';

/** Send at any hour, one message per reminder, no caps in the way: tests see a send right after approval. */
export const IMMEDIATE_POLICY = {
  sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
  batchWindowMinutes: 0,
  contactCaps: { maxContacts: 100, perDays: 1, minHoursApart: 0 },
};

const STACK_USERS = {
  alice: { role: 'approver' },
  bob: { role: 'approver' },
  ada: { role: 'admin' },
  vic: { role: 'viewer' },
  lena: {
    role: 'approver',
    limits: [
      { currency: 'USD', minor: 10_000 },
      { currency: 'EUR', minor: 500_000 },
    ],
  },
} as const;
type StackUser = keyof typeof STACK_USERS;

interface HttpResult {
  status: number;
  body: any;
}

export interface AdminStack {
  stack: TestStack;
  server: AdminServer;
  url: string;
  tokens: Record<StackUser, string>;
  /** A real HTTP request to the listening endpoint. */
  http(method: string, path: string, opts?: { as?: StackUser; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult>;
  /** One customer (with a billing email) and one invoice each, overdue so the first step is due now. */
  seedOverdueInvoices(
    numbers: string[],
    opts?: { tier?: 'strategic' | 'standard' | 'small'; amountMinor?: number; daysOverdue?: number },
  ): Promise<void>;
  /** Starts one workflow per open invoice through the production sync. */
  syncWorkflows(): Promise<void>;
  /** Waits until the invoice's proposal is pending in the approvals list, and returns it. */
  pendingProposal(invoiceNumber: string): Promise<any>;
  close(): Promise<void>;
}

/**
 * `webhookSecret`: RESEND_WEBHOOK_SECRET, so POST /webhooks/resend verifies and accepts signed events.
 * `workerOptions`, `outreachOnly`, `workflowStackTraces`: passed to the worker (startTestStack);
 * `devServerMetricsPort` to the dev server.
 */
export async function startAdminStack(
  opts: {
    email?: EmailSender;
    webhookSecret?: string;
    workerOptions?: Partial<WorkerOptions>;
    outreachOnly?: boolean;
    workflowStackTraces?: WorkflowStackTraces;
    devServerMetricsPort?: number;
  } = {},
): Promise<AdminStack> {
  const { email, workerOptions, outreachOnly, workflowStackTraces, devServerMetricsPort } = opts;
  const stack = await startTestStack({ email, workerOptions, outreachOnly, workflowStackTraces, devServerMetricsPort });
  const { db } = stack;
  await stack.seed.policy(db, IMMEDIATE_POLICY);
  const tokens = {} as Record<StackUser, string>;
  for (const [name, u] of Object.entries(STACK_USERS) as [StackUser, (typeof STACK_USERS)[StackUser]][]) {
    tokens[name] = (await createUser(db, { name, role: u.role, limits: 'limits' in u ? u.limits : null })).token;
  }
  const server = await startAdminServer({
    db,
    temporal: stack.env.client,
    config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1', RESEND_WEBHOOK_SECRET: opts.webhookSecret, TEMPORAL_TASK_QUEUE: stack.taskQueue },
  });

  const http: AdminStack['http'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.as) headers.authorization = `Bearer ${tokens[opts.as]}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body };
  };

  return {
    stack,
    server,
    url: server.url,
    tokens,
    http,
    async seedOverdueInvoices(numbers, opts = {}) {
      const today = new Date().toISOString().slice(0, 10);
      for (const n of numbers) {
        const customerId = `C-${n}`;
        await stack.seed.customer(db, {
          id: customerId,
          name: `Customer ${n}`,
          tier: opts.tier ?? 'standard',
          email: `ap@${n.toLowerCase()}.example`,
        });
        await stack.seed.invoice(db, {
          number: n,
          customerId,
          amountMinor: opts.amountMinor ?? 125_000,
          dueDate: addDays(today, -(opts.daysOverdue ?? 2)),
        });
      }
    },
    async syncWorkflows() {
      await syncInvoiceWorkflows(stack.env.client, db, createBuiltinLedger(db), { taskQueue: stack.taskQueue });
    },
    async pendingProposal(invoiceNumber) {
      return waitFor(
        async () => {
          const res = await http('GET', `/api/approvals?customer=C-${encodeURIComponent(invoiceNumber)}`, { as: 'vic' });
          return (res.body.items as { invoice: { number: string } }[] | undefined)?.find((i) => i.invoice.number === invoiceNumber);
        },
        { tries: 600, what: `a pending proposal for ${invoiceNumber}` },
      );
    },
    async close() {
      await server.close();
      await stack.close();
    },
  };
}
