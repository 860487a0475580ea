/**
 * The invoice workflow's memory: carried through continue-as-new, exposed by the `state` query,
 * and mirrored into search attributes and the UI's current-details text (publish.ts).
 * Pure: the InvoiceCase holds it.
 */
import type { ActionEntry, InvoiceStateView, InvoiceStatus, ProposalView } from './messages';
import type { Decision } from './message-schemas';

export interface InvoiceMemory {
  invoiceNumber: string;
  customerId: string;
  customerName: string;
  tier: string;
  segment: string;
  timezone: string;
  locale: string;
  currency: string;
  amountMinor: number;
  openMinor: number;
  dueDate: string;
  status: InvoiceStatus;
  policyVersion: number;
  doneStepKeys: string[];
  remindersSent: number;
  lastContactDate: string | null;
  /** The customer's calendar date of the last rejected draft (absent in state carried by older runs). */
  lastRejectedOn?: string | null;
  promise: { id: string; date: string; amountMinor: number | null; holdUntil: string; openAtPromise: number } | null;
  /** Set when a promise was broken: the next step is a "promise missed" reminder. */
  promiseMissed: { id: string; date: string } | null;
  dispute: { id: string; reason: string; owner: string; deadline: string; escalated: boolean } | null;
  pausedBy: string | null;
  seenPaymentIds: string[];
  actions: ActionEntry[];
  /**
   * Re-drafts of each step's proposal so far (a superseded proposal gets a new id, never a reused one).
   * Absent in state carried by older runs: seeded from their notes (see proposal.ts).
   */
  proposalAttempts?: Record<string, number>;
  /**
   * Steps whose approved reminder outreach handed back unsent because the ledger's balance changed
   * while it waited in the queue (issue 13, 9d): the count makes each new hand-off's request id new.
   */
  staleQuotes?: Record<string, number>;
  /** Steps a person rejected: done (never re-proposed) but not shown as done. Absent in older runs. */
  rejectedStepKeys?: string[];
}

/** A proposal in flight; not carried across continue-as-new (which waits for it to settle). */
export interface PendingProposal {
  view: ProposalView;
  actionKind: 'reminder' | 'write_off';
  decision: {
    decision: 'approve' | 'reject';
    by: string;
    note?: string;
    reason?: string;
    edits?: { subject?: string; body?: string };
  } | null;
  /** Set when events made the proposal moot (paid, disputed, paused…). */
  closedAs: 'superseded' | 'withdrawn' | null;
  /** Why it was closed, as its proposal_<closedAs> note says ("<id>: <why>"). */
  closedReason?: string | null;
  /**
   * Runs on 'one-write-decisions': the loop writes the decision's row (with the hand-over when
   * there is one) and the decision's Update answers once it is written, or fails with the step.
   */
  decisionWrite?: { written: boolean; failed: string | null; message: Decision };
}

/** A new workflow's memory before the first ledger read fills it in. */
export function blankMemory(invoiceNumber: string, customerId: string): InvoiceMemory {
  return {
    invoiceNumber,
    customerId,
    customerName: '',
    tier: 'standard',
    segment: 'default',
    timezone: 'UTC',
    locale: 'en-US',
    currency: 'XXX',
    amountMinor: 0,
    openMinor: 0,
    dueDate: '',
    status: 'open',
    policyVersion: 0,
    doneStepKeys: [],
    remindersSent: 0,
    lastContactDate: null,
    lastRejectedOn: null,
    promise: null,
    promiseMissed: null,
    dispute: null,
    pausedBy: null,
    seenPaymentIds: [],
    actions: [],
    proposalAttempts: {},
  };
}

const MAX_ACTIONS = 50;

export function recordAction(m: InvoiceMemory, entry: ActionEntry): void {
  m.actions.push(entry);
  if (m.actions.length > MAX_ACTIONS) m.actions.splice(0, m.actions.length - MAX_ACTIONS);
}

export function toView(
  m: InvoiceMemory,
  stage: string,
  nextStep: { key: string; at: string } | null,
  pending: PendingProposal | null,
  stepInProgress: { key: string } | null = null,
): InvoiceStateView {
  return {
    invoiceNumber: m.invoiceNumber,
    customerId: m.customerId,
    status: m.status,
    currency: m.currency,
    amountMinor: m.amountMinor,
    openMinor: m.openMinor,
    dueDate: m.dueDate,
    stage,
    nextStep,
    stepInProgress,
    pendingProposal: pending && !pending.decision && !pending.closedAs ? pending.view : null,
    promise: m.promise
      ? { id: m.promise.id, date: m.promise.date, amountMinor: m.promise.amountMinor, holdUntil: m.promise.holdUntil }
      : null,
    dispute: m.dispute ? { id: m.dispute.id, reason: m.dispute.reason, owner: m.dispute.owner, deadline: m.dispute.deadline } : null,
    pausedBy: m.pausedBy,
    policyVersion: m.policyVersion,
    actions: m.actions,
  };
}

/** A write-off asked for by a dispute resolution: always a person's decision. */
export interface WriteOffRequest {
  disputeId: string;
  reason: string;
  requestedBy: string;
}
