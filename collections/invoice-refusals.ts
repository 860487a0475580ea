/**
 * The rules that refuse a message to an invoice before it touches state or history (the
 * workflow's Update validators call these). Each returns a typed Refusal, or null to accept.
 */
import { addDays } from '../domain/calendar';
import type { Policy } from '../domain/policy';
import { DEFAULT_MAX_PROMISE_DAYS_AHEAD } from '../domain/policy-terms';
import { describeZodError, messageSchemas } from './message-schemas';
import type { Decision, DisputeOpened, DisputeResolved, Pause, PaymentApplied, PromiseToPay, Resume } from './message-schemas';
import type { InvoiceMemory, PendingProposal } from './invoice-state';
import { refusal, type Refusal } from './refusals';

export abstract class InvoiceRefusals {
  abstract readonly memory: InvoiceMemory;
  abstract pending: PendingProposal | null;
  abstract loaded: boolean;
  abstract writeOffRequested: unknown;
  abstract readonly settledProposals: Map<string, string>;
  abstract policy: Policy | null;
  abstract get isClosed(): boolean;
  abstract today(now: Date): string;

  private notReady(): Refusal | null {
    return this.loaded
      ? null
      : refusal('NotReady', `invoice ${this.memory.invoiceNumber} is still being read from the ledger; retry in a moment`);
  }

  private closed(): Refusal | null {
    return this.isClosed ? refusal('InvoiceClosed', `invoice ${this.memory.invoiceNumber} is already ${this.memory.status}`) : null;
  }

  refuseDecision(decision: Decision): Refusal | null {
    const parsed = messageSchemas().decision.safeParse(decision);
    if (!parsed.success) return refusal('InvalidDecision', describeZodError(parsed.error, decision));
    const pending = this.pending;
    const earlier = this.settledProposals.get(decision.proposalId);
    if (earlier && pending?.view.id !== decision.proposalId)
      return refusal('ProposalNotPending', `proposal ${decision.proposalId} was already ${earlier}`);
    if (!pending || pending.view.id !== decision.proposalId)
      return refusal('StaleProposal', `proposal ${decision.proposalId} is not the one awaiting a decision on ${this.memory.invoiceNumber}`);
    if (pending.decision)
      return refusal(
        'ProposalNotPending',
        `proposal ${decision.proposalId} was already ${pending.decision.decision === 'approve' ? 'approved' : 'rejected'} by ${pending.decision.by}`,
      );
    if (pending.closedAs) return refusal('ProposalNotPending', `proposal ${decision.proposalId} was ${pending.closedAs}`);
    if (decision.edits && pending.actionKind !== 'reminder')
      return refusal('InvalidDecision', 'edits: only a reminder draft can be edited');
    return null;
  }

  refusePayment(payment: PaymentApplied): Refusal | null {
    const parsed = messageSchemas().paymentApplied.safeParse(payment);
    if (!parsed.success) return refusal('InvalidPayment', describeZodError(parsed.error, payment));
    const memory = this.memory;
    return (
      this.notReady() ??
      (payment.currency !== memory.currency
        ? refusal('InvalidPayment', `currency: ${JSON.stringify(payment.currency)} does not match the invoice currency ${memory.currency}`)
        : null) ??
      (this.isClosed && !memory.seenPaymentIds.includes(payment.paymentId)
        ? refusal('InvoiceClosed', `invoice ${memory.invoiceNumber} is already ${memory.status}`)
        : null)
    );
  }

  refusePromise(promise: PromiseToPay, now: Date): Refusal | null {
    const parsed = messageSchemas().promiseToPay.safeParse(promise);
    if (!parsed.success) return refusal('InvalidPromise', describeZodError(parsed.error, promise));
    const memory = this.memory;
    const today = this.today(now);
    return (
      this.notReady() ??
      this.closed() ??
      (memory.dispute ? refusal('InvoiceDisputed', `invoice ${memory.invoiceNumber} is in dispute; resolve the dispute first`) : null) ??
      (promise.date < today
        ? refusal('InvalidPromise', `date: ${JSON.stringify(promise.date)} is in the past (today is ${today} in ${memory.timezone})`)
        : null) ??
      this.tooFarAhead(promise.date, today) ??
      (promise.amountMinor !== undefined && promise.amountMinor > memory.openMinor
        ? refusal('InvalidPromise', `amountMinor: ${promise.amountMinor} exceeds the open balance ${memory.openMinor}`)
        : null)
    );
  }

  /** A promise dated past the policy's bound (a policy read before the bound existed: its default). */
  private tooFarAhead(date: string, today: string): Refusal | null {
    const days = this.policy?.maxPromiseDaysAhead ?? DEFAULT_MAX_PROMISE_DAYS_AHEAD;
    const latest = addDays(today, days);
    return date > latest
      ? refusal(
          'InvalidPromise',
          `date: ${JSON.stringify(date)} is more than ${days} days ahead (the latest is ${latest}; policy maxPromiseDaysAhead)`,
        )
      : null;
  }

  refuseDispute(dispute: DisputeOpened): Refusal | null {
    const parsed = messageSchemas().disputeOpened.safeParse(dispute);
    if (!parsed.success) return refusal('InvalidDispute', describeZodError(parsed.error, dispute));
    const memory = this.memory;
    return (
      this.notReady() ??
      this.closed() ??
      (memory.dispute ? refusal('AlreadyDisputed', `invoice ${memory.invoiceNumber} already has open dispute ${memory.dispute.id}`) : null)
    );
  }

  refuseResolution(resolution: DisputeResolved): Refusal | null {
    const parsed = messageSchemas().disputeResolved.safeParse(resolution);
    if (!parsed.success) return refusal('InvalidResolution', describeZodError(parsed.error, resolution));
    const memory = this.memory;
    return (
      this.notReady() ??
      (!memory.dispute ? refusal('NoDispute', `invoice ${memory.invoiceNumber} has no open dispute`) : null) ??
      (this.writeOffRequested ? refusal('NoDispute', `a write-off of invoice ${memory.invoiceNumber} already awaits a decision`) : null) ??
      (resolution.creditMinor !== undefined && resolution.creditMinor > memory.openMinor
        ? refusal('InvalidResolution', `creditMinor: ${resolution.creditMinor} exceeds the open balance ${memory.openMinor}`)
        : null)
    );
  }

  refusePause(pause: Pause): Refusal | null {
    const parsed = messageSchemas().pause.safeParse(pause);
    if (!parsed.success) return refusal('InvalidPause', describeZodError(parsed.error, pause));
    const memory = this.memory;
    return (
      this.notReady() ??
      this.closed() ??
      (memory.pausedBy ? refusal('AlreadyPaused', `invoice ${memory.invoiceNumber} is already paused by ${memory.pausedBy}`) : null)
    );
  }

  refuseResume(resume: Resume): Refusal | null {
    const parsed = messageSchemas().resume.safeParse(resume);
    if (!parsed.success) return refusal('InvalidResume', describeZodError(parsed.error, resume));
    return this.notReady() ?? (!this.memory.pausedBy ? refusal('NotPaused', `invoice ${this.memory.invoiceNumber} is not paused`) : null);
  }
}
