/**
 * Ledger → workflows. Starts exactly one `invoice-<number>` workflow per open invoice, idempotently:
 * a workflow-start record per invoice plus Temporal's own workflow-ID uniqueness mean a second run
 * starts nothing twice. Invoices the ledger has closed get a `ledgerClosed` signal and end.
 * With `paymentsSince` (the scheduled sync), invoices paid in part since then re-read the ledger,
 * so a payment recorded in the ledger reaches its workflow.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { eq, inArray, isNull } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { toDecimal } from '../domain/money';
import type { InvoiceRecord, LedgerPort } from '../ledger/port';
import { currentPolicy } from '../policy/store';
import { dunningStage } from './dunning';
import { ledgerChangedSignal, ledgerClosedSignal } from './messages';
import { SA } from '../temporal/search-attributes';
import { invoiceWorkflowId } from '../temporal/client';

export interface SyncResult {
  scanned: number;
  started: number;
  alreadyRunning: number;
  ended: number;
  /** Running workflows told to re-read the ledger for a payment recorded since `paymentsSince`. */
  reread?: number;
}

export interface SyncOptions {
  taskQueue: string;
  pageSize?: number;
  concurrency?: number;
  onProgress?: (done: number) => void;
  /** Tell running workflows of invoices with a payment applied since then to re-read the ledger. */
  paymentsSince?: Date;
}

export async function syncInvoiceWorkflows(client: Client, db: Db, ledger: LedgerPort, opts: SyncOptions): Promise<SyncResult> {
  const result: SyncResult = { scanned: 0, started: 0, alreadyRunning: 0, ended: 0 };
  const pageSize = opts.pageSize ?? 500;
  const concurrency = opts.concurrency ?? 32;
  // Every search attribute is set at start, so a workflow is found by tier, stage and policy
  // version at once, not only once its first ledger read has run (minutes behind on a big import).
  const policyVersion = (await currentPolicy(db)).version;
  const tiers = new Map<string, string | null>();
  const tierOf = async (customerId: string) => {
    if (!tiers.has(customerId)) tiers.set(customerId, (await ledger.getCustomer(customerId))?.tier ?? null);
    return tiers.get(customerId) ?? null;
  };
  let cursor: string | undefined;
  do {
    const page = await ledger.listOpenInvoices({ cursor, limit: pageSize });
    cursor = page.nextCursor;
    result.scanned += page.invoices.length;
    const numbers = page.invoices.map((i) => i.number);
    const known = numbers.length
      ? new Set(
          (
            await db
              .select({ n: schema.workflowStarts.invoiceNumber })
              .from(schema.workflowStarts)
              .where(inArray(schema.workflowStarts.invoiceNumber, numbers))
          ).map((r) => r.n),
        )
      : new Set<string>();
    const todo = page.invoices.filter((i) => !known.has(i.number));
    result.alreadyRunning += page.invoices.length - todo.length;
    for (let i = 0; i < todo.length; i += concurrency) {
      await Promise.all(
        todo.slice(i, i + concurrency).map(async (inv) => {
          const workflowId = invoiceWorkflowId(inv.number);
          const known = { tier: await tierOf(inv.customerId), policyVersion };
          if (await startInvoiceWorkflow(client, inv, opts.taskQueue, known)) result.started++;
          else result.alreadyRunning++;
          await db.insert(schema.workflowStarts).values({ invoiceNumber: inv.number, workflowId }).onConflictDoNothing();
        }),
      );
      opts.onProgress?.(result.started + result.alreadyRunning);
    }
  } while (cursor);

  // Invoices the ledger closed (paid elsewhere, voided, written off) end their workflows.
  const running = await db
    .select({ number: schema.workflowStarts.invoiceNumber, workflowId: schema.workflowStarts.workflowId })
    .from(schema.workflowStarts)
    .where(isNull(schema.workflowStarts.endedAt));
  const statuses = await ledger.getInvoiceStatuses(running.map((r) => r.number));
  const closed = running.flatMap((r) => {
    const status = statuses.get(r.number);
    return status !== undefined && status !== 'open' && status !== 'disputed' ? [{ ...r, status }] : [];
  });
  for (const c of closed) {
    try {
      await client.workflow.getHandle(c.workflowId).signal(ledgerClosedSignal, { status: c.status });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Already completed: nothing to end.
    }
    await db.update(schema.workflowStarts).set({ endedAt: new Date() }).where(eq(schema.workflowStarts.invoiceNumber, c.number));
    result.ended++;
  }

  if (opts.paymentsSince) {
    // ledgerChanged makes a workflow re-read the ledger now; it ends only if the ledger shows it closed.
    const paid = new Set(await ledger.listInvoicesPaidSince(opts.paymentsSince));
    const endedNow = new Set(closed.map((c) => c.number));
    result.reread = 0;
    for (const r of running.filter((x) => paid.has(x.number) && !endedNow.has(x.number))) {
      try {
        await client.workflow.getHandle(r.workflowId).signal(ledgerChangedSignal, { reason: 'a payment recorded in the ledger' });
        result.reread++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
  }
  return result;
}

/**
 * Starts the workflow of one open invoice; false when it already runs. A closed run (the invoice
 * was paid, then a bank return reopened it) is followed by a new run under the same id.
 * `known`: the customer's tier and the policy version in force, set as search attributes at start
 * with the stage (not started) and no approval awaited; the workflow upserts them as it runs.
 */
export async function startInvoiceWorkflow(
  client: Client,
  inv: Pick<InvoiceRecord, 'number' | 'customerId' | 'currency' | 'openMinor' | 'dueDate'>,
  taskQueue: string,
  known: { tier: string | null; policyVersion: number | null } = { tier: null, policyVersion: null },
): Promise<boolean> {
  try {
    await client.workflow.start('invoiceWorkflow', {
      workflowId: invoiceWorkflowId(inv.number),
      taskQueue,
      args: [{ invoiceNumber: inv.number, customerId: inv.customerId }],
      typedSearchAttributes: [
        { key: SA.invoiceNumber, value: inv.number },
        { key: SA.customerId, value: inv.customerId },
        { key: SA.status, value: 'open' },
        { key: SA.currency, value: inv.currency },
        { key: SA.amountDue, value: inv.openMinor },
        { key: SA.dunningStage, value: dunningStage([], []) },
        { key: SA.awaitingApproval, value: false },
        ...(known.tier === null ? [] : [{ key: SA.tier, value: known.tier }]),
        ...(known.policyVersion === null ? [] : [{ key: SA.policyVersion, value: known.policyVersion }]),
      ],
      staticSummary: `Invoice ${inv.number} · customer ${inv.customerId} · ${toDecimal(inv.openMinor, inv.currency)} ${inv.currency} due ${inv.dueDate}`,
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return false;
  }
}
