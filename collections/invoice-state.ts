/**
 * The invoice workflow's memory: carried through continue-as-new, exposed by the `state` query,
 * and mirrored into search attributes and the UI's current-details text.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { toDecimal } from '../domain/money';
import type { ActionEntry, InvoiceStateView, InvoiceStatus, ProposalView } from './messages';
import { SA } from '../temporal/search-attributes';

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
  promise: { id: string; date: string; amountMinor: number | null; holdUntil: string; openAtPromise: number } | null;
  /** Set when a promise was broken: the next step is a "promise missed" reminder. */
  promiseMissed: { id: string; date: string } | null;
  dispute: { id: string; reason: string; owner: string; deadline: string; escalated: boolean } | null;
  pausedBy: string | null;
  seenPaymentIds: string[];
  actions: ActionEntry[];
}

/** A proposal in flight; not carried across continue-as-new (which waits for it to settle). */
export interface PendingProposal {
  view: ProposalView;
  actionKind: 'reminder' | 'write_off';
  decision: { decision: 'approve' | 'reject'; by: string; note?: string; reason?: string; edits?: { subject?: string; body?: string } } | null;
  /** Set when events made the proposal moot (paid, disputed, paused…). */
  closedAs: 'superseded' | 'withdrawn' | null;
}

const MAX_ACTIONS = 50;

export function recordAction(m: InvoiceMemory, entry: ActionEntry): void {
  m.actions.push(entry);
  if (m.actions.length > MAX_ACTIONS) m.actions.splice(0, m.actions.length - MAX_ACTIONS);
}

export function toView(m: InvoiceMemory, stage: string, nextStep: { key: string; at: string } | null, pending: PendingProposal | null): InvoiceStateView {
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
    pendingProposal: pending && !pending.decision && !pending.closedAs ? pending.view : null,
    promise: m.promise ? { id: m.promise.id, date: m.promise.date, amountMinor: m.promise.amountMinor, holdUntil: m.promise.holdUntil } : null,
    dispute: m.dispute ? { id: m.dispute.id, reason: m.dispute.reason, owner: m.dispute.owner, deadline: m.dispute.deadline } : null,
    pausedBy: m.pausedBy,
    policyVersion: m.policyVersion,
    actions: m.actions,
  };
}

/** Keeps search attributes and the UI details current; upserts only on change to keep history short. */
export function publish(v: InvoiceStateView, last: { key: string }): void {
  const awaiting = v.pendingProposal !== null;
  const key = JSON.stringify([v.status, v.stage, v.openMinor, awaiting, v.policyVersion]);
  if (key !== last.key) {
    last.key = key;
    upsertSearchAttributes([
      { key: SA.status, value: v.status },
      { key: SA.dunningStage, value: v.stage },
      { key: SA.amountDue, value: v.openMinor },
      { key: SA.awaitingApproval, value: awaiting },
      { key: SA.policyVersion, value: v.policyVersion },
    ]);
  }
  const lines = [
    `**${v.status.replace(/_/g, ' ')}** · ${toDecimal(v.openMinor, v.currency)} ${v.currency} open of ${toDecimal(v.amountMinor, v.currency)} · due ${v.dueDate} · stage ${v.stage}`,
  ];
  if (v.nextStep) lines.push(`Next: ${v.nextStep.key} at ${v.nextStep.at}`);
  if (v.pendingProposal) lines.push(`Awaiting approval: ${v.pendingProposal.subject} — ${v.pendingProposal.reasoning}`);
  if (v.promise) lines.push(`Promise to pay by ${v.promise.date} (hold until ${v.promise.holdUntil})`);
  if (v.dispute) lines.push(`Dispute (${v.dispute.reason}) owned by ${v.dispute.owner}, deadline ${v.dispute.deadline}`);
  if (v.pausedBy) lines.push(`Paused by ${v.pausedBy}`);
  setCurrentDetails(lines.join('\n\n'));
}
