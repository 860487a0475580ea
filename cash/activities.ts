/**
 * Activities of the cash workflow, built from their dependencies (the createActivities pattern):
 * reading the stored statement, matching it (heartbeating on big files), posting allocations
 * through the ERP port, telling invoice workflows, and reversing returned credits. Each is
 * idempotent under retries: decisions are written once per row, postings are keyed per
 * (workflow, transaction, invoice), and the invoice workflows ignore a payment they already have.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import type { LedgerPort } from '../ledger/port';
import { currentPolicy } from '../policy/store';
import { policyChangedSignal } from '../collections/messages';
import { startInvoiceWorkflow } from '../collections/sync';
import { invoiceWorkflowId } from '../temporal/workflow-ids';
import { matchStatement, type MatchSummary } from './match-statement';
import { notifyInvoice, type NoticeOutcome } from './notify';
import { postTransaction, type InvoiceNotice, type PostResult } from './post';
import { reverseReturn, type ReturnResult } from './returns';

export interface StatementInfo {
  key: string;
  format: string;
  accountId: string;
  currency: string;
  transactions: number;
  credits: number;
  debits: number;
}

export function createCashActivities(deps: { db: Db; ledger: LedgerPort; temporal: () => Promise<Client>; taskQueue: string }) {
  const { db, ledger } = deps;
  return {
    async loadStatement(key: string): Promise<StatementInfo> {
      const [s] = await db.select().from(schema.bankStatements).where(eq(schema.bankStatements.id, key));
      if (!s)
        throw ApplicationFailure.nonRetryable(`statement ${key} is not stored: import its file with ar bank import`, 'StatementNotFound');
      const t = schema.bankTransactions;
      const [{ credits } = { credits: 0 }] = await db
        .select({ credits: sql<number>`count(*)::int` })
        .from(t)
        .where(and(eq(t.statementKey, key), eq(t.direction, 'credit')));
      return {
        key,
        format: s.format,
        accountId: s.accountId,
        currency: s.currency,
        transactions: s.transactionCount,
        credits,
        debits: s.transactionCount - credits,
      };
    },

    async matchStatementCredits(key: string): Promise<MatchSummary> {
      const policy = await currentPolicy(db);
      // Heartbeats carry the progress: the activity's row in the Temporal UI shows how far it got.
      return matchStatement(db, ledger, policy, key, (phase, done, total) => Context.current().heartbeat({ phase, done, total }));
    },

    async postAllocations(transactionIds: number[]): Promise<PostResult[]> {
      const out: PostResult[] = [];
      for (const id of transactionIds) {
        out.push(await postTransaction(db, ledger, id));
        Context.current().heartbeat(id);
      }
      return out;
    },

    async notifyInvoices(notices: InvoiceNotice[]): Promise<NoticeOutcome[]> {
      const client = await deps.temporal();
      const out: NoticeOutcome[] = [];
      for (const n of notices) out.push(await notifyInvoice(client, n));
      return out;
    },

    async reverseReturns(returnIds: number[]): Promise<ReturnResult[]> {
      const out: ReturnResult[] = [];
      for (const id of returnIds) {
        const r = await reverseReturn(db, ledger, id);
        out.push(r);
        // The invoice is owed again: its workflow (closed when it was paid) starts afresh, or a running one re-reads.
        const client = r.reopened.length > 0 ? await deps.temporal() : null;
        for (const number of r.reopened) {
          const inv = await ledger.getInvoice(number);
          if (!inv || !client || (inv.status !== 'open' && inv.status !== 'disputed')) continue;
          if (!(await startInvoiceWorkflow(client, inv, deps.taskQueue))) {
            await client.workflow.getHandle(invoiceWorkflowId(number)).signal(policyChangedSignal);
          }
        }
      }
      return out;
    },
  };
}

export type CashActivities = ReturnType<typeof createCashActivities>;
