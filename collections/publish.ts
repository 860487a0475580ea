/** Mirrors an invoice's view into search attributes and the Web UI's current details (workflow side). */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { toDecimal } from '../domain/money';
import type { InvoiceStateView } from './messages';
import { SA } from '../temporal/search-attributes';

/** Keeps search attributes and the UI details current; upserts only on change to keep history short. */
export function publish(v: InvoiceStateView, last: { key: string }, also: SearchAttributeUpdatePair[] = []): void {
  const awaiting = v.pendingProposal !== null;
  const key = JSON.stringify([v.status, v.stage, v.openMinor, awaiting, v.policyVersion]);
  if (key !== last.key || also.length) {
    last.key = key;
    upsertSearchAttributes([
      ...also,
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
