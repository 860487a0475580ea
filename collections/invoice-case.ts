/**
 * One invoice's case, as a collector keeps it: the memory carried through continue-as-new, the
 * proposal awaiting a person, the rules that refuse a message, and what to do next.
 * Pure: no Temporal import, no clock (time comes in as `now`), so every rule has a fast unit test.
 * The workflow (workflow.ts) wires messages to these methods and runs the activities.
 */
import { addDays, localParts } from '../domain/calendar';
import type { DraftInvoice } from '../domain/drafting';
import type { DunningStep, Policy } from '../domain/policy';
import type { InvoiceContext } from './activities';
import { dunningStage, isHandoffNotice } from './dunning';
import { nextAction, type NextAction, type PlanningPatches } from './next-action';
import type { Decision, DisputeOpened, DisputeResolved, Pause, PaymentApplied, PromiseToPay, Resume } from './message-schemas';
import type { ActionEntry, InvoiceStateView } from './messages';
import { blankMemory, recordAction, toView, type InvoiceMemory, type PendingProposal, type WriteOffRequest } from './invoice-state';
import { InvoiceRefusals } from './invoice-refusals';
import { ProposalIds } from './proposal';

export { blankMemory, type InvoiceMemory, type PendingProposal, type WriteOffRequest } from './invoice-state';
export type { NextAction } from './next-action';

const TERMINAL = new Set(['paid', 'written_off', 'closed']);

export interface DraftBasis {
  invoice: DraftInvoice;
  customerName: string;
  contactName: string | null;
  locale: string;
}

export type DraftChange = { kind: 'amount' | 'details'; detail: string };

export type PromiseOutcome = { kind: 'kept'; paidSince: number } | { kind: 'broken'; paidSince: number };

export class InvoiceCase extends InvoiceRefusals {
  pending: PendingProposal | null = null;
  policy: Policy | null = null;
  /** The customer's holidays and closing days ahead, from the last read (none in results recorded before they existed). */
  holidays: ReadonlySet<string> = new Set();
  nextStep: { key: string; at: string } | null = null;
  writeOffRequested: WriteOffRequest | null = null;
  /**
   * Runs started on code that tells the stage as it is (patched 'honest-stage' at the start): an
   * approved step waiting in outreach shows "(approved, queued)", a rejected one is not shown done.
   */
  honestStage = false;
  /** The approved step handed to outreach and not yet delivered. */
  queued: { stepKey: string } | null = null;
  /**
   * 'lean-lifecycle': the hand-over to outreach is scheduled and outreach has not answered yet, so
   * its request may still be on its way: the step still shows in progress (outreach's batch window
   * counts it as due now, as it did while the hand-over activity ran).
   */
  handingOver = false;
  /** The step the loop is working now (state for queries only: no command depends on it). */
  runningStep: string | null = null;
  /** Recently settled proposals, so a late second decision is told who decided, not just "stale". */
  readonly settledProposals = new Map<string, string>();
  readonly proposalIds: ProposalIds;

  constructor(
    readonly workflowId: string,
    readonly memory: InvoiceMemory,
    /** False until the first ledger read: messages that depend on the balance wait for it. */
    public loaded: boolean,
  ) {
    super();
    this.proposalIds = new ProposalIds(workflowId, memory);
  }

  static start(input: { workflowId: string; invoiceNumber: string; customerId: string; carried?: InvoiceMemory }): InvoiceCase {
    return new InvoiceCase(input.workflowId, input.carried ?? blankMemory(input.invoiceNumber, input.customerId), !!input.carried);
  }

  get isClosed(): boolean {
    return TERMINAL.has(this.memory.status);
  }

  today(now: Date): string {
    return localParts(now, this.memory.timezone).date;
  }

  ladder(policy: Policy): DunningStep[] {
    return policy.ladders[this.memory.tier as keyof Policy['ladders']] ?? policy.ladders.standard;
  }

  note(now: Date, kind: string, detail: string, by?: string): void {
    recordAction(this.memory, { at: now.toISOString(), kind, detail, by });
  }

  get actions(): ActionEntry[] {
    return this.memory.actions;
  }

  stage(): string {
    const pending = this.pending;
    if (pending && !pending.closedAs)
      return `${pending.view.stepKey} (${pending.decision ? (pending.decision.decision === 'approve' ? 'approved' : 'rejected') : 'proposed'})`;
    if (this.honestStage && this.queued) return `${this.queued.stepKey} (approved, queued)`;
    const stage = this.policy
      ? dunningStage(this.ladder(this.policy), this.memory.doneStepKeys)
      : (this.memory.doneStepKeys[this.memory.doneStepKeys.length - 1] ?? 'not-started');
    return this.honestStage && this.memory.rejectedStepKeys?.includes(stage) ? `${stage} (rejected)` : stage;
  }

  view(): InvoiceStateView {
    const inProgress = this.runningStep && (!this.queued || this.handingOver) ? { key: this.runningStep } : null;
    return toView(this.memory, this.stage(), this.nextStep, this.pending, inProgress);
  }

  // ---- reading the ledger ------------------------------------------------------------------

  /**
   * Adopts what a ledger read says: the ledger is the system of record for the balance.
   * Returns true when the customer's tier changed since an earlier read (not at the first read).
   */
  adoptLedgerRead(context: InvoiceContext): boolean {
    const memory = this.memory;
    const tierChanged = this.loaded && memory.tier !== context.customer.tier;
    this.policy = context.policy;
    this.holidays = new Set(context.holidays ?? []);
    memory.policyVersion = context.policy.version;
    memory.tier = context.customer.tier;
    memory.segment = context.customer.segment;
    memory.timezone = context.customer.timezone;
    memory.locale = context.customer.locale;
    memory.customerName = context.customer.name;
    memory.openMinor = context.invoice.openMinor;
    this.adoptStepAliases(context.policy.stepAliases);
    if (!this.isClosed) {
      if (context.invoice.status === 'paid' || context.invoice.openMinor === 0) memory.status = 'paid';
      else if (context.invoice.status === 'written_off') memory.status = 'written_off';
      else if (context.invoice.status === 'void') memory.status = 'closed';
    }
    return tierChanged;
  }

  /**
   * A policy that renamed or removed steps names their successors (stepAliases): a step done under
   * its old key counts as done under the new one, so it is not sent again. Reads recorded before
   * aliases existed carry none.
   */
  private adoptStepAliases(aliases: Readonly<Record<string, string>> | undefined): void {
    const done = this.memory.doneStepKeys;
    for (const [from, to] of Object.entries(aliases ?? {})) {
      if (done.includes(from) && !done.includes(to)) done.push(to);
      if (this.memory.rejectedStepKeys?.includes(from) && !this.memory.rejectedStepKeys.includes(to)) this.memory.rejectedStepKeys.push(to);
    }
  }

  /** The first read of a new workflow fills in the invoice and adopts an open dispute. */
  adoptFirstRead(context: InvoiceContext, now: Date): void {
    const memory = this.memory;
    memory.currency = context.invoice.currency;
    memory.amountMinor = context.invoice.amountMinor;
    memory.dueDate = context.invoice.dueDate;
    if (context.invoice.status === 'void') memory.status = 'closed';
    this.loaded = true;
    if (context.openDispute) {
      const dispute = context.openDispute;
      memory.dispute = {
        id: dispute.id,
        reason: dispute.reason,
        owner: dispute.owner ?? context.policy.owners.disputes,
        deadline: dispute.deadline ?? addDays(this.today(now), context.policy.disputeDeadlineDays),
        escalated: false,
      };
      memory.status = 'disputed';
      this.note(now, 'dispute_adopted', `the ledger has open dispute ${dispute.id} (${dispute.reason}); dunning waits for its resolution`);
    }
  }

  /** Why this step must not reach the customer now, or null to go ahead. */
  skipReason(context: InvoiceContext): string | null {
    const memory = this.memory;
    const policy = context.policy;
    if (context.customer.noTouch || policy.noTouch.customers.includes(memory.customerId)) return 'no-touch customer';
    if (context.invoice.noTouch || policy.noTouch.invoices.includes(memory.invoiceNumber)) return 'no-touch invoice';
    const minimum = policy.minimumChaseMinor[memory.currency] ?? 0;
    if (memory.openMinor < minimum)
      return `open balance ${memory.openMinor} is below the minimum worth chasing (${minimum} ${memory.currency})`;
    if (context.invoice.status === 'disputed') return 'disputed in the ledger';
    return null;
  }

  /** After an approval, a fresh read may still stop the send. */
  stopReason(context: InvoiceContext): string | null {
    return this.isClosed ? `the invoice is ${this.memory.status}` : this.skipReason(context);
  }

  /** What a reminder was drafted from: the invoice lines and who it greets, in which locale. */
  draftBasis(context: InvoiceContext): DraftBasis {
    const memory = this.memory;
    return {
      invoice: {
        number: memory.invoiceNumber,
        currency: memory.currency,
        openMinor: memory.openMinor,
        amountMinor: memory.amountMinor,
        dueDate: memory.dueDate,
        poNumber: context.invoice.poNumber,
      },
      customerName: context.customer.name,
      contactName: context.customer.contactName,
      locale: context.customer.locale,
    };
  }

  /**
   * After an approval and a fresh read: did the ledger change what the draft says? A new balance
   * (an import, a payment posted without a paymentApplied message) needs a person's decision again;
   * other details (PO number, contact, name, locale) are re-drafted. Null when nothing changed.
   */
  draftChange(drafted: DraftBasis, fresh: DraftBasis): DraftChange | null {
    if (drafted.invoice.openMinor !== fresh.invoice.openMinor)
      return { kind: 'amount', detail: `the ledger now shows ${fresh.invoice.openMinor} open, not ${drafted.invoice.openMinor}` };
    const changed = [
      (drafted.invoice.poNumber ?? null) !== (fresh.invoice.poNumber ?? null) ? 'PO number' : null,
      drafted.customerName !== fresh.customerName ? 'customer name' : null,
      drafted.contactName !== fresh.contactName ? 'contact' : null,
      drafted.locale !== fresh.locale ? 'locale' : null,
    ].filter((c): c is string => c !== null);
    return changed.length ? { kind: 'details', detail: `the ledger changed the ${changed.join(', ')}` } : null;
  }

  /**
   * Outreach handed an approved reminder back unsent: the balance it quotes changed in the ledger
   * while it waited in the queue. The step is open again and drafted afresh (a new proposal id, a
   * new request id), so a supervised step goes back to a person with the new amount.
   */
  reopenStaleStep(stepKey: string, why: string, now: Date): void {
    const memory = this.memory;
    const i = memory.doneStepKeys.lastIndexOf(stepKey);
    if (i >= 0) memory.doneStepKeys.splice(i, 1);
    memory.staleQuotes = { ...memory.staleQuotes, [stepKey]: (memory.staleQuotes?.[stepKey] ?? 0) + 1 };
    this.proposalIds.superseded(stepKey);
    this.note(now, 'step_reopened', `${stepKey}: approved, but not sent: ${why}; drafted again`);
  }

  /** The request id of the step's next hand-off to outreach: new after each stale hand-back. */
  reminderRequestId(stepKey: string): string {
    const n = this.memory.staleQuotes?.[stepKey] ?? 0;
    return `${this.workflowId}/${stepKey}${n ? `/q${n}` : ''}`;
  }

  /** An approved draft quotes a balance the ledger no longer shows: the step is drafted again, under a new id. */
  supersedeApproved(pending: PendingProposal, why: string, now: Date): void {
    this.proposalIds.superseded(pending.view.stepKey);
    this.note(now, 'proposal_redrafted', `${pending.view.id}: approved, but not sent: ${why}; a fresh draft goes to a person`);
  }

  // ---- proposals ---------------------------------------------------------------------------

  /** Makes a pending proposal moot (nothing will be sent for it); the reason stays on the proposal. */
  closePending(now: Date, as: 'superseded' | 'withdrawn', why: string): void {
    const pending = this.pending;
    if (pending && !pending.decision && !pending.closedAs) {
      if (as === 'superseded') this.proposalIds.superseded(pending.view.stepKey);
      pending.closedAs = as;
      pending.closedReason = `${pending.view.id}: ${why}`;
      this.note(now, `proposal_${as}`, pending.closedReason);
    }
  }

  propose(proposal: Omit<PendingProposal, 'decision' | 'closedAs' | 'closedReason'>): PendingProposal {
    this.pending = { ...proposal, decision: null, closedAs: null, closedReason: null };
    return this.pending;
  }

  /** Marks the decision before any await, so a concurrent second decision is refused. */
  decide(decision: Decision): PendingProposal {
    const pending = this.pending!;
    pending.decision = {
      decision: decision.decision,
      by: decision.by,
      note: decision.note,
      reason: decision.reason,
      edits: decision.edits,
    };
    return pending;
  }

  isSettled(pending: PendingProposal): boolean {
    return pending.decision !== null || pending.closedAs !== null || this.isClosed;
  }

  /** Remembers how a proposal ended, for late decisions. */
  settle(pending: PendingProposal): void {
    const decided = pending.decision;
    this.settledProposals.set(
      pending.view.id,
      decided
        ? `${decided.decision === 'approve' ? 'approved' : 'rejected'} by ${decided.by}`
        : (pending.closedAs ?? `withdrawn (invoice ${this.memory.status})`),
    );
    if (this.settledProposals.size > 20) this.settledProposals.delete(this.settledProposals.keys().next().value!);
  }

  /** The proposal is done with (decided or closed): the loop goes on without it. */
  clearPending(): void {
    this.pending = null;
    if (this.memory.status === 'awaiting_approval') this.memory.status = 'open';
  }

  /** A step whose activities failed: its proposal (if any) is dropped without a note. */
  dropPendingAfterFailure(): void {
    const stuck = this.pending;
    if (stuck && !stuck.decision) stuck.closedAs = 'superseded';
    this.clearPending();
  }

  /** The step is settled (sent, rejected, withdrawn or skipped): never planned again, and a broken promise's reminder is spent. */
  markStepDone(step: DunningStep, passedOver: readonly DunningStep[]): void {
    this.memory.doneStepKeys.push(step.key, ...passedOver.map((s) => s.key));
    this.memory.promiseMissed = null;
  }

  /** A person rejected the draft of `step`: no contact was made, and the next draft waits for another day. */
  markRejected(now: Date, stepKey?: string): void {
    this.memory.lastRejectedOn = this.today(now);
    if (stepKey) (this.memory.rejectedStepKeys ??= []).push(stepKey);
  }

  /** The ladder's hand-off step when `step` is a hand-off notice standing in for it, else null. */
  handoffFor(step: DunningStep): DunningStep | null {
    if (!isHandoffNotice(step.key) || !this.policy) return null;
    return this.ladder(this.policy).find((s) => s.kind === 'handoff') ?? null;
  }

  /**
   * A hand-off notice that was approved but not sent (no-touch since, no email address): waiting
   * for contact would never end, so the hand-off is settled too and a person takes over.
   */
  handoffNoticeUndeliverable(step: DunningStep): void {
    const handoff = this.handoffFor(step);
    if (handoff && !this.memory.doneStepKeys.includes(handoff.key)) this.memory.doneStepKeys.push(handoff.key);
  }

  // ---- transitions from messages -----------------------------------------------------------

  isNewPayment(paymentId: string): boolean {
    return !this.memory.seenPaymentIds.includes(paymentId);
  }

  rememberPayment(paymentId: string): void {
    this.memory.seenPaymentIds.push(paymentId);
    if (this.memory.seenPaymentIds.length > 200) this.memory.seenPaymentIds.shift();
  }

  /**
   * A new payment, after rememberPayment and (when the ledger already holds it) a re-read.
   * `subtract` is for histories from before the balance was read from the ledger.
   */
  applyPayment(payment: PaymentApplied, now: Date, options: { subtract: boolean }): void {
    const memory = this.memory;
    if (options.subtract) memory.openMinor = Math.max(0, memory.openMinor - payment.amountMinor);
    this.note(
      now,
      'payment_applied',
      `${payment.paymentId}: ${payment.amountMinor} ${payment.currency}; ${memory.openMinor} open`,
      payment.by,
    );
    if (memory.openMinor === 0) {
      memory.status = 'paid';
      this.closePending(now, 'withdrawn', 'the invoice was paid in full');
    } else {
      // The draft quotes the old balance: a partly paid invoice gets a fresh draft.
      this.closePending(now, 'superseded', 'a partial payment changed the amount due');
    }
  }

  logPromise(promise: PromiseToPay, now: Date): void {
    const memory = this.memory;
    const hold = this.policy?.promiseGraceDays ?? 3;
    memory.promise = {
      id: promise.promiseId,
      date: promise.date,
      amountMinor: promise.amountMinor ?? null,
      holdUntil: addDays(promise.date, hold),
      openAtPromise: memory.openMinor,
    };
    memory.promiseMissed = null;
    memory.status = 'promised';
    this.closePending(now, 'superseded', `promise to pay by ${promise.date}`);
    this.note(
      now,
      'promise_logged',
      `pay by ${promise.date}${promise.amountMinor ? ` (${promise.amountMinor} ${memory.currency})` : ''}; dunning holds until ${memory.promise.holdUntil}`,
      promise.by,
    );
  }

  /** Promise date plus grace has passed, after a fresh read: kept (enough paid since) or broken. */
  promiseOutcome(): PromiseOutcome {
    const promise = this.memory.promise!;
    const paidSince = promise.openAtPromise - this.memory.openMinor;
    const kept = promise.amountMinor !== null ? paidSince >= promise.amountMinor : false;
    return kept ? { kind: 'kept', paidSince } : { kind: 'broken', paidSince };
  }

  settlePromise(outcome: PromiseOutcome, now: Date): void {
    const memory = this.memory;
    const promise = memory.promise!;
    memory.promise = null;
    memory.status = 'open';
    if (outcome.kind === 'kept') {
      this.note(now, 'promise_kept', `${outcome.paidSince} ${memory.currency} paid since the promise; ${memory.openMinor} still open`);
    } else {
      memory.promiseMissed = { id: promise.id, date: promise.date };
      this.note(
        now,
        'promise_broken',
        `nothing${outcome.paidSince > 0 ? ` beyond ${outcome.paidSince}` : ''} paid by ${promise.date}; a "promise missed" reminder follows`,
      );
    }
  }

  openDispute(dispute: DisputeOpened, now: Date): NonNullable<InvoiceMemory['dispute']> {
    const memory = this.memory;
    const owner = this.policy?.owners.disputes ?? 'ar-disputes';
    const deadline = addDays(this.today(now), this.policy?.disputeDeadlineDays ?? 10);
    memory.dispute = { id: dispute.disputeId, reason: dispute.reason, owner, deadline, escalated: false };
    memory.status = 'disputed';
    this.closePending(now, 'withdrawn', `dispute opened: ${dispute.reason}`);
    this.note(now, 'dispute_opened', `${dispute.reason}; routed to ${owner}, deadline ${deadline}`, dispute.by);
    return memory.dispute;
  }

  noteResolution(resolution: DisputeResolved, now: Date): void {
    const detail = `${resolution.outcome}${resolution.creditMinor ? ` (credit ${resolution.creditMinor} ${this.memory.currency})` : ''}${resolution.note ? `: ${resolution.note}` : ''}`;
    this.note(now, 'dispute_resolved', detail, resolution.by);
  }

  /** After the ledger recorded the resolution: a write-off becomes a proposal, anything else reopens dunning. */
  resolveDispute(resolution: DisputeResolved, ledgerOpenMinor: number): void {
    const memory = this.memory;
    const dispute = memory.dispute!;
    if (resolution.outcome === 'write_off') {
      this.writeOffRequested = { disputeId: dispute.id, reason: resolution.note ?? dispute.reason, requestedBy: resolution.by };
    } else {
      memory.dispute = null;
      memory.openMinor = ledgerOpenMinor;
      memory.status = ledgerOpenMinor === 0 ? 'closed' : 'open';
    }
  }

  escalateDispute(now: Date): void {
    const dispute = this.memory.dispute!;
    dispute.escalated = true;
    this.note(now, 'dispute_escalated', `deadline ${dispute.deadline} passed; escalated beyond ${dispute.owner}`);
  }

  /** A write-off decision: approved writes the balance off; rejected leaves the dispute with its owner. */
  settleWriteOff(pending: PendingProposal, now: Date): void {
    this.pending = null;
    this.writeOffRequested = null;
    const memory = this.memory;
    if (pending.decision?.decision === 'approve') {
      memory.openMinor = 0;
      memory.dispute = null;
      memory.status = 'written_off';
    } else if (pending.decision) {
      this.note(now, 'write_off_rejected', pending.decision.reason ?? '', pending.decision.by);
    }
  }

  pause(pause: Pause, now: Date): void {
    const memory = this.memory;
    memory.pausedBy = pause.by;
    if (memory.status === 'open' || memory.status === 'awaiting_approval') memory.status = 'paused';
    this.closePending(now, 'withdrawn', `paused by ${pause.by}: ${pause.reason}`);
    this.note(now, 'paused', pause.reason, pause.by);
  }

  resume(resume: Resume, now: Date): void {
    this.memory.pausedBy = null;
    if (this.memory.status === 'paused') this.memory.status = 'open';
    this.note(now, 'resumed', 'dunning resumes', resume.by);
  }

  /** The ledger closed the invoice; returns false when it was already closed here. */
  /** Set by a ledgerClosed signal: the ledger is re-read, and the invoice closes only if the ledger agrees. */
  ledgerCheckRequested = false;

  /** False when the invoice is closed or a check is already running (a second signal adds nothing). */
  requestLedgerCheck(): boolean {
    if (this.isClosed || this.ledgerCheckRequested) return false;
    this.ledgerCheckRequested = true;
    return true;
  }

  /**
   * After the re-read a ledgerClosed or ledgerChanged signal asked for (adoptLedgerRead has set the
   * status). `changed`: why a ledgerChanged signal asked, so the log tells a re-read from a refused close.
   */
  settleLedgerCheck(context: InvoiceContext, now: Date, changed?: string): void {
    this.ledgerCheckRequested = false;
    const { status, openMinor } = context.invoice;
    if (this.isClosed) {
      this.closePending(now, 'withdrawn', `closed in the ledger (${status})`);
      this.note(now, 'ledger_closed', `the ledger marked the invoice ${status}`);
    } else if (changed !== undefined) {
      this.note(now, 'ledger_reread', `re-read the ledger (${changed}): ${status} with ${openMinor} open`);
    } else {
      this.note(
        now,
        'ledger_close_ignored',
        `told the ledger closed it, but the ledger shows it ${status} with ${openMinor} open: still working it`,
      );
    }
  }

  /** Histories recorded before the re-read closed on the signal's word (see the workflow's patch). */
  ledgerClosed(status: string, now: Date): boolean {
    if (this.isClosed) return false;
    this.memory.status = status === 'paid' ? 'paid' : status === 'written_off' ? 'written_off' : 'closed';
    this.closePending(now, 'withdrawn', `closed in the ledger (${status})`);
    this.note(now, 'ledger_closed', `the ledger marked the invoice ${status}`);
    return true;
  }

  /** A reminder is on its way but no longer needed. */
  get deliveryMoot(): boolean {
    return this.isClosed || this.memory.dispute !== null || this.memory.pausedBy !== null || this.memory.status === 'promised';
  }

  // ---- the next move -----------------------------------------------------------------------

  /**
   * What the loop does next. Needs a policy for dunning steps. `useHandoffGrace` is asked only
   * when a dunning step is planned (the workflow answers it with a patched() marker).
   */
  nextAction(now: Date, useHandoffGrace: () => boolean = () => true, patches: PlanningPatches = {}): NextAction {
    return nextAction(this, now, useHandoffGrace, patches);
  }

  /** The ladder ran out: hand the account to a person. */
  finishLadder(now: Date): { owner: string; reason: string } {
    const memory = this.memory;
    memory.status = 'handed_off';
    const owner = this.policy!.owners.collections;
    const reason = `no steps left on the ladder; ${memory.remindersSent} reminder(s) sent; ${memory.openMinor} ${memory.currency} still open; handed to ${owner}`;
    this.note(now, 'ladder_finished', reason);
    return { owner, reason };
  }
}
