/**
 * The invoice workflow's steps that call activities: re-read, propose and await a decision,
 * deliver through outreach, propose a write-off, check a promise. Workflow side (uses the
 * activities proxy); the rules they follow are InvoiceCase's.
 */
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { InvoiceActivities as Activities, InvoiceContext, ProposalResolutionRecord } from './activities';
import { autonomyGate, shadowChoice } from '../domain/autonomy';
import { toDecimal } from '../domain/money';
import { draftReminder } from '../domain/drafting';
import type { DunningStep } from '../domain/policy';
import { effectiveTone, isHandoffNotice } from './dunning';
import { explainStep } from './reasoning';
import type { DraftBasis, InvoiceCase, PendingProposal } from './invoice-case';
import type { Decision, DisputeOpened, DisputeResolved, PromiseToPay } from './message-schemas';
import type { DecisionOutcome, HandOverAnswer, ReminderDelivered } from './messages';
import type { ReminderRequest } from '../outreach/messages';
import { publish } from './publish';
import type { RefusalType } from './refusals';
import { SA } from '../temporal/search-attributes';

// Ledger and database calls: short, retried with backoff for a few hours of outage, then the step is retried later.
const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 40 },
});

/**
 * The re-read as a local activity: one marker in the workflow task that asked, where an activity
 * cost five more events and a workflow task of its own; a lifecycle re-reads eight or nine times
 * (issue 15). Same retries; a read repeated after a crash only reads again. A local activity
 * runs before its workflow task is durable, so a write made in a task that is then retried (a
 * crash, a timeout) could follow a course the retry does not take (a payment in between), where an
 * activity is scheduled only by a task that completed. On 'lean-lifecycle' the bookkeeping writes
 * run here anyway (the proposal's row, the decision's row with the re-read, the close): each is
 * idempotent by its key, and a proposal row left behind by another course is withdrawn by the next
 * proposal or the close. What reaches a customer (the hand-over, the email) stays an activity.
 */
const localLedger = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 40 },
});

/**
 * The hand-over on 'lean-lifecycle'. When the customer's outreach workflow would only send the
 * reminder at once, the activity delivers it itself and returns the outcome (outreach/at-once.ts).
 * Otherwise it signals the outreach workflow and is
 * completed by outreach (asynchronous completion): with the delivery when it sends at once, so the
 * outcome reaches the invoice as this activity's result in the task that plans the next step, where
 * a signal cost a workflow task of its own (issue 15); or with "queued" as soon as the message must
 * wait (batch window, send window, caps, kill switch), and the delivery comes later as a signal.
 * So an attempt stays open only while outreach sends at once, and a minute bounds an attempt that
 * was lost before its signal reached outreach (a worker killed mid-attempt, a server restart):
 * it is retried with a fresh token, which outreach adopts whether the request is new, queued, in
 * flight or delivered. Histories recorded with 6 hours replay the same (timeouts are not commands'
 * identity). No attempt limit: a retry is one signal, and the invoice waits for its reminder's
 * outcome however long outreach needs; a reminder no longer needed is withdrawn, which ends it.
 */
const handOver = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Calls an activity with a one-line summary that the Web UI shows on its history event. */
function withSummary<K extends keyof Activities & string>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): ReturnType<Activities[K]> {
  const fn = ledger[name] as unknown as { executeWithOptions(options: { summary: string }, args: unknown[]): ReturnType<Activities[K]> };
  return fn.executeWithOptions({ summary }, args);
}

/** The same call as a local activity, with its summary. */
function localCall<K extends keyof Activities & string>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): ReturnType<Activities[K]> {
  const fn = localLedger[name] as unknown as {
    executeWithOptions(options: { summary: string }, args: unknown[]): ReturnType<Activities[K]>;
  };
  return fn.executeWithOptions({ summary }, args);
}

const now = () => new Date(Date.now());

/** What recordAudit writes (the type through the activities: workflow code keeps out of db/). */
type AuditEntry = Parameters<Activities['recordAudit']>[0];
type AuditExtra = { policyVersion?: number; approvedBy?: string; details?: Record<string, unknown> };

export class InvoiceSteps {
  readonly delivered = new Map<string, ReminderDelivered>();
  reloadPolicy = false;
  /** Re-reads run as local activities (runs from before 'local-ledger-calls' keep their activities). */
  local = false;
  /**
   * Runs on 'one-write-decisions': a decision's row is written by the loop, in the same activity
   * as the hand-over to outreach when there is one, and the Update answers once it is written.
   * One activity and one workflow task fewer per approval (issue 15).
   */
  oneWrite = false;
  /**
   * Runs on 'publish-settled-decision': a decided draft's search attributes change once, to what
   * follows it (queued with outreach, rejected, re-planned), not first to the stage before it and
   * a moment later again. One upsert fewer per decision (issue 15); until the hand-over writes the
   * decision's row the attributes say what the database says, awaiting approval.
   */
  settledPublish = false;
  /**
   * Runs on 'lean-lifecycle' (issue 15): the bookkeeping writes whose course cannot change under a
   * retried task (the proposal's row, the decision's row with the re-read before sending, the close)
   * run as local activities, and the hand-over is completed by the delivery. 33 events per approved
   * reminder became 24; see recordProposal's and the hand-over's notes for what keeps them safe.
   */
  lean = false;
  /**
   * Runs on 'local-decision-rows' (issue 15): a proposal's outcome written on its own (a rejection,
   * an approval not sent, a write-off's decision, a withdrawn or superseded draft) is a local
   * activity too, so a rejection's Update answers in the one workflow task that takes it (2 tasks
   * and an activity before). The write keeps a proposal's first outcome, so a local activity run
   * again after a crashed task writes nothing new.
   */
  localDecisionRows = false;
  /**
   * Runs on 'publish-on-hand-over-answer' (issue 15): an approved reminder's search attributes change
   * when its hand-over answers, not in the task that schedules it. Sent at once, they go from
   * awaiting approval straight to the step done, in one upsert where there were two; queued with
   * outreach, they say so when outreach answers (it does as soon as the message must wait), and
   * again on delivery. Each upsert is a visibility write on the Temporal server, the largest part
   * of its CPU per approval beyond the bare shape. Until the answer, a second at most unless the
   * attempt is lost, the attributes say what they said before the decision.
   */
  publishOnAnswer = false;

  /** The outcome row's write: local on 'local-decision-rows', an activity before. */
  private resolve(summary: string, record: ProposalResolutionRecord): Promise<ProposalResolutionRecord> {
    return this.localDecisionRows ? localCall('resolveProposal', summary, record) : withSummary('resolveProposal', summary, record);
  }
  /** The last proposal decided ('one-write-decisions'), until its row is written. */
  private decided: PendingProposal | null = null;
  private readonly published = { key: '' };
  private lastRead: { at: number; context: InvoiceContext } | null = null;

  constructor(private readonly invoice: InvoiceCase) {}

  /**
   * patched(name) for the patches older than 'local-ledger-calls': a run that has that one began on
   * code with all of them, so they hold without a marker and its search attribute upsert each
   * (two events per patch per run, about twenty per lifecycle).
   */
  has(name: string): boolean {
    return this.oneWrite || this.local || patched(name);
  }

  private get ids() {
    const memory = this.invoice.memory;
    return { workflowId: this.invoice.workflowId, invoiceNumber: memory.invoiceNumber, customerId: memory.customerId };
  }

  /** `also`: search attributes to set in the same upsert (one event, where two were). */
  publish(also: SearchAttributeUpdatePair[] = []): void {
    publish(this.invoice.view(), this.published, also);
  }

  /** The read a step acts on: one made at this same instant is reused, else a new one. */
  async readForStep(): Promise<InvoiceContext> {
    return this.lastRead?.at === Date.now() ? this.lastRead.context : this.refresh();
  }

  /**
   * Re-reads invoice, customer and policy; the case adopts what the ledger says. `recording`: a
   * decision's row written first, in the same local activity ('lean-lifecycle').
   */
  async refresh(recording?: ProposalResolutionRecord): Promise<InvoiceContext> {
    const number = this.invoice.memory.invoiceNumber;
    const summary = `re-read ${number}, its customer and the policy in force`;
    const context = recording
      ? await localCall(
          'recordDecisionAndReread',
          `${recording.resolution.status}${'decidedBy' in recording.resolution ? ` by ${recording.resolution.decidedBy}` : ''}: ${recording.id}; ${summary}`,
          { resolution: recording, invoiceNumber: number },
        )
      : this.local
        ? await localCall('loadInvoiceContext', summary, number)
        : await withSummary('loadInvoiceContext', summary, number);
    this.lastRead = { at: Date.now(), context };
    // ArTier was set at the first read only, so a customer moved to another tier kept the old one (defect 9c).
    if (this.invoice.adoptLedgerRead(context) && this.has('tier-search-attribute'))
      upsertSearchAttributes([{ key: SA.tier, value: this.invoice.memory.tier }]);
    this.reloadPolicy = false;
    return context;
  }

  // ---- the ledger side of people's messages (the case changed first) ------------------------

  async recordDecision(pending: PendingProposal, decision: Decision): Promise<DecisionOutcome> {
    const approve = decision.decision === 'approve';
    if (this.oneWrite) {
      // The loop writes the row (with the hand-over when it sends); answered once it is durable in the ledger too.
      const write = { written: false, failed: null as string | null, message: decision };
      pending.decisionWrite = write;
      this.decided = pending;
      await condition(() => write.written || write.failed !== null);
      if (write.failed)
        throw ApplicationFailure.create({
          type: 'DecisionNotRecorded' satisfies RefusalType,
          message: `the decision on ${pending.view.id} was taken, but its step failed before it was recorded (${write.failed}); the step is drafted again later`,
          nonRetryable: true,
        });
    } else {
      const summary = `${approve ? 'approved' : 'rejected'} by ${decision.by}: ${pending.view.id}`;
      await withSummary('resolveProposal', summary, this.resolutionRecord(pending, decision));
    }
    return this.outcome(pending, decision);
  }

  private outcome(pending: PendingProposal, decision: Decision): DecisionOutcome {
    const approve = decision.decision === 'approve';
    return approve
      ? {
          proposalId: pending.view.id,
          outcome: 'approved',
          detail:
            pending.actionKind === 'write_off'
              ? 'write-off approved; posting to the ledger'
              : 'approved; handed to the customer outreach for delivery within the contact caps',
        }
      : { proposalId: pending.view.id, outcome: 'rejected', detail: `rejected: ${decision.reason}` };
  }

  /** What resolveProposal writes for a person's decision. */
  private resolutionRecord(pending: PendingProposal, decision: Decision): ProposalResolutionRecord {
    const approve = decision.decision === 'approve';
    return {
      id: pending.view.id,
      ...this.ids,
      policyVersion: pending.view.policyVersion,
      resolution: approve
        ? {
            status: 'approved',
            decidedBy: decision.by,
            note: decision.note,
            editedSubject: decision.edits?.subject,
            editedBody: decision.edits?.body,
            editCategory: decision.editCategory,
            editNote: decision.editNote,
          }
        : { status: 'rejected', decidedBy: decision.by, note: decision.reason! },
    };
  }

  /** The decision's row still to write ('one-write-decisions'), or null. */
  private unwritten(pending: PendingProposal | null): NonNullable<PendingProposal['decisionWrite']> | null {
    const write = pending?.decisionWrite;
    return write && !write.written && !write.failed ? write : null;
  }

  /** Writes a decision's row on its own, where nothing is handed over with it. */
  async writeDecision(pending: PendingProposal): Promise<void> {
    const write = this.unwritten(pending);
    if (!write) return;
    const d = write.message;
    await this.resolve(
      `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.by}: ${pending.view.id}`,
      this.resolutionRecord(pending, d),
    );
    write.written = true;
  }

  /** A step failed with a decision unwritten: its Update fails rather than wait for ever. */
  decisionStepFailed(error: string): void {
    const write = this.unwritten(this.decided);
    if (write) write.failed = error;
  }

  /** After a step: a decision no branch wrote (none is expected) is written now, so its Update answers. */
  async writeDecisionLeft(): Promise<void> {
    if (this.decided) await this.writeDecision(this.decided);
  }

  async logPromise(promise: PromiseToPay): Promise<void> {
    const memory = this.invoice.memory;
    await ledger.logPromise({
      id: promise.promiseId,
      invoiceNumber: memory.invoiceNumber,
      promisedDate: promise.date,
      amountMinor: promise.amountMinor ?? null,
      currency: memory.currency,
      loggedBy: promise.by,
    });
  }

  async openDispute(opened: DisputeOpened): Promise<void> {
    const dispute = this.invoice.memory.dispute!;
    await ledger.openDispute({
      id: opened.disputeId,
      invoiceNumber: this.invoice.memory.invoiceNumber,
      reason: opened.reason,
      note: opened.note ?? null,
      owner: dispute.owner,
      deadline: dispute.deadline,
      openedBy: opened.by,
    });
  }

  /** Records the resolution in the ledger; returns the balance the ledger then shows. */
  async resolveDispute(resolution: DisputeResolved): Promise<number> {
    const memory = this.invoice.memory;
    const dispute = memory.dispute!;
    const { openMinor } = await ledger.resolveDispute({
      id: dispute.id,
      invoiceNumber: memory.invoiceNumber,
      outcome: resolution.outcome,
      creditMinor: resolution.creditMinor,
      currency: memory.currency,
      by: resolution.by,
      note: resolution.note,
    });
    return openMinor;
  }

  /** Waits for a person's decision on `pending`, escalating once if it lingers. */
  async awaitDecision(pending: PendingProposal): Promise<void> {
    const invoice = this.invoice;
    const policy = invoice.policy!;
    const hours = policy.proposalEscalationHours;
    const settled = () => invoice.isSettled(pending);
    if (!(await condition(settled, `${hours} hours`, { summary: `await decision on ${pending.view.id}` }))) {
      await withSummary('escalateProposal', `escalate ${pending.view.id} to ${policy.owners.approvals}`, {
        id: pending.view.id,
        ...this.ids,
        owner: policy.owners.approvals,
        pendingHours: hours,
      });
      pending.view.escalated = true;
      invoice.note(now(), 'proposal_escalated', `${pending.view.id} undecided after ${hours}h; escalated to ${policy.owners.approvals}`);
      this.publish();
      await condition(settled);
    }
    invoice.settle(pending);
    if (pending.closedAs) {
      const why = pending.closedReason ?? pending.closedAs;
      await this.resolve(`${pending.closedAs}: ${why}`, {
        id: pending.view.id,
        ...this.ids,
        policyVersion: pending.view.policyVersion,
        resolution: { status: pending.closedAs, note: why },
      });
    } else if (!pending.decision && invoice.isClosed) {
      await (this.localDecisionRows ? localLedger : ledger).resolveProposal({
        id: pending.view.id,
        ...this.ids,
        policyVersion: pending.view.policyVersion,
        resolution: { status: 'withdrawn', note: `invoice ${invoice.memory.status}` },
      });
    }
  }

  /** Hands an approved reminder to outreach and waits until it is delivered or no longer needed. */
  async deliver(request: ReminderRequest, approval: PendingProposal | null): Promise<ReminderDelivered['status'] | 'withdrawn'> {
    const invoice = this.invoice;
    const memory = invoice.memory;
    const write = this.unwritten(approval);
    if (this.lean) return this.handOverAndAwait(request, approval);
    await withSummary('requestReminder', `hand "${request.subject}" to outreach-${memory.customerId} (approved by ${request.approvedBy})`, {
      customerId: memory.customerId,
      request,
      ...(write && approval ? { resolution: this.resolutionRecord(approval, write.message) } : {}),
    });
    if (write) write.written = true;
    // Approved and with outreach, not yet delivered: the stage says so (runs on 'honest-stage' code only).
    invoice.queued = { stepKey: request.requestId.slice(invoice.workflowId.length + 1) };
    if (invoice.honestStage) this.publish();
    await condition(() => this.delivered.has(request.requestId) || invoice.deliveryMoot);
    invoice.queued = null;
    const delivery = this.delivered.get(request.requestId);
    if (delivery) return this.recordDelivery(request, delivery);
    await ledger.withdrawReminder({ customerId: memory.customerId, requestId: request.requestId });
    invoice.note(now(), 'reminder_withdrawn', `${request.requestId}: no longer needed (${memory.status})`);
    return 'withdrawn';
  }

  /**
   * 'lean-lifecycle': the hand-over's activity answers with the delivery (outreach completes it),
   * or the signal does (the fallback), or the reminder is no longer needed and the activity is
   * cancelled and the request withdrawn.
   */
  private async handOverAndAwait(
    request: ReminderRequest,
    approval: PendingProposal | null,
  ): Promise<ReminderDelivered['status'] | 'withdrawn'> {
    const invoice = this.invoice;
    const memory = invoice.memory;
    // Any decision's row was written with the re-read before this; one not yet written goes now.
    if (approval) await this.writeDecision(approval);
    let failed: unknown = null;
    // Metadata, not a command: histories with the older wording replay the same.
    const summary = `deliver "${request.subject}" at once, or through outreach-${memory.customerId} if it must wait (approved by ${request.approvedBy})`;
    // A known id, so a withdrawal can complete it (no cancel command racing the answer).
    const activityId = this.handOverId(request);
    const handed = (
      handOver.awaitReminderDelivery as unknown as {
        executeWithOptions(o: { summary: string; activityId: string }, a: unknown[]): Promise<HandOverAnswer>;
      }
    ).executeWithOptions({ summary, activityId }, [{ customerId: memory.customerId, request }]);
    // Queued there: the delivery comes later as the reminderDelivered signal.
    let answered = false;
    handed.then(
      (answer) => {
        answered = true;
        this.invoice.handingOver = false;
        if (!('queued' in answer)) this.delivered.set(answer.requestId, answer);
      },
      (err) => {
        failed = err;
        this.invoice.handingOver = false;
      },
    );
    // Approved and with outreach, not yet delivered: published in the task that hands it over, or
    // ('publish-on-hand-over-answer') once the hand-over answers, unless that answer is the delivery.
    invoice.queued = { stepKey: request.requestId.slice(invoice.workflowId.length + 1) };
    invoice.handingOver = !answered;
    if (!this.publishOnAnswer) this.publish();
    else {
      await condition(() => answered || failed !== null || invoice.deliveryMoot);
      if (!this.delivered.has(request.requestId)) this.publish();
    }
    await condition(() => this.delivered.has(request.requestId) || invoice.deliveryMoot || failed !== null);
    invoice.queued = null;
    const delivery = this.delivered.get(request.requestId);
    if (delivery) return this.recordDelivery(request, delivery);
    if (!invoice.deliveryMoot) throw failed;
    // Still open when no longer needed: the withdrawal completes it, so no retry hands over a
    // reminder the invoice no longer wants.
    const open = answered || failed !== null ? {} : { handOverActivityId: activityId };
    await ledger.withdrawReminder({ customerId: memory.customerId, requestId: request.requestId, ...open });
    invoice.note(now(), 'reminder_withdrawn', `${request.requestId}: no longer needed (${memory.status})`);
    return 'withdrawn';
  }

  private handOverId(request: ReminderRequest): string {
    return `hand-over/${request.requestId.slice(this.invoice.workflowId.length + 1)}`;
  }

  /** What a delivery does to the case (synchronous: the paths that return it keep their ticks). */
  private recordDelivery(request: ReminderRequest, delivery: ReminderDelivered): ReminderDelivered['status'] {
    const invoice = this.invoice;
    const memory = invoice.memory;
    // 'stale' (nothing sent: the quoted balance changed) exists only in histories with outreach's
    // deliver-checks-quoted-balance patch, so older histories take the same path as before.
    if (delivery.status !== 'suppressed' && delivery.status !== 'stale') {
      memory.remindersSent++;
      memory.lastContactDate = invoice.today(now());
    }
    invoice.note(
      now(),
      `reminder_${delivery.status}`,
      `${request.subject} (${delivery.detail}${delivery.batchedWith.length ? `; with ${delivery.batchedWith.join(', ')}` : ''})`,
      request.approvedBy,
    );
    return delivery.status;
  }

  private auditEntry(key: string, action: string, reasoning: string, extra: AuditExtra): AuditEntry {
    return { idempotencyKey: `${this.invoice.workflowId}/${key}`, ...this.ids, action, actor: 'system', reasoning, ...extra };
  }

  private async audit(key: string, action: string, reasoning: string, extra: AuditExtra): Promise<void> {
    await ledger.recordAudit(this.auditEntry(key, action, reasoning, extra));
  }

  /** One dunning step: re-read, skip or draft, gate, propose or act, deliver. */
  async runStep(step: DunningStep, passedOver: DunningStep[]): Promise<void> {
    const invoice = this.invoice;
    const memory = invoice.memory;
    // A read made at this same instant (the start of a late invoice, the loop's check of the policy
    // version) is fresh enough: no second read. Histories recorded before this change read twice;
    // patched() keeps them replaying.
    // (has() is asked only when there is such a read, as it always was: patched() is not asked anew.)
    const context = this.lastRead?.at === Date.now() && this.has('reuse-same-instant-read') ? this.lastRead.context : await this.refresh();
    if (invoice.isClosed) return;
    const policy = context.policy;
    const stepKey = step.key;
    const markDone = () => invoice.markStepDone(step, passedOver);
    const skip = invoice.skipReason(context);
    if (skip) {
      // A hand-off notice that must not be sent gives way to the hand-off, skipped as it always was: a person takes over.
      const skipped = invoice.handoffFor(step) ?? step;
      invoice.markStepDone(skipped, passedOver);
      invoice.note(now(), 'step_skipped', `${skipped.key}: ${skip}`);
      await this.audit(`${skipped.key}/skipped`, 'step_skipped', skip, { policyVersion: policy.version });
      return;
    }
    if (step.kind === 'handoff') {
      markDone();
      memory.status = 'handed_off';
      const reason = `${memory.remindersSent} reminder(s) sent, last on ${memory.lastContactDate ?? 'never'}; ${toDecimal(memory.openMinor, memory.currency)} ${memory.currency} still open; handed to ${policy.owners.collections} with the full history`;
      invoice.note(now(), 'handed_off', reason);
      await this.audit(`${stepKey}/handoff`, 'handed_off', reason, {
        policyVersion: policy.version,
        details: { owner: policy.owners.collections, actions: memory.actions.slice(-20) },
      });
      return;
    }
    const today = invoice.today(now());
    let basis = invoice.draftBasis(context);
    const tone = effectiveTone(step, memory.remindersSent > 0);
    const draftFrom = (b: DraftBasis, on: string) =>
      draftReminder({ customerName: b.customerName, contactName: b.contactName, locale: b.locale, tone, today: on, invoices: [b.invoice] });
    const draft = draftFrom(basis, today);
    const reasoning = explainStep({
      step: { ...step, tone },
      ladder: invoice.ladder(policy),
      tier: memory.tier,
      today,
      dueDate: memory.dueDate,
      currency: memory.currency,
      amountMinor: memory.amountMinor,
      openMinor: memory.openMinor,
      locale: memory.locale,
      remindersSent: memory.remindersSent,
      lastContactDate: memory.lastContactDate,
      passedOver,
      promiseMissed: memory.promiseMissed,
      beforeHandoff: isHandoffNotice(stepKey),
    });
    const gateInput = {
      action: 'reminder' as const,
      tier: memory.tier,
      segment: memory.segment,
      currency: memory.currency,
      amountMinor: memory.openMinor,
      noTouch: false,
      riskScore: context.customer.riskScore,
    };
    const gate = autonomyGate(gateInput, policy.autonomy);
    // An autonomous action names the rollout phase and scope that let it act (histories from before keep the old name).
    let approvedBy =
      gate.mode === 'autonomous' && this.has('rollout-phase-approver')
        ? `autonomy:policy-v${policy.version}:phase-${policy.rollout?.phase ?? 0}:${gate.scopeId ?? 'unnamed'}:autonomous`
        : `autonomy:policy-v${policy.version}`;
    let subject = draft.subject;
    let body = draft.body;
    let edited = false;
    /** The approval whose row goes with the hand-over ('one-write-decisions'). */
    let approval: PendingProposal | null = null;
    if (gate.mode === 'supervised') {
      // A superseded proposal (partial payment) is re-drafted under a new id: ids are never reused.
      const id = invoice.proposalIds.next(stepKey);
      const pending = invoice.propose({
        view: {
          id,
          stepKey,
          tone,
          subject,
          body,
          reasoning,
          policyVersion: policy.version,
          proposedAt: now().toISOString(),
          escalated: false,
        },
        actionKind: 'reminder',
      });
      // A local activity on 'lean-lifecycle': the row exists before the task that drafted it is
      // durable. A task retried on another course (a payment in between) leaves that row behind;
      // the next proposal or the close of this invoice withdraws any pending row it does not hold.
      const call = this.lean ? localCall : withSummary;
      await call('recordProposal', `propose "${subject}" — ${reasoning}`, {
        id,
        ...this.ids,
        actionKind: 'reminder',
        stepKey,
        tone,
        subject,
        body,
        reasoning: `${reasoning}. Gate: ${gate.reason}`,
        policyVersion: policy.version,
        currency: memory.currency,
        amountMinor: memory.openMinor,
        // Shadow mode: the scope under which the system would have sent this draft itself (pure, no command).
        shadowScope: shadowChoice(gateInput, policy.autonomy)?.scopeId ?? null,
      });
      memory.status = 'awaiting_approval';
      invoice.note(now(), 'proposal_created', `${id}: ${subject}`);
      this.publish();
      await this.awaitDecision(pending);
      invoice.clearPending();
      // Every path from here publishes the state it settles in once the decision's row is written
      // (with the hand-over, or on its own), so the attributes never run ahead of the database.
      if (!this.settledPublish) this.publish();
      if (pending.closedAs === 'superseded') return; // re-planned: the same step is drafted again
      if (!pending.decision) {
        // Withdrawn: the step is done (a "promise missed" one too: re-proposing it would reuse its id).
        markDone();
        return;
      }
      if (pending.decision.decision === 'reject') {
        markDone();
        invoice.markRejected(now(), stepKey);
        invoice.note(now(), 'proposal_rejected', `${id}: ${pending.decision.reason}`, pending.decision.by);
        await this.writeDecision(pending);
        return;
      }
      approval = pending;
      approvedBy = pending.decision.by;
      subject = pending.decision.edits?.subject ?? subject;
      body = pending.decision.edits?.body ?? body;
      edited = !!pending.decision.edits;
      invoice.note(now(), 'proposal_approved', `${id}${edited ? ' (edited)' : ''}`, approvedBy);
      // A decision can come days after the draft: read the ledger again before anything is sent.
      if (this.has('reread-before-delivery')) {
        // On 'lean-lifecycle' the decision's row is written in the same local activity as this
        // re-read, so the decision's Update answers in the task that took it.
        const write = this.lean ? this.unwritten(pending) : null;
        const fresh = await this.refresh(write ? this.resolutionRecord(pending, write.message) : undefined);
        if (write) write.written = true;
        const stop = invoice.stopReason(fresh);
        if (stop) {
          await this.writeDecision(pending);
          markDone();
          invoice.handoffNoticeUndeliverable(step);
          invoice.note(now(), 'step_skipped', `${stepKey}: approved, but not sent: ${stop}`);
          await this.audit(`${stepKey}/not-sent`, 'step_skipped', `approved by ${approvedBy}, but not sent: ${stop}`, {
            policyVersion: fresh.policy.version,
            approvedBy,
          });
          return;
        }
        // The ledger may have changed what the draft says without a message (an import): a new
        // balance goes back to a person, other details are re-drafted (defect 9d).
        if (this.has('redraft-after-reread')) {
          const current = invoice.draftBasis(fresh);
          const change = invoice.draftChange(basis, current);
          if (change?.kind === 'amount') {
            await this.writeDecision(pending);
            invoice.supersedeApproved(pending, change.detail, now());
            await this.audit(`${id}/redrafted`, 'proposal_redrafted', `approved by ${approvedBy}, but not sent: ${change.detail}`, {
              policyVersion: fresh.policy.version,
              approvedBy,
            });
            return; // re-planned: the same step is drafted again under a new id
          }
          if (change) {
            basis = current;
            if (!edited) ({ subject, body } = draftFrom(basis, invoice.today(now())));
            invoice.note(now(), 'reminder_redrafted', `${id}: ${change.detail}${edited ? '; the approved edits are sent as written' : ''}`);
          }
        }
      }
    } else {
      invoice.note(now(), 'autonomous', `${stepKey}: ${gate.reason}`);
    }
    markDone();
    const delivered = await this.deliver(
      {
        requestId: invoice.reminderRequestId(stepKey),
        invoiceWorkflowId: invoice.workflowId,
        invoiceNumber: memory.invoiceNumber,
        invoice: basis.invoice,
        customerName: basis.customerName,
        contactName: basis.contactName,
        locale: basis.locale,
        tone,
        subject,
        body,
        reasoning,
        policyVersion: policy.version,
        approvedBy,
        edited,
      },
      approval,
    );
    if (delivered === 'suppressed') invoice.handoffNoticeUndeliverable(step);
    if (delivered === 'stale' && this.has('redraft-stale-quote')) {
      const why = this.delivered.get(invoice.reminderRequestId(stepKey))?.detail ?? 'the balance changed';
      invoice.reopenStaleStep(stepKey, why, now());
    }
  }

  /** A write-off asked for by a dispute resolution: always a person's decision. */
  async proposeWriteOff(request: { disputeId: string; reason: string; requestedBy: string }): Promise<void> {
    const invoice = this.invoice;
    const memory = invoice.memory;
    const policy = invoice.policy ?? (await this.refresh()).policy;
    const id = `${invoice.workflowId}/write-off-${request.disputeId}`;
    const reasoning = `dispute ${request.disputeId} resolved as a write-off by ${request.requestedBy}: ${request.reason}; ${memory.openMinor} ${memory.currency} would be written off`;
    const subject = `Write off ${memory.invoiceNumber}`;
    const pending = invoice.propose({
      view: {
        id,
        stepKey: 'write-off',
        tone: 'final',
        subject,
        body: reasoning,
        reasoning,
        policyVersion: policy.version,
        proposedAt: now().toISOString(),
        escalated: false,
      },
      actionKind: 'write_off',
    });
    await withSummary('recordProposal', `propose write-off of ${toDecimal(memory.openMinor, memory.currency)} ${memory.currency}`, {
      id,
      ...this.ids,
      actionKind: 'write_off',
      stepKey: 'write-off',
      tone: 'final',
      subject,
      body: reasoning,
      reasoning,
      policyVersion: policy.version,
      currency: memory.currency,
      amountMinor: memory.openMinor,
    });
    invoice.note(now(), 'proposal_created', `${id}: write-off`);
    this.publish();
    await this.awaitDecision(pending);
    await this.writeDecision(pending);
    if (pending.decision?.decision === 'approve') {
      invoice.pending = null;
      invoice.writeOffRequested = null;
      await ledger.writeOff({
        id: `write-off-${memory.invoiceNumber}-${request.disputeId}`,
        invoiceNumber: memory.invoiceNumber,
        disputeId: request.disputeId,
        amountMinor: memory.openMinor,
        currency: memory.currency,
        reason: request.reason,
        approvedBy: pending.decision.by,
      });
    }
    invoice.settleWriteOff(pending, now());
  }

  /** Promise date plus grace has passed: kept, partly kept, or broken. */
  async checkPromise(): Promise<void> {
    const invoice = this.invoice;
    const promise = invoice.memory.promise!;
    await this.refresh();
    if (invoice.isClosed) {
      await ledger.closePromise({ id: promise.id, status: 'kept' });
      invoice.memory.promise = null;
      return;
    }
    const outcome = invoice.promiseOutcome();
    await ledger.closePromise({ id: promise.id, status: outcome.kind });
    invoice.settlePromise(outcome, now());
  }

  /** The ladder ran out: a person takes over. */
  async finishLadder(): Promise<void> {
    const { owner, reason } = this.invoice.finishLadder(now());
    await this.audit('ladder-finished/handoff', 'handed_off', reason, {
      policyVersion: this.invoice.memory.policyVersion,
      details: { owner, actions: this.invoice.memory.actions.slice(-20) },
    });
  }

  async escalateDispute(): Promise<void> {
    const dispute = this.invoice.memory.dispute!;
    this.invoice.escalateDispute(now());
    await this.audit(
      `dispute-${dispute.id}/escalated`,
      'dispute_escalated',
      `dispute ${dispute.id} unresolved at its deadline ${dispute.deadline}`,
      { details: { owner: dispute.owner } },
    );
  }

  /** Closing: confirm a payment in the ledger, settle a promise in hold, record the close. */
  async close(): Promise<void> {
    const invoice = this.invoice;
    const memory = invoice.memory;
    invoice.nextStep = null;
    const closing = {
      key: 'closed',
      action: 'invoice_closed',
      reasoning: `closed as ${memory.status}; ${memory.remindersSent} reminder(s) sent`,
      extra: { policyVersion: memory.policyVersion },
    };
    // With no promise to settle in between, the close's audit entry goes with the ledger check: one activity ('one-write-decisions').
    const auditWithCheck = this.oneWrite && memory.status === 'paid' && !memory.promise;
    if (memory.status === 'paid') {
      const check = {
        invoiceNumber: memory.invoiceNumber,
        workflowId: invoice.workflowId,
        ...(auditWithCheck ? { closingAudit: this.auditEntry(closing.key, closing.action, closing.reasoning, closing.extra) } : {}),
      };
      // A local activity on 'lean-lifecycle': the invoice is closed whatever a retried task brings.
      const { ledgerOpenMinor } = this.lean
        ? await localCall('confirmPaidInLedger', `confirm ${memory.invoiceNumber} paid in the ledger and record the close`, check)
        : await ledger.confirmPaidInLedger(check);
      if (ledgerOpenMinor > 0)
        invoice.note(
          now(),
          'ledger_mismatch',
          `the ledger still shows ${ledgerOpenMinor} ${memory.currency} open; a person must reconcile`,
        );
    }
    if (memory.promise) {
      // Closed during a promise's hold (paid in full, or closed in the ledger): settled as checkPromise does.
      await ledger.closePromise({ id: memory.promise.id, status: 'kept' });
      if (memory.status === 'paid') invoice.note(now(), 'promise_kept', `paid in full before ${memory.promise.holdUntil}`);
      memory.promise = null;
    }
    if (!auditWithCheck && this.lean)
      await localCall(
        'recordAudit',
        `record the close: ${closing.reasoning}`,
        this.auditEntry(closing.key, closing.action, closing.reasoning, closing.extra),
      );
    else if (!auditWithCheck) await this.audit(closing.key, closing.action, closing.reasoning, closing.extra);
    invoice.note(now(), 'closed', memory.status);
    this.publish();
  }
}
