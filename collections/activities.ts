/**
 * Activities of the invoice workflow: fresh reads through the ERP port, proposals, the audit
 * trail and ledger writes. Each is idempotent under retries (natural or derived keys).
 */
import { ApplicationFailure, CompleteAsyncError, activityInfo, heartbeat, log } from '@temporalio/activity';
import { and, eq, ne, sql } from 'drizzle-orm';
import { schema, type Db, type Tx } from '../db/client';
import { currentPolicy } from '../policy/store';
import { upcomingHolidays } from '../policy/holidays';
import type { Policy } from '../domain/policy';
import type { EditCategory } from '../domain/edit-categories';
import { emailContact, type CustomerRecord, type InvoiceRecord, type LedgerPort } from '../ledger/port';
import { writeAudit, type AuditEntry } from '../db/audit';
import { ActivityNotFoundError, type Client } from '@temporalio/client';
import { outreachWorkflowId } from '../temporal/workflow-ids';
import { syncInvoiceWorkflows, type SyncResult } from './sync';
import { requestReminderSignal, withdrawReminderSignal, type ReminderRequest } from '../outreach/messages';
import type { HandOverAnswer } from './messages';
import type { DeliverAtOnce } from '../outreach/at-once';

export interface InvoiceContext {
  invoice: InvoiceRecord;
  /** An open dispute the ledger already has (a workflow started on a disputed invoice adopts it). */
  openDispute: { id: string; reason: string; owner: string | null; deadline: string | null } | null;
  customer: Omit<CustomerRecord, 'contacts'> & { contactName: string | null; email: string | null };
  policy: Policy;
  /**
   * The customer's public holidays and closing days ahead (ISO dates) for the send window.
   * Optional: results recorded before holidays existed have none (read them as []).
   */
  holidays?: string[];
}

export interface ProposalRecord {
  id: string;
  workflowId: string;
  invoiceNumber: string;
  customerId: string;
  actionKind: string;
  stepKey: string;
  tone: string;
  subject: string;
  body: string;
  reasoning: string;
  policyVersion: number;
  currency: string;
  amountMinor: number;
  /** Shadow mode: the rollout scope that would have sent it without a person (null: none). */
  shadowScope?: string | null;
}

export type ProposalResolution =
  | {
      status: 'approved';
      decidedBy: string;
      note?: string;
      editedSubject?: string;
      editedBody?: string;
      editCategory?: EditCategory;
      editNote?: string;
    }
  | { status: 'rejected'; decidedBy: string; note: string }
  | { status: 'superseded' | 'withdrawn'; note: string };

export interface ProposalResolutionRecord {
  id: string;
  workflowId: string;
  invoiceNumber: string;
  customerId: string;
  policyVersion: number;
  resolution: ProposalResolution;
}

/**
 * A proposal's outcome and its audit entry, in one statement: the update of a pending row, and the
 * audit insert only if that update took (a proposal keeps its first outcome). One round trip, where
 * a transaction took four (begin, update, insert, commit): every decision writes this (issue 15).
 */
async function resolveProposalRow(db: Db, input: ProposalResolutionRecord): Promise<void> {
  const r = input.resolution;
  const approved = r.status === 'approved';
  const audit: AuditEntry = {
    idempotencyKey: `${input.id}/${r.status}`,
    workflowId: input.workflowId,
    invoiceNumber: input.invoiceNumber,
    customerId: input.customerId,
    action: `proposal_${r.status}`,
    actor: 'decidedBy' in r ? r.decidedBy : 'system',
    approvedBy: approved ? r.decidedBy : undefined,
    reasoning: r.note,
    policyVersion: input.policyVersion,
    details:
      approved && (r.editedSubject || r.editedBody)
        ? { editedSubject: r.editedSubject, editedBody: r.editedBody, editCategory: r.editCategory, editNote: r.editNote }
        : undefined,
  };
  await db.execute(sql`
    with decided as (
      update ${schema.proposals} set
        status = ${r.status},
        decided_by = ${'decidedBy' in r ? r.decidedBy : null},
        decided_at = now(),
        decision_note = ${r.note ?? null},
        edited_subject = ${approved ? (r.editedSubject ?? null) : null},
        edited_body = ${approved ? (r.editedBody ?? null) : null},
        edit_category = ${approved ? (r.editCategory ?? null) : null},
        edit_note = ${approved ? (r.editNote ?? null) : null}
      where ${schema.proposals.id} = ${input.id} and ${schema.proposals.status} = 'pending'
      returning 1
    )
    -- the row writeAudit (db/audit.ts) writes, spelled out here to depend on the update
    insert into ${schema.auditLog}
      (idempotency_key, workflow_id, invoice_number, customer_id, action, actor, approved_by, reasoning, policy_version, details)
    select ${audit.idempotencyKey}::text, ${audit.workflowId ?? null}::text, ${audit.invoiceNumber ?? null}::text,
      ${audit.customerId ?? null}::text, ${audit.action}::text, ${audit.actor}::text, ${audit.approvedBy ?? null}::text,
      ${audit.reasoning ?? null}::text, ${audit.policyVersion ?? null}::integer,
      ${audit.details === undefined ? null : JSON.stringify(audit.details)}::jsonb
    from decided
    on conflict do nothing`);
}

/**
 * Withdraws the pending proposals of a workflow other than `keep`: an invoice holds one proposal at
 * a time, so any other pending row is one a retried workflow task left behind (its proposal was
 * written by a local activity, then the retry took another course). Audited like any withdrawal.
 */
async function withdrawLeftBehind(db: Db | Tx, workflowId: string, keep: string | null, why: string): Promise<void> {
  const left = await db
    .update(schema.proposals)
    .set({ status: 'withdrawn', decidedAt: sql`now()`, decisionNote: why })
    .where(
      and(
        eq(schema.proposals.workflowId, workflowId),
        eq(schema.proposals.status, 'pending'),
        ...(keep ? [ne(schema.proposals.id, keep)] : []),
      ),
    )
    .returning({
      id: schema.proposals.id,
      invoiceNumber: schema.proposals.invoiceNumber,
      customerId: schema.proposals.customerId,
      policyVersion: schema.proposals.policyVersion,
    });
  for (const row of left)
    await writeAudit(db, {
      idempotencyKey: `${row.id}/withdrawn`,
      workflowId,
      invoiceNumber: row.invoiceNumber,
      customerId: row.customerId,
      action: 'proposal_withdrawn',
      actor: 'system',
      reasoning: why,
      policyVersion: row.policyVersion,
    });
}

/** Tells the customer's outreach workflow a reminder is no longer needed; none running means nothing is queued. */
async function withdrawFromOutreach(client: Client, input: { customerId: string; requestId: string }): Promise<void> {
  try {
    await client.workflow.getHandle(outreachWorkflowId(input.customerId)).signal(withdrawReminderSignal, { requestId: input.requestId });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
  }
}

export function createInvoiceActivities(deps: {
  db: Db;
  ledger: LedgerPort;
  temporal: () => Promise<Client>;
  taskQueue: string;
  /** Delivers an approved reminder from the hand-over when outreach would only send it at once; without it, always outreach. */
  deliverAtOnce?: DeliverAtOnce;
}) {
  const { db, ledger } = deps;
  const activities = {
    /** The ar-ledger-sync schedule's one step: the same sync as `ar sync`, heartbeating as it pages. */
    async syncLedger(input: { paymentsSince?: string } = {}): Promise<SyncResult> {
      return syncInvoiceWorkflows(await deps.temporal(), db, ledger, {
        taskQueue: deps.taskQueue,
        onProgress: (done) => heartbeat(done),
        paymentsSince: input.paymentsSince ? new Date(input.paymentsSince) : undefined,
      });
    },

    /** Signal-with-start: the customer's outreach workflow exists exactly once, whoever asks first. */
    async requestReminder(input: { customerId: string; request: ReminderRequest; resolution?: ProposalResolutionRecord }): Promise<void> {
      // The approval's row first, in the same activity (runs on 'one-write-decisions'): a retry finds it written and only signals again.
      if (input.resolution) await resolveProposalRow(db, input.resolution);
      const client = await deps.temporal();
      await client.workflow.signalWithStart('outreachWorkflow', {
        workflowId: outreachWorkflowId(input.customerId),
        taskQueue: deps.taskQueue,
        args: [{ customerId: input.customerId }],
        signal: requestReminderSignal,
        signalArgs: [input.request],
        staticSummary: `Outreach to customer ${input.customerId}: merges reminders, enforces contact caps`,
      });
    },

    /**
     * The hand-over on 'lean-lifecycle'. When nothing needs the customer's outreach workflow, the
     * reminder is delivered here and the outcome returned (outreach/at-once.ts). Otherwise:
     * signal-with-start as requestReminder does, with this attempt's task token, then return
     * without completing. The outreach delivery completes it with the outcome
     * (`ReminderDelivered`); a retried attempt hands over a fresh token, which outreach adopts.
     */
    async awaitReminderDelivery(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer> {
      if (deps.deliverAtOnce) {
        const { attempt, currentAttemptScheduledTimestampMs: at } = activityInfo();
        const atOnce = await deps.deliverAtOnce({ ...input, attempt, at });
        if ('delivered' in atOnce) return atOnce.delivered;
        log.info('reminder handed to outreach', { requestId: input.request.requestId, why: atOnce.throughOutreach });
      }
      const client = await deps.temporal();
      const completion = Buffer.from(activityInfo().taskToken).toString('base64');
      await client.workflow.signalWithStart('outreachWorkflow', {
        workflowId: outreachWorkflowId(input.customerId),
        taskQueue: deps.taskQueue,
        args: [{ customerId: input.customerId }],
        signal: requestReminderSignal,
        signalArgs: [{ ...input.request, completion }],
        staticSummary: `Outreach to customer ${input.customerId}: merges reminders, enforces contact caps`,
      });
      throw new CompleteAsyncError();
    },

    /** A decision's row and the re-read before sending, in one local activity ('lean-lifecycle'). */
    async recordDecisionAndReread(input: {
      resolution: ProposalResolutionRecord;
      invoiceNumber: string;
    }): Promise<InvoiceContext & { recorded: ProposalResolutionRecord }> {
      // The write and the reads touch different rows, so they go together: the decision's answer
      // waits for this local activity, and one round trip less is its latency (issue 15).
      const [, context] = await Promise.all([resolveProposalRow(db, input.resolution), activities.loadInvoiceContext(input.invoiceNumber)]);
      // The row it wrote goes with what it read: a marker records no input.
      return { ...context, recorded: input.resolution };
    },

    /**
     * `handOverActivityId`: the invoice's hand-over activity still waiting on this reminder
     * ('lean-lifecycle'), completed here once outreach has the withdrawal, so no retry of it
     * hands the reminder over again.
     */
    async withdrawReminder(input: { customerId: string; requestId: string; handOverActivityId?: string }): Promise<void> {
      const client = await deps.temporal();
      await withdrawFromOutreach(client, input);
      if (!input.handOverActivityId) return;
      const answer: HandOverAnswer = { requestId: input.requestId, queued: true, detail: 'withdrawn: no longer needed' };
      const invoice = activityInfo().workflowExecution;
      if (!invoice) return;
      try {
        await client.activity.complete(
          { workflowId: invoice.workflowId, runId: invoice.runId, activityId: input.handOverActivityId },
          answer,
        );
      } catch (err) {
        // Answered meanwhile (outreach said queued, or delivered): nothing left open.
        if (!(err instanceof ActivityNotFoundError)) throw err;
      }
    },

    /** Re-reads the invoice, its customer and the policy in force: workflows never act on stale data. */
    async loadInvoiceContext(invoiceNumber: string): Promise<InvoiceContext> {
      // The policy does not depend on the invoice: read alongside it.
      const [invoice, policy] = await Promise.all([ledger.getInvoice(invoiceNumber), currentPolicy(db)]);
      if (!invoice) throw ApplicationFailure.nonRetryable(`invoice ${invoiceNumber} is not in the ledger`, 'InvoiceNotFound');
      const customer = await ledger.getCustomer(invoice.customerId);
      if (!customer)
        throw ApplicationFailure.nonRetryable(
          `customer ${invoice.customerId} of invoice ${invoiceNumber} is not in the ledger`,
          'CustomerNotFound',
        );
      const { contacts: all, ...rest } = customer;
      const openDispute = invoice.status === 'disputed' ? await ledger.getOpenDispute(invoice.number) : null;
      const contact = emailContact(all);
      const holidays = upcomingHolidays(policy, rest.timezone, new Date());
      return {
        invoice,
        openDispute,
        customer: { ...rest, contactName: contact?.name ?? null, email: contact?.email ?? null },
        policy,
        holidays,
      };
    },

    /** Returns what it recorded: as a local activity ('lean-lifecycle') its marker is the history's record of the draft. */
    async recordProposal(p: ProposalRecord): Promise<ProposalRecord> {
      await db.transaction(async (tx) => {
        const inserted = await tx.insert(schema.proposals).values(p).onConflictDoNothing().returning({ id: schema.proposals.id });
        if (inserted.length === 0) return;
        await withdrawLeftBehind(tx, p.workflowId, p.id, `not held by ${p.workflowId}: ${p.id} was proposed after it`);
        await writeAudit(tx, {
          idempotencyKey: `${p.id}/proposed`,
          workflowId: p.workflowId,
          invoiceNumber: p.invoiceNumber,
          customerId: p.customerId,
          action: `${p.actionKind}_proposed`,
          actor: 'system',
          reasoning: p.reasoning,
          policyVersion: p.policyVersion,
          details: { stepKey: p.stepKey, tone: p.tone, subject: p.subject },
        });
      });
      return p;
    },

    /**
     * Moves a pending proposal to its outcome; a proposal already decided keeps its first outcome.
     * Returns what it recorded: as a local activity ('local-decision-rows') its marker is the history's record of the outcome.
     */
    async resolveProposal(input: ProposalResolutionRecord): Promise<ProposalResolutionRecord> {
      await resolveProposalRow(db, input);
      return input;
    },

    async escalateProposal(input: {
      id: string;
      workflowId: string;
      invoiceNumber: string;
      customerId: string;
      owner: string;
      pendingHours: number;
    }): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(schema.proposals)
          .set({ escalatedAt: sql`now()` })
          .where(
            and(eq(schema.proposals.id, input.id), eq(schema.proposals.status, 'pending'), sql`${schema.proposals.escalatedAt} is null`),
          )
          .returning({ id: schema.proposals.id });
        if (updated.length === 0) return;
        await writeAudit(tx, {
          idempotencyKey: `${input.id}/escalated`,
          workflowId: input.workflowId,
          invoiceNumber: input.invoiceNumber,
          customerId: input.customerId,
          action: 'proposal_escalated',
          actor: 'system',
          reasoning: `undecided for ${input.pendingHours} hours; escalated to ${input.owner}`,
          details: { owner: input.owner },
        });
      });
    },

    /** Returns the entry, for the marker when it runs as a local activity. */
    async recordAudit(entry: AuditEntry): Promise<AuditEntry> {
      await writeAudit(db, entry);
      return entry;
    },

    /**
     * The workflow saw the invoice paid in full. The ledger marks an invoice paid when its
     * allocations bring it to zero; if it still shows a balance, a person must reconcile.
     */
    async confirmPaidInLedger(input: {
      invoiceNumber: string;
      workflowId: string;
      closingAudit?: AuditEntry;
    }): Promise<{ ledgerOpenMinor: number; invoiceNumber?: string; closingAudit?: AuditEntry }> {
      const inv = await ledger.getInvoice(input.invoiceNumber);
      if (!inv) throw ApplicationFailure.nonRetryable(`invoice ${input.invoiceNumber} is not in the ledger`, 'InvoiceNotFound');
      if (inv.openMinor === 0 && inv.status !== 'paid') await ledger.updateInvoiceStatus(inv.number, 'paid');
      if (inv.openMinor > 0) {
        await writeAudit(db, {
          idempotencyKey: `${input.workflowId}/ledger-mismatch`,
          workflowId: input.workflowId,
          invoiceNumber: inv.number,
          customerId: inv.customerId,
          action: 'ledger_mismatch',
          actor: 'system',
          reasoning: `payments received by the workflow cover the invoice, but the ledger still shows ${inv.openMinor} ${inv.currency} open: reconcile the allocations`,
        });
      }
      // The close's own audit entry, in the same call (runs on 'one-write-decisions'); idempotent by its key.
      if (input.closingAudit) {
        // A closed invoice holds no proposal: a pending row now is one a retried task left behind.
        await withdrawLeftBehind(db, input.workflowId, null, `invoice ${inv.number} closed`);
        await writeAudit(db, input.closingAudit);
      }
      // What it checked and recorded, for the marker when it runs as a local activity ('lean-lifecycle').
      return {
        ledgerOpenMinor: inv.openMinor,
        invoiceNumber: inv.number,
        ...(input.closingAudit ? { closingAudit: input.closingAudit } : {}),
      };
    },

    async logPromise(input: {
      id: string;
      invoiceNumber: string;
      promisedDate: string;
      amountMinor: number | null;
      currency: string;
      loggedBy: string;
    }): Promise<void> {
      await ledger.logPromise(input);
    },

    async closePromise(input: { id: string; status: 'kept' | 'broken' }): Promise<void> {
      await ledger.closePromise(input);
    },

    async openDispute(input: {
      id: string;
      invoiceNumber: string;
      reason: string;
      note: string | null;
      owner: string;
      deadline: string;
      openedBy: string;
    }): Promise<void> {
      await ledger.openDispute(input);
    },

    async resolveDispute(input: {
      id: string;
      invoiceNumber: string;
      outcome: 'invalid' | 'credit' | 'write_off';
      creditMinor?: number;
      currency: string;
      by: string;
      note?: string;
    }): Promise<{ openMinor: number }> {
      if (input.outcome === 'credit' && input.creditMinor) {
        await ledger.postCreditNote({
          id: `credit-${input.id}`,
          invoiceNumber: input.invoiceNumber,
          amountMinor: input.creditMinor,
          currency: input.currency,
          reason: input.note ?? 'dispute resolved with a credit',
        });
      }
      // A write-off is decided separately by a person; until then the dispute stays open in the ledger.
      if (input.outcome !== 'write_off') {
        await ledger.setDisputeStatus({
          id: input.id,
          status: input.outcome === 'invalid' ? 'resolved_invalid' : 'resolved_credit',
          resolution: { by: input.by, note: input.note, creditMinor: input.creditMinor },
        });
      }
      const inv = await ledger.getInvoice(input.invoiceNumber);
      return { openMinor: inv?.openMinor ?? 0 };
    },

    async writeOff(input: {
      id: string;
      invoiceNumber: string;
      disputeId?: string;
      amountMinor: number;
      currency: string;
      reason: string;
      approvedBy: string;
    }): Promise<void> {
      await ledger.recordWriteOff({
        id: input.id,
        invoiceNumber: input.invoiceNumber,
        amountMinor: input.amountMinor,
        currency: input.currency,
        reason: input.reason,
        approvedBy: input.approvedBy,
      });
      if (input.disputeId) {
        await ledger.setDisputeStatus({ id: input.disputeId, status: 'resolved_write_off', resolution: { approvedBy: input.approvedBy } });
      }
    },
  };
  return activities;
}

export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>;
