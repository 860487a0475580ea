/**
 * Every message an AR workflow accepts, typed in one place (the samples-typescript convention).
 * People's actions are Updates: the caller gets the outcome, and the validator refuses a bad or
 * stale message before it is written to history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Decision, DisputeOpened, DisputeResolved, Pause, PaymentApplied, PromiseToPay, Resume } from './message-schemas';
import type { Tone } from '../domain/policy';

export type InvoiceStatus =
  | 'open'
  | 'awaiting_approval'
  | 'promised'
  | 'disputed'
  | 'paused'
  | 'handed_off'
  | 'paid'
  | 'written_off'
  | 'closed';

export interface ProposalView {
  id: string;
  stepKey: string;
  tone: Tone;
  subject: string;
  body: string;
  reasoning: string;
  policyVersion: number;
  proposedAt: string;
  escalated: boolean;
}

export interface ActionEntry {
  at: string;
  kind: string;
  detail: string;
  by?: string;
}

export interface InvoiceStateView {
  invoiceNumber: string;
  customerId: string;
  status: InvoiceStatus;
  currency: string;
  amountMinor: number;
  openMinor: number;
  dueDate: string;
  stage: string;
  nextStep: { key: string; at: string } | null;
  /**
   * A step being worked right now and not yet with outreach (drafting, or decided and being handed
   * over): it reaches outreach within moments, so a batch window should wait for it.
   */
  stepInProgress?: { key: string } | null;
  pendingProposal: ProposalView | null;
  promise: { id: string; date: string; amountMinor: number | null; holdUntil: string } | null;
  dispute: { id: string; reason: string; owner: string; deadline: string } | null;
  pausedBy: string | null;
  policyVersion: number;
  actions: ActionEntry[];
}

export interface DecisionOutcome {
  proposalId: string;
  /** approved: handed to the customer's outreach for delivery within the contact caps. */
  outcome: 'approved' | 'rejected';
  detail: string;
}

export interface BalanceOutcome {
  openMinor: number;
  status: InvoiceStatus;
}

export const decideProposalUpdate = defineUpdate<DecisionOutcome, [Decision]>('decideProposal');
export const paymentAppliedUpdate = defineUpdate<BalanceOutcome, [PaymentApplied]>('paymentApplied');
export const promiseToPayUpdate = defineUpdate<InvoiceStateView, [PromiseToPay]>('promiseToPay');
export const disputeOpenedUpdate = defineUpdate<InvoiceStateView, [DisputeOpened]>('disputeOpened');
export const disputeResolvedUpdate = defineUpdate<InvoiceStateView, [DisputeResolved]>('disputeResolved');
export const pauseUpdate = defineUpdate<InvoiceStateView, [Pause]>('pause');
export const resumeUpdate = defineUpdate<InvoiceStateView, [Resume]>('resume');

/** The policy or a no-touch flag changed: re-read and re-plan. Carries nothing to validate. */
export const policyChangedSignal = defineSignal('policyChanged');
/** The ledger closed the invoice (paid elsewhere, voided): stop working it. */
export const ledgerClosedSignal = defineSignal<[{ status: string }]>('ledgerClosed');
/** Something changed in the ledger (a payment, a credit an ERP recorded): re-read it now, not at the next step. */
export const ledgerChangedSignal = defineSignal<[{ reason: string }]>('ledgerChanged');

export const invoiceStateQuery = defineQuery<InvoiceStateView>('state');

/** Outreach tells the invoice workflow that its reminder went out (or was suppressed). */
export interface ReminderDelivered {
  requestId: string;
  outboxKey: string;
  /** Other invoices sent in the same message. */
  batchedWith: string[];
  sentAt: string;
  /** stale: not sent, the ledger's balance changed since the text was approved; the step is drafted again. */
  status: 'sent' | 'logged' | 'suppressed' | 'stale';
  detail: string;
}

export const reminderDeliveredSignal = defineSignal<[ReminderDelivered]>('reminderDelivered');

/**
 * What completes the invoice's hand-over activity ('lean-lifecycle'): the delivery, when outreach
 * sends at once; else word that the message waits there (batch window, send window, caps, kill
 * switch), and the delivery comes later as reminderDelivered.
 */
export type HandOverAnswer = ReminderDelivered | { requestId: string; queued: true; detail: string };
