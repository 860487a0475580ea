/**
 * `ar explain`: an invoice workflow's history (every run, oldest first) and its audit rows read
 * as the answer to "why did this go out, why then, who approved it, under which policy". Pure:
 * the histories and rows come in, the explanation goes out, so it is tested without a server.
 */
import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { decodeFirst, localActivityOf } from './local-activity-marker';
import { daysBetween, localParts } from '../domain/calendar';
import { toDecimal } from '../domain/money';

type Event = NonNullable<History['events']>[number];

export interface ExplainAuditRow {
  at: string;
  idempotencyKey: string;
  action: string;
  actor: string;
  approvedBy: string | null;
  reasoning: string | null;
  policyVersion: number | null;
  details: unknown;
}

export interface ExplainFacts {
  balance: { amount: string; minor: number; currency: string } | null;
  dueDate: string | null;
  daysOverdue: number | null;
  tier: string | null;
  promise: { id: string; date: string; amountMinor: number | null; by: string } | null;
  dispute: { id: string; reason: string } | null;
  /** Reminders that had reached the customer before this action. */
  contactCount: number;
  pausedBy: string | null;
}

export interface ExplainedAction {
  stepKey: string;
  kind: string;
  /** proposed (still waiting), rejected, withdrawn, superseded, skipped, queued (approved, with outreach), sent, logged, suppressed. */
  outcome: string;
  proposalId: string | null;
  requestId: string | null;
  /** The text that went out (edits included), or that was proposed. */
  text: { subject: string; body: string; tone: string | null } | null;
  /** The system's own draft, when a person edited it. */
  draft: { subject: string; body: string } | null;
  why: { reasoning: string | null; facts: ExplainFacts };
  when: {
    at: string;
    /** The timer the step woke from ("overdue-7 at … (America/New_York)"). */
    plannedBy: string | null;
    ladderStep: string | null;
    sendWindow: string | null;
    contactCaps: string | null;
    batchWindowMinutes: number | null;
    queuedAt: string | null;
    deliveredAt: string | null;
  };
  decision: {
    outcome: 'approved' | 'rejected';
    by: string;
    at: string;
    edited: boolean;
    editCategory: string | null;
    editNote: string | null;
    note: string | null;
  } | null;
  delivery: { status: string; at: string; to: string | null; batchedWith: string[]; detail: string } | null;
  policyVersion: number | null;
  rolloutPhase: string | null;
  audit: { at: string; action: string; actor: string; reasoning: string | null }[];
}

export interface InvoiceExplanation {
  workflowId: string;
  invoiceNumber: string | null;
  customerId: string | null;
  runs: number;
  actions: ExplainedAction[];
  /** What people and systems told the workflow: promises, payments, disputes, pauses. */
  events: { at: string; what: string; by: string | null }[];
  closed: { status: string; at: string } | null;
}

const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

function time(e: Event): string {
  const t = e.eventTime;
  const ms = Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

function hour(h: unknown): string {
  return `${String(h).padStart(2, '0')}:00`;
}

/** What the invoice workflow knew at each point, replayed from its messages and ledger reads. */
class Knowledge {
  context: Record<string, unknown> = {};
  timezone = 'UTC';
  promise: ExplainFacts['promise'] = null;
  dispute: ExplainFacts['dispute'] = null;
  pausedBy: string | null = null;
  contactCount = 0;
  lastTimer: string | null = null;

  adoptRead(result: unknown): void {
    this.context = obj(result);
    const customer = obj(this.context.customer);
    this.timezone = str(customer.timezone) ?? this.timezone;
    const dispute = obj(this.context.openDispute);
    if (str(dispute.id)) this.dispute = { id: String(dispute.id), reason: String(dispute.reason ?? '') };
  }

  facts(at: string): ExplainFacts {
    const inv = obj(this.context.invoice);
    const currency = str(inv.currency);
    const open = num(inv.openMinor);
    const dueDate = str(inv.dueDate);
    return {
      balance: currency && open !== null ? { amount: toDecimal(open, currency), minor: open, currency } : null,
      dueDate,
      daysOverdue: dueDate ? daysBetween(dueDate, localParts(new Date(at), this.timezone).date) : null,
      tier: str(obj(this.context.customer).tier),
      promise: this.promise,
      dispute: this.dispute,
      contactCount: this.contactCount,
      pausedBy: this.pausedBy,
    };
  }

  /** Send window, caps and batch window of the policy read last: what held the message to its moment. */
  timing(): Pick<ExplainedAction['when'], 'sendWindow' | 'contactCaps' | 'batchWindowMinutes'> {
    const policy = obj(this.context.policy);
    const w = obj(policy.sendWindow);
    const caps = obj(policy.contactCaps);
    return {
      sendWindow:
        w.startHour === undefined
          ? null
          : `${hour(w.startHour)}–${hour(w.endHour)}${w.businessDaysOnly ? ' on business days' : ' every day'} (${this.timezone})`,
      contactCaps:
        caps.maxContacts === undefined
          ? null
          : `at most ${caps.maxContacts} in ${caps.perDays} days, ${caps.minHoursApart} hours apart, across the customer's invoices`,
      batchWindowMinutes: num(policy.batchWindowMinutes),
    };
  }

  ladderStep(stepKey: string): string | null {
    const policy = obj(this.context.policy);
    const tier = str(obj(this.context.customer).tier);
    const ladders = obj(policy.ladders);
    const ladder = tier && Array.isArray(ladders[tier]) ? (ladders[tier] as { key?: string; tone?: string }[]) : [];
    const i = ladder.findIndex((s) => s.key === stepKey);
    return i < 0 ? null : `step ${i + 1} of ${ladder.length} of the ${tier} ladder (${stepKey}, ${ladder[i]!.tone})`;
  }

  money(minor: number | null): string | null {
    const currency = str(obj(this.context.invoice).currency);
    if (minor === null) return null;
    return currency ? `${toDecimal(minor, currency)} ${currency}` : `${minor} minor units`;
  }

  rolloutPhase(): string | null {
    const policy = obj(this.context.policy);
    return str(policy.rolloutPhase) ?? str(obj(policy.rollout).phase);
  }
}

export function explainInvoiceHistories(workflowId: string, histories: History[], auditRows: ExplainAuditRow[]): InvoiceExplanation {
  const k = new Knowledge();
  const actions: ExplainedAction[] = [];
  const events: InvoiceExplanation['events'] = [];
  const scheduled = new Map<string, string>(); // activity scheduled event id → activity type
  let invoiceNumber: string | null = null;
  let customerId: string | null = null;
  let closed: InvoiceExplanation['closed'] = null;

  const byProposal = (id: string) => actions.find((a) => a.proposalId === id);
  const byRequest = (id: string) => [...actions].reverse().find((a) => a.requestId === id);
  const newAction = (stepKey: string, kind: string, at: string, outcome: string): ExplainedAction => {
    const a: ExplainedAction = {
      stepKey,
      kind,
      outcome,
      proposalId: null,
      requestId: null,
      text: null,
      draft: null,
      why: { reasoning: null, facts: k.facts(at) },
      when: {
        at,
        plannedBy: k.lastTimer?.startsWith(`${stepKey} at `) ? k.lastTimer : null,
        ladderStep: k.ladderStep(stepKey),
        ...k.timing(),
        queuedAt: null,
        deliveredAt: null,
      },
      decision: null,
      delivery: null,
      policyVersion: num(obj(k.context.policy).version),
      rolloutPhase: k.rolloutPhase(),
      audit: [],
    };
    actions.push(a);
    return a;
  };

  for (const history of histories) {
    for (const e of history.events ?? []) {
      const at = time(e);
      if (e.workflowExecutionStartedEventAttributes) {
        const input = obj(decodeFirst(e.workflowExecutionStartedEventAttributes.input));
        invoiceNumber ??= str(input.invoiceNumber);
        customerId ??= str(input.customerId);
        const carried = obj(input.carried);
        if (num(carried.remindersSent) !== null) k.contactCount = Math.max(k.contactCount, carried.remindersSent as number);
      } else if (e.timerStartedEventAttributes) {
        const summary = e.userMetadata?.summary ? decodeFirst({ payloads: [e.userMetadata.summary as Payload] }) : null;
        k.lastTimer = str(summary);
      } else if (e.activityTaskScheduledEventAttributes) {
        const a = e.activityTaskScheduledEventAttributes;
        const type = a.activityType?.name ?? '';
        scheduled.set(String(e.eventId), type);
        onActivity(type, obj(decodeFirst(a.input)), at);
      } else if (e.activityTaskCompletedEventAttributes) {
        const a = e.activityTaskCompletedEventAttributes;
        const type = scheduled.get(String(a.scheduledEventId));
        if (type === 'loadInvoiceContext') k.adoptRead(decodeFirst(a.result));
        // The hand-over completed by outreach ('lean-lifecycle'), or by its own delivery at once
        // (outreach/at-once.ts): its result is what the signal carried.
        // ("queued": outreach holds the message, and the delivery comes later as that signal.)
        const answer = obj(decodeFirst(a.result));
        if (type === 'awaitReminderDelivery' && answer.queued !== true) onMessage('reminderDelivered', answer, at);
      } else if (e.markerRecordedEventAttributes) {
        // A re-read made as a local activity: its marker carries what it read.
        const la = localActivityOf(e);
        if (la?.type === 'loadInvoiceContext') k.adoptRead(la.result);
        // Writes as local activities ('lean-lifecycle') return what they wrote: read as the activity's input.
        if (la?.type === 'recordProposal' || la?.type === 'recordAudit' || la?.type === 'resolveProposal')
          onActivity(la.type, obj(la.result), at);
        if (la?.type === 'recordDecisionAndReread') {
          k.adoptRead(la.result);
          onActivity('resolveProposal', obj(obj(la.result).recorded), at);
        }
      } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
        const req = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
        onMessage(req?.name ?? '', obj(decodeFirst(req?.args)), at);
      } else if (e.workflowExecutionSignaledEventAttributes) {
        const s = e.workflowExecutionSignaledEventAttributes;
        onMessage(s.signalName ?? '', obj(decodeFirst(s.input)), at);
      } else if (e.workflowExecutionCompletedEventAttributes) {
        const r = obj(decodeFirst(e.workflowExecutionCompletedEventAttributes.result));
        closed = { status: str(r.status) ?? 'closed', at };
      }
    }
  }

  function onActivity(type: string, input: Record<string, unknown>, at: string): void {
    if (type === 'recordProposal') {
      const a = newAction(String(input.stepKey), String(input.actionKind ?? 'reminder'), at, 'proposed');
      a.proposalId = String(input.id);
      a.text = { subject: String(input.subject), body: String(input.body), tone: str(input.tone) };
      a.why.reasoning = str(input.reasoning);
      a.policyVersion = num(input.policyVersion) ?? a.policyVersion;
    } else if (type === 'resolveProposal') {
      const a = byProposal(String(input.id));
      const r = obj(input.resolution);
      if (a && r.status !== 'approved') a.outcome = String(r.status);
    } else if (type === 'requestReminder' || type === 'awaitReminderDelivery') {
      const r = obj(input.request);
      const stepKey = String(r.requestId).split('/').pop() ?? '';
      // A supervised step was proposed under a proposal id; an autonomous one starts here.
      const a = [...actions].reverse().find((x) => x.stepKey === stepKey && x.decision?.outcome === 'approved') ?? null;
      const action = a ?? newAction(stepKey, 'reminder', at, 'queued');
      action.requestId = String(r.requestId);
      action.outcome = 'queued';
      action.when.queuedAt = at;
      if (action.text && (action.text.subject !== r.subject || action.text.body !== r.body))
        action.draft = { subject: action.text.subject, body: action.text.body };
      action.text = { subject: String(r.subject), body: String(r.body), tone: str(r.tone) };
      action.why.reasoning ??= str(r.reasoning);
      if (!action.decision && str(r.approvedBy))
        action.decision = {
          outcome: 'approved',
          by: String(r.approvedBy),
          at,
          edited: false,
          editCategory: null,
          editNote: null,
          note: null,
        };
    } else if (type === 'withdrawReminder') {
      const a = byRequest(String(input.requestId));
      if (a) a.outcome = 'withdrawn';
    } else if (type === 'recordAudit') {
      const action = String(input.action);
      const key = String(input.idempotencyKey ?? '');
      if (action === 'step_skipped') {
        const stepKey = key.split('/').slice(-2)[0] ?? '';
        const a = newAction(stepKey, 'reminder', at, 'skipped');
        a.requestId = key.slice(0, key.lastIndexOf('/'));
        a.why.reasoning = str(input.reasoning);
      } else if (action === 'handed_off') {
        events.push({ at, what: `handed to a collector: ${input.reasoning}`, by: null });
      }
    }
  }

  function onMessage(name: string, args: Record<string, unknown>, at: string): void {
    const by = str(args.by);
    switch (name) {
      case 'decideProposal': {
        const a = byProposal(String(args.proposalId));
        if (!a) return;
        const approve = args.decision === 'approve';
        const edits = obj(args.edits);
        a.decision = {
          outcome: approve ? 'approved' : 'rejected',
          by: by ?? '?',
          at,
          edited: args.edits !== undefined,
          editCategory: str(args.editCategory),
          editNote: str(args.editNote),
          note: str(approve ? args.note : args.reason),
        };
        a.outcome = approve ? 'approved' : 'rejected';
        if (approve && args.edits !== undefined && a.text) {
          a.draft = { subject: a.text.subject, body: a.text.body };
          a.text = { ...a.text, subject: str(edits.subject) ?? a.text.subject, body: str(edits.body) ?? a.text.body };
        }
        return;
      }
      case 'reminderDelivered': {
        const a = byRequest(String(args.requestId));
        const status = String(args.status);
        if (status === 'sent' || status === 'logged') k.contactCount++;
        if (!a) return;
        a.outcome = status;
        a.when.deliveredAt = str(args.sentAt) ?? at;
        a.delivery = {
          status,
          at: str(args.sentAt) ?? at,
          to: null,
          batchedWith: Array.isArray(args.batchedWith) ? args.batchedWith.map(String) : [],
          detail: String(args.detail ?? ''),
        };
        return;
      }
      case 'promiseToPay': {
        k.promise = { id: String(args.promiseId), date: String(args.date), amountMinor: num(args.amountMinor), by: by ?? '?' };
        const amount = k.money(num(args.amountMinor));
        events.push({ at, what: `promise to pay${amount ? ` ${amount}` : ''} by ${args.date}`, by });
        return;
      }
      case 'paymentApplied':
        events.push({ at, what: `payment ${args.paymentId} of ${k.money(num(args.amountMinor))} applied`, by });
        return;
      case 'disputeOpened':
        k.dispute = { id: String(args.disputeId), reason: String(args.reason) };
        events.push({ at, what: `dispute ${args.disputeId} opened: ${args.reason}`, by });
        return;
      case 'disputeResolved':
        k.dispute = null;
        events.push({ at, what: `dispute resolved as ${args.outcome}`, by });
        return;
      case 'pause':
        k.pausedBy = by;
        events.push({ at, what: `paused: ${args.reason}`, by });
        return;
      case 'resume':
        k.pausedBy = null;
        events.push({ at, what: 'resumed', by });
        return;
      case 'ledgerClosed':
        // The workflow re-reads before closing (older runs did not): the signal is a report, not the close.
        events.push({ at, what: `the ledger reported the invoice ${args.status}`, by: null });
        return;
      case 'ledgerChanged':
        events.push({ at, what: `the ledger changed (${args.reason}): re-read`, by: null });
        return;
    }
  }

  attachAudit(actions, auditRows, (status) => {
    if (status) closed ??= status;
  });
  return { workflowId, invoiceNumber, customerId, runs: histories.length, actions, events, closed };
}

/** Audit rows are keyed `<proposal or request id>/<what>`: each joins the action it belongs to. */
function attachAudit(actions: ExplainedAction[], rows: ExplainAuditRow[], onClosed: (closed: InvoiceExplanation['closed']) => void): void {
  for (const row of rows) {
    const owner = row.idempotencyKey.slice(0, row.idempotencyKey.lastIndexOf('/'));
    if (row.action === 'invoice_closed') onClosed({ status: row.reasoning?.match(/closed as (\w+)/)?.[1] ?? 'closed', at: row.at });
    const a = actions.find((x) => x.proposalId === owner) ?? [...actions].reverse().find((x) => x.requestId === owner);
    if (!a) continue;
    a.audit.push({ at: row.at, action: row.action, actor: row.actor, reasoning: row.reasoning });
    if (row.action === 'reminder_sent' && a.delivery) a.delivery.to = str(obj(row.details).to);
  }
}
