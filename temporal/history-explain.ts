/**
 * Reads a workflow history as the business story it records: what the workflow re-read, what it
 * proposed and why, who decided, what was sent, what it slept for. Used by `ar replay`.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { localActivityOf } from './local-activity-marker';

type Event = NonNullable<History['events']>[number];

export interface ExplainedStep {
  eventId: number;
  at: string;
  what: string;
}

function decode(payloads: { payloads?: Payload[] | null } | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return '(undecodable payload)';
    }
  });
}

function time(e: Event): string {
  const t = e.eventTime;
  if (!t) return '';
  const ms = Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

function seconds(d: { seconds?: unknown } | null | undefined): number {
  return Number(d?.seconds ?? 0);
}

function humanDuration(s: number): string {
  if (s >= 86_400) return `${(s / 86_400).toFixed(1)} days`;
  if (s >= 3_600) return `${(s / 3_600).toFixed(1)} hours`;
  if (s >= 60) return `${Math.round(s / 60)} minutes`;
  return `${s} s`;
}

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** One line for an activity call, in the words of the step it performs. */
function describeActivity(type: string, input: unknown): string {
  const a = obj(input);
  switch (type) {
    case 'loadInvoiceContext':
      return `re-read invoice ${String(input)} and its customer from the ledger, with the policy in force`;
    case 'recordProposal':
      return `proposed "${a.subject}" (${a.tone}, policy v${a.policyVersion}) — because: ${a.reasoning}`;
    case 'resolveProposal': {
      const r = obj(a.resolution);
      return `proposal ${a.id} ${r.status}${r.decidedBy ? ` by ${r.decidedBy}` : ''}${r.note ? `: ${r.note}` : ''}`;
    }
    case 'escalateProposal':
      return `escalated proposal ${a.id} to ${a.owner} after ${a.pendingHours} h undecided`;
    case 'awaitReminderDelivery': {
      const r = obj(a.request);
      // Sent at once by the activity when nothing needs outreach (outreach/at-once.ts), else handed to it.
      return `hand-over of "${r.subject}" (approved by ${r.approvedBy}${r.edited ? ', edited' : ''}): sent at once, or through outreach-${a.customerId} if it must wait`;
    }
    case 'requestReminder': {
      const r = obj(a.request);
      // Runs on 'one-write-decisions' record the approval's row in the same call.
      const resolved = obj(a.resolution);
      const decided = obj(resolved.resolution);
      const row = resolved.id ? `; proposal ${resolved.id} ${decided.status}${decided.decidedBy ? ` by ${decided.decidedBy}` : ''}` : '';
      return `handed "${r.subject}" to outreach-${a.customerId} (approved by ${r.approvedBy}${r.edited ? ', edited' : ''})${row}`;
    }
    case 'withdrawReminder':
      return `withdrew ${a.requestId} from outreach-${a.customerId}`;
    case 'deliverEmail':
      return `delivered "${a.subject}" for ${(a.requests as unknown[] | undefined)?.length ?? 0} invoice(s) [outbox key ${a.outboxKey}]${a.confirmDelivery ? ', telling their workflows' : ''}`;
    case 'confirmPaidInLedger': {
      const closing = obj(a.closingAudit);
      return `confirmed invoice ${a.invoiceNumber} paid in the ledger${closing.action ? `; audit ${closing.action}: ${closing.reasoning}` : ''}`;
    }
    case 'recordAudit':
      return `audit ${a.action}${a.reasoning ? `: ${a.reasoning}` : ''}`;
    case 'loadOutreachRules':
      return `read contact caps and send window for customer ${String(input)}`;
    default:
      return `${type}(${JSON.stringify(input)?.slice(0, 160)})`;
  }
}

/** One line for a local activity (a short read), from its result: a marker records no input. */
function describeLocalActivity(type: string, result: unknown): string {
  const r = obj(result);
  switch (type) {
    case 'loadInvoiceContext':
      return describeActivity(type, obj(r.invoice).number ?? '?');
    case 'loadOutreachRules':
      return `read contact caps and send window (${obj(r.caps).maxContacts ?? '?'} in ${obj(r.caps).perDays ?? '?'} days, timezone ${r.timezone ?? '?'})`;
    case 'remindersDueSoon':
      return `asked the customer's other invoices when they act next: ${JSON.stringify(result ?? null)?.slice(0, 160)}`;
    case 'readSendsSwitch':
      return `read the kill switch: sends ${r.held ? `held by ${r.by}: ${r.reason}` : 'flowing'}`;
    // Writes run as local activities on 'lean-lifecycle' return what they wrote, so the marker tells it.
    case 'recordProposal':
    case 'recordAudit':
    case 'confirmPaidInLedger':
    case 'resolveProposal':
      return describeActivity(type, result);
    case 'recordDecisionAndReread':
      return `${describeActivity('resolveProposal', r.recorded)}; ${describeActivity('loadInvoiceContext', obj(r.invoice).number ?? '?')}`;
    case 'loadOutreachContext':
      return [
        describeLocalActivity('loadOutreachRules', r.rules),
        ...(r.others ? [describeLocalActivity('remindersDueSoon', r.others)] : []),
        describeLocalActivity('readSendsSwitch', r.sends),
      ].join('; ');
    default:
      return `${type} (local) → ${JSON.stringify(result ?? null)?.slice(0, 160)}`;
  }
}

export function explainHistory(history: History): ExplainedStep[] {
  const out: ExplainedStep[] = [];
  const push = (e: Event, what: string) => out.push({ eventId: Number(e.eventId), at: time(e), what });
  const scheduled = new Map<string, string>();
  for (const e of history.events ?? []) {
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      push(e, `started ${a.workflowType?.name} with ${JSON.stringify(decode(a.input)[0])}`);
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      scheduled.set(String(e.eventId), a.activityType?.name ?? '?');
      push(e, describeActivity(a.activityType?.name ?? '?', decode(a.input)[0]));
    } else if (e.activityTaskCompletedEventAttributes) {
      // The hand-over completed by outreach ('lean-lifecycle'): its result is the delivery.
      const a = e.activityTaskCompletedEventAttributes;
      if (scheduled.get(String(a.scheduledEventId)) === 'awaitReminderDelivery') {
        const d = obj(decode(a.result)[0]);
        push(
          e,
          d.queued === true ? `${d.requestId} queued with outreach: ${d.detail}` : `delivery of ${d.requestId}: ${d.status} (${d.detail})`,
        );
      }
    } else if (e.markerRecordedEventAttributes) {
      // A local read records its result, not its input: said from what it read (patch markers say nothing).
      const la = localActivityOf(e);
      if (la) push(e, describeLocalActivity(la.type, la.result));
    } else if (e.activityTaskFailedEventAttributes) {
      push(e, `activity failed: ${e.activityTaskFailedEventAttributes.failure?.message}`);
    } else if (e.timerStartedEventAttributes) {
      const summary = e.userMetadata?.summary ? String(decode({ payloads: [e.userMetadata.summary as Payload] })[0]) : '';
      push(e, `sleep ${humanDuration(seconds(e.timerStartedEventAttributes.startToFireTimeout))}${summary ? ` — ${summary}` : ''}`);
    } else if (e.timerFiredEventAttributes) {
      push(e, 'woke: timer fired');
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const req = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      push(e, `update ${req?.input?.name} accepted: ${JSON.stringify(decode(req?.input?.args)[0])}`);
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      push(e, `signal ${a.signalName}: ${JSON.stringify(decode(a.input)[0] ?? null)?.slice(0, 200)}`);
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {};
      const parts = Object.entries(fields).map(([k, v]) => `${k}=${JSON.stringify(decode({ payloads: [v as Payload] })[0])}`);
      push(e, `search attributes: ${parts.join(' ')}`);
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      push(e, 'continued as new, carrying its state');
    } else if (e.workflowExecutionCompletedEventAttributes) {
      push(e, `completed: ${JSON.stringify(decode(e.workflowExecutionCompletedEventAttributes.result)[0])}`);
    } else if (e.workflowExecutionFailedEventAttributes) {
      push(e, `failed: ${e.workflowExecutionFailedEventAttributes.failure?.message}`);
    }
  }
  return out;
}
