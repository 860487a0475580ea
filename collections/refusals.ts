/**
 * Every refusal an invoice workflow gives, in one table. The type strings reach HTTP clients
 * (failureType) and must never change. `kind` says what the refusal means, independent of HTTP:
 * `invalid` — the message itself is wrong for this invoice (a past promise date, a credit above the balance);
 * `conflict` — the invoice's state moved on or does not allow it now (already decided, closed, paused…).
 * Pure: no Temporal import, so the admin endpoint and unit tests read it too.
 */
export const REFUSALS = {
  InvalidDecision: { kind: 'invalid', meaning: 'the decision payload is malformed, or edits a draft that cannot be edited' },
  ProposalNotPending: { kind: 'conflict', meaning: 'the proposal was already decided, superseded or withdrawn' },
  StaleProposal: { kind: 'conflict', meaning: 'the proposal is not the one awaiting a decision' },
  NotReady: { kind: 'conflict', meaning: 'the workflow has not read the invoice from the ledger yet; retry shortly' },
  InvalidPayment: { kind: 'invalid', meaning: 'the payment payload is malformed or in another currency' },
  InvoiceClosed: { kind: 'conflict', meaning: 'the invoice is already paid, written off or closed' },
  InvalidPromise: { kind: 'invalid', meaning: 'the promise payload is malformed, in the past, too far ahead, or above the open balance' },
  InvoiceDisputed: { kind: 'conflict', meaning: 'the invoice is in dispute; resolve the dispute first' },
  InvalidDispute: { kind: 'invalid', meaning: 'the dispute payload is malformed' },
  AlreadyDisputed: { kind: 'conflict', meaning: 'the invoice already has an open dispute' },
  InvalidResolution: { kind: 'invalid', meaning: 'the resolution payload is malformed or credits more than is open' },
  NoDispute: { kind: 'conflict', meaning: 'there is no open dispute to resolve (or its write-off already awaits a decision)' },
  InvalidPause: { kind: 'invalid', meaning: 'the pause payload is malformed' },
  AlreadyPaused: { kind: 'conflict', meaning: 'the invoice is already paused' },
  InvalidResume: { kind: 'invalid', meaning: 'the resume payload is malformed' },
  NotPaused: { kind: 'conflict', meaning: 'the invoice is not paused' },
  // Not a validator's: the decision was accepted, then the step it belongs to failed before its row was written.
  DecisionNotRecorded: {
    kind: 'conflict',
    meaning: 'the decision was taken, but its step failed before it was recorded; the step is drafted again later',
  },
} as const satisfies Record<string, { kind: 'invalid' | 'conflict'; meaning: string }>;

export type RefusalType = keyof typeof REFUSALS;
export type RefusalKind = (typeof REFUSALS)[RefusalType]['kind'];

/** A refusal the InvoiceCase returns; the workflow turns it into a non-retryable ApplicationFailure. */
export interface Refusal {
  type: RefusalType;
  message: string;
}

export function refusal(type: RefusalType, message: string): Refusal {
  return { type, message };
}

/** The kind of a failure type, or undefined when it is not one of ours (an untyped Error, a bug). */
export function refusalKind(type: string | undefined | null): RefusalKind | undefined {
  return type && Object.hasOwn(REFUSALS, type) ? REFUSALS[type as RefusalType].kind : undefined;
}
