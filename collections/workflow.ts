/**
 * invoice-<number>: works one open invoice to cash, the way a careful collector would.
 *
 * Plan the next dunning step → sleep until then (waking early on any message) → re-read the
 * invoice → skip if there is nothing to do → draft with reasoning → the autonomy gate decides:
 * act, or propose and wait for a person → deliver through the customer's outreach workflow.
 * Payments, promises, disputes and pauses arrive as Updates and change the course.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InvoiceActivities as Activities } from './activities';
import type { InvoiceContext } from './activities';
import { autonomyGate } from '../domain/autonomy';
import { toDecimal } from '../domain/money';
import { addDays, localParts, nextSendTime } from '../domain/calendar';
import { draftReminder, type DraftInvoice } from '../domain/drafting';
import { dunningStage, effectiveTone, planNextStep, promiseMissedStep } from './dunning';
import { describeZodError, messageSchemas } from './message-schemas';
import type { DunningStep, Policy } from '../domain/policy';
import { explainStep } from './reasoning';
import { recordAction, publish, toView, type InvoiceMemory, type PendingProposal } from './invoice-state';
import {
  decideProposalUpdate,
  disputeOpenedUpdate,
  disputeResolvedUpdate,
  invoiceStateQuery,
  ledgerClosedSignal,
  pauseUpdate,
  paymentAppliedUpdate,
  policyChangedSignal,
  promiseToPayUpdate,
  reminderDeliveredSignal,
  resumeUpdate,
  type ReminderDelivered,
} from './messages';
import type { ReminderRequest } from '../outreach/messages';
import { SA } from '../temporal/search-attributes';

export interface InvoiceWorkflowInput {
  invoiceNumber: string;
  customerId: string;
  /** State carried through continue-as-new. */
  carried?: InvoiceMemory;
  /** Continue as new beyond this many history events (default 2,000; tests use a small number). */
  continueAsNewAfterEvents?: number;
}

export interface InvoiceWorkflowResult {
  invoiceNumber: string;
  status: InvoiceMemory['status'];
  openMinor: number;
  remindersSent: number;
}

// Ledger and database calls: short, retried with backoff for a few hours of outage, then the step is retried later.
const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 40 },
});

/** Calls an activity with a one-line summary that the Web UI shows on its history event. */
function withSummary<K extends keyof Activities & string>(name: K, summary: string, ...args: Parameters<Activities[K]>): ReturnType<Activities[K]> {
  const fn = ledger[name] as unknown as { executeWithOptions(options: { summary: string }, args: unknown[]): ReturnType<Activities[K]> };
  return fn.executeWithOptions({ summary }, args);
}

/** Beyond this many events the workflow continues as new, carrying its memory. */
const HISTORY_LIMIT = 2_000;
const TERMINAL = new Set(['paid', 'written_off', 'closed']);

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceWorkflowResult> {
  const workflowId = workflowInfo().workflowId;
  const published = { key: '' };
  // Handlers are registered before the first await, so the memory exists from the start:
  // carried over, or a skeleton that the first ledger read fills in.
  const m: InvoiceMemory = input.carried ?? {
    invoiceNumber: input.invoiceNumber,
    customerId: input.customerId,
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
    promise: null,
    promiseMissed: null,
    dispute: null,
    pausedBy: null,
    seenPaymentIds: [],
    actions: [],
  };

  let pending: PendingProposal | null = null;
  /** False until the first ledger read: messages that depend on the balance wait for it. */
  let loaded = !!input.carried;
  const requireLoaded = () => {
    if (!loaded) refuse('NotReady', `invoice ${input.invoiceNumber} is still being read from the ledger; retry in a moment`);
  };
  let nextStep: { key: string; at: string } | null = null;
  let wakeups = 0;
  let reloadPolicy = false;
  const delivered = new Map<string, ReminderDelivered>();
  /** Recently settled proposals, so a late second decision is told who decided, not just "stale". */
  const settledProposals = new Map<string, string>();
  const now = () => new Date(Date.now());
  const today = () => localParts(now(), m.timezone).date;
  const ladder = (p: Policy): DunningStep[] => p.ladders[m.tier as keyof Policy['ladders']] ?? p.ladders.standard;
  let policy: Policy | null = null;
  const stage = () => {
    if (pending && !pending.closedAs) return `${pending.view.stepKey} (${pending.decision ? (pending.decision.decision === 'approve' ? 'approved' : 'rejected') : 'proposed'})`;
    return policy ? dunningStage(ladder(policy), m.doneStepKeys) : (m.doneStepKeys[m.doneStepKeys.length - 1] ?? 'not-started');
  };
  const view = () => toView(m, stage(), nextStep, pending);
  const note = (kind: string, detail: string, by?: string) => recordAction(m, { at: now().toISOString(), kind, detail, by });
  // Messages only wake the main loop; it publishes search attributes once per change of course.
  const wake = () => {
    wakeups++;
  };
  /** Sleeps until `until` or any message, whichever comes first. Returns true if a message woke it. */
  const sleepUntil = async (until: Date, summary: string): Promise<boolean> => {
    const seen = wakeups;
    const ms = Math.max(0, until.getTime() - Date.now());
    return condition(() => wakeups !== seen || TERMINAL.has(m.status), ms, { summary });
  };
  /** Makes a pending proposal moot (nothing will be sent for it). */
  const closePending = (as: 'superseded' | 'withdrawn', why: string) => {
    if (pending && !pending.decision && !pending.closedAs) {
      pending.closedAs = as;
      note(`proposal_${as}`, `${pending.view.id}: ${why}`);
    }
  };

  // ---- messages ----------------------------------------------------------------------------

  setHandler(invoiceStateQuery, view);

  setHandler(
    decideProposalUpdate,
    async (d) => {
      const p = pending!;
      // Marked before the first await so a concurrent second decision is refused by the validator.
      p.decision = { decision: d.decision, by: d.by, note: d.note, reason: d.reason, edits: d.edits };
      wake();
      await withSummary('resolveProposal', `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.by}: ${p.view.id}`, {
        id: p.view.id,
        workflowId,
        invoiceNumber: m.invoiceNumber,
        customerId: m.customerId,
        policyVersion: p.view.policyVersion,
        resolution:
          d.decision === 'approve'
            ? { status: 'approved', decidedBy: d.by, note: d.note, editedSubject: d.edits?.subject, editedBody: d.edits?.body }
            : { status: 'rejected', decidedBy: d.by, note: d.reason! },
      });
      return d.decision === 'approve'
        ? { proposalId: p.view.id, outcome: 'approved', detail: p.actionKind === 'write_off' ? 'write-off approved; posting to the ledger' : 'approved; handed to the customer outreach for delivery within the contact caps' }
        : { proposalId: p.view.id, outcome: 'rejected', detail: `rejected: ${d.reason}` };
    },
    {
      validator: (d) => {
        const parsed = messageSchemas().decision.safeParse(d);
        if (!parsed.success) refuse('InvalidDecision', describeZodError(parsed.error, d));
        const earlier = settledProposals.get(d.proposalId);
        if (earlier && pending?.view.id !== d.proposalId) refuse('ProposalNotPending', `proposal ${d.proposalId} was already ${earlier}`);
        if (!pending || pending.view.id !== d.proposalId) refuse('StaleProposal', `proposal ${d.proposalId} is not the one awaiting a decision on ${m.invoiceNumber}`);
        if (pending.decision) refuse('ProposalNotPending', `proposal ${d.proposalId} was already ${pending.decision.decision === 'approve' ? 'approved' : 'rejected'} by ${pending.decision.by}`);
        if (pending.closedAs) refuse('ProposalNotPending', `proposal ${d.proposalId} was ${pending.closedAs}`);
        if (d.edits && pending.actionKind !== 'reminder') refuse('InvalidDecision', 'edits: only a reminder draft can be edited');
      },
    },
  );

  setHandler(
    paymentAppliedUpdate,
    async (p) => {
      if (!m.seenPaymentIds.includes(p.paymentId)) {
        m.seenPaymentIds.push(p.paymentId);
        if (m.seenPaymentIds.length > 200) m.seenPaymentIds.shift();
        if (patched('payment-balance-from-ledger')) {
          // Cash application posts the allocation to the ledger before it tells the workflow, so the
          // ledger already has it: adopt its balance. Subtracting again would count it twice
          // whenever a read happened in between.
          await refresh();
        } else {
          m.openMinor = Math.max(0, m.openMinor - p.amountMinor);
        }
        note('payment_applied', `${p.paymentId}: ${p.amountMinor} ${p.currency}; ${m.openMinor} open`, p.by);
        if (m.openMinor === 0) {
          m.status = 'paid';
          closePending('withdrawn', 'the invoice was paid in full');
        } else {
          // The draft quotes the old balance: a partly paid invoice gets a fresh draft.
          closePending('superseded', 'a partial payment changed the amount due');
        }
        wake();
      }
      return { openMinor: m.openMinor, status: m.status };
    },
    {
      validator: (p) => {
        const parsed = messageSchemas().paymentApplied.safeParse(p);
        if (!parsed.success) refuse('InvalidPayment', describeZodError(parsed.error, p));
        requireLoaded();
        if (p.currency !== m.currency) refuse('InvalidPayment', `currency: ${JSON.stringify(p.currency)} does not match the invoice currency ${m.currency}`);
        if (TERMINAL.has(m.status) && !m.seenPaymentIds.includes(p.paymentId)) refuse('InvoiceClosed', `invoice ${m.invoiceNumber} is already ${m.status}`);
      },
    },
  );

  setHandler(
    promiseToPayUpdate,
    async (p) => {
      const hold = policy?.promiseGraceDays ?? 3;
      m.promise = { id: p.promiseId, date: p.date, amountMinor: p.amountMinor ?? null, holdUntil: addDays(p.date, hold), openAtPromise: m.openMinor };
      m.promiseMissed = null;
      m.status = 'promised';
      closePending('superseded', `promise to pay by ${p.date}`);
      note('promise_logged', `pay by ${p.date}${p.amountMinor ? ` (${p.amountMinor} ${m.currency})` : ''}; dunning holds until ${m.promise.holdUntil}`, p.by);
      wake();
      await ledger.logPromise({ id: p.promiseId, invoiceNumber: m.invoiceNumber, promisedDate: p.date, amountMinor: p.amountMinor ?? null, currency: m.currency, loggedBy: p.by });
      return view();
    },
    {
      validator: (p) => {
        const parsed = messageSchemas().promiseToPay.safeParse(p);
        if (!parsed.success) refuse('InvalidPromise', describeZodError(parsed.error, p));
        requireLoaded();
        if (TERMINAL.has(m.status)) refuse('InvoiceClosed', `invoice ${m.invoiceNumber} is already ${m.status}`);
        if (m.dispute) refuse('InvoiceDisputed', `invoice ${m.invoiceNumber} is in dispute; resolve the dispute first`);
        if (p.date < today()) refuse('InvalidPromise', `date: ${JSON.stringify(p.date)} is in the past (today is ${today()} in ${m.timezone})`);
        if (p.amountMinor !== undefined && p.amountMinor > m.openMinor) refuse('InvalidPromise', `amountMinor: ${p.amountMinor} exceeds the open balance ${m.openMinor}`);
      },
    },
  );

  setHandler(
    disputeOpenedUpdate,
    async (d) => {
      const owner = policy?.owners.disputes ?? 'ar-disputes';
      const deadline = addDays(today(), policy?.disputeDeadlineDays ?? 10);
      m.dispute = { id: d.disputeId, reason: d.reason, owner, deadline, escalated: false };
      m.status = 'disputed';
      closePending('withdrawn', `dispute opened: ${d.reason}`);
      note('dispute_opened', `${d.reason}; routed to ${owner}, deadline ${deadline}`, d.by);
      wake();
      await ledger.openDispute({ id: d.disputeId, invoiceNumber: m.invoiceNumber, reason: d.reason, note: d.note ?? null, owner, deadline, openedBy: d.by });
      return view();
    },
    {
      validator: (d) => {
        const parsed = messageSchemas().disputeOpened.safeParse(d);
        if (!parsed.success) refuse('InvalidDispute', describeZodError(parsed.error, d));
        requireLoaded();
        if (TERMINAL.has(m.status)) refuse('InvoiceClosed', `invoice ${m.invoiceNumber} is already ${m.status}`);
        if (m.dispute) refuse('AlreadyDisputed', `invoice ${m.invoiceNumber} already has open dispute ${m.dispute.id}`);
      },
    },
  );

  setHandler(
    disputeResolvedUpdate,
    async (r) => {
      const dispute = m.dispute!;
      note('dispute_resolved', `${r.outcome}${r.creditMinor ? ` (credit ${r.creditMinor} ${m.currency})` : ''}${r.note ? `: ${r.note}` : ''}`, r.by);
      const { openMinor } = await ledger.resolveDispute({ id: dispute.id, invoiceNumber: m.invoiceNumber, outcome: r.outcome, creditMinor: r.creditMinor, currency: m.currency, by: r.by, note: r.note });
      if (r.outcome === 'write_off') {
        // A write-off is a judgment call: it becomes a proposal a person decides (see the main loop).
        writeOffRequested = { disputeId: dispute.id, reason: r.note ?? dispute.reason, requestedBy: r.by };
      } else {
        m.dispute = null;
        m.openMinor = openMinor;
        m.status = openMinor === 0 ? 'closed' : 'open';
      }
      wake();
      return view();
    },
    {
      validator: (r) => {
        const parsed = messageSchemas().disputeResolved.safeParse(r);
        if (!parsed.success) refuse('InvalidResolution', describeZodError(parsed.error, r));
        requireLoaded();
        if (!m.dispute) refuse('NoDispute', `invoice ${m.invoiceNumber} has no open dispute`);
        if (writeOffRequested) refuse('NoDispute', `a write-off of invoice ${m.invoiceNumber} already awaits a decision`);
        if (r.creditMinor !== undefined && r.creditMinor > m.openMinor) refuse('InvalidResolution', `creditMinor: ${r.creditMinor} exceeds the open balance ${m.openMinor}`);
      },
    },
  );

  setHandler(
    pauseUpdate,
    async (p) => {
      m.pausedBy = p.by;
      if (m.status === 'open' || m.status === 'awaiting_approval') m.status = 'paused';
      closePending('withdrawn', `paused by ${p.by}: ${p.reason}`);
      note('paused', p.reason, p.by);
      wake();
      return view();
    },
    {
      validator: (p) => {
        const parsed = messageSchemas().pause.safeParse(p);
        if (!parsed.success) refuse('InvalidPause', describeZodError(parsed.error, p));
        requireLoaded();
        if (TERMINAL.has(m.status)) refuse('InvoiceClosed', `invoice ${m.invoiceNumber} is already ${m.status}`);
        if (m.pausedBy) refuse('AlreadyPaused', `invoice ${m.invoiceNumber} is already paused by ${m.pausedBy}`);
      },
    },
  );

  setHandler(
    resumeUpdate,
    async (r) => {
      m.pausedBy = null;
      if (m.status === 'paused') m.status = 'open';
      note('resumed', 'dunning resumes', r.by);
      wake();
      return view();
    },
    {
      validator: (r) => {
        const parsed = messageSchemas().resume.safeParse(r);
        if (!parsed.success) refuse('InvalidResume', describeZodError(parsed.error, r));
        requireLoaded();
        if (!m.pausedBy) refuse('NotPaused', `invoice ${m.invoiceNumber} is not paused`);
      },
    },
  );

  setHandler(policyChangedSignal, () => {
    reloadPolicy = true;
    wake();
  });

  setHandler(ledgerClosedSignal, ({ status }) => {
    if (TERMINAL.has(m.status)) return;
    m.status = status === 'paid' ? 'paid' : status === 'written_off' ? 'written_off' : 'closed';
    closePending('withdrawn', `closed in the ledger (${status})`);
    note('ledger_closed', `the ledger marked the invoice ${status}`);
    wake();
  });

  setHandler(reminderDeliveredSignal, (d) => {
    delivered.set(d.requestId, d);
    wake();
  });

  let writeOffRequested: { disputeId: string; reason: string; requestedBy: string } | null = null;

  // ---- the process -------------------------------------------------------------------------

  /** Re-reads invoice, customer and policy; adopts what the ledger says. */
  let lastRead: { at: number; context: InvoiceContext } | null = null;
  const refresh = async (): Promise<InvoiceContext> => {
    const c = await withSummary('loadInvoiceContext', `re-read ${m.invoiceNumber}, its customer and the policy in force`, m.invoiceNumber);
    lastRead = { at: Date.now(), context: c };
    policy = c.policy;
    m.policyVersion = c.policy.version;
    m.tier = c.customer.tier;
    m.segment = c.customer.segment;
    m.timezone = c.customer.timezone;
    m.locale = c.customer.locale;
    m.customerName = c.customer.name;
    // The ledger is the system of record for the balance.
    m.openMinor = c.invoice.openMinor;
    if (!TERMINAL.has(m.status)) {
      if (c.invoice.status === 'paid' || c.invoice.openMinor === 0) m.status = 'paid';
      else if (c.invoice.status === 'written_off') m.status = 'written_off';
      else if (c.invoice.status === 'void') m.status = 'closed';
    }
    reloadPolicy = false;
    return c;
  };

  /** Why this step must not reach the customer now, or null to go ahead. */
  const skipReason = (c: InvoiceContext): string | null => {
    const p = c.policy;
    if (c.customer.noTouch || p.noTouch.customers.includes(m.customerId)) return 'no-touch customer';
    if (c.invoice.noTouch || p.noTouch.invoices.includes(m.invoiceNumber)) return 'no-touch invoice';
    const minimum = p.minimumChaseMinor[m.currency] ?? 0;
    if (m.openMinor < minimum) return `open balance ${m.openMinor} is below the minimum worth chasing (${minimum} ${m.currency})`;
    if (c.invoice.status === 'disputed') return 'disputed in the ledger';
    return null;
  };

  /** Waits for a person's decision on `p`, escalating once if it lingers. */
  const awaitDecision = async (p: PendingProposal): Promise<void> => {
    const hours = policy!.proposalEscalationHours;
    const settled = () => p.decision !== null || p.closedAs !== null || TERMINAL.has(m.status);
    if (!(await condition(settled, `${hours} hours`, { summary: `await decision on ${p.view.id}` }))) {
      await withSummary('escalateProposal', `escalate ${p.view.id} to ${policy!.owners.approvals}`, { id: p.view.id, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, owner: policy!.owners.approvals, pendingHours: hours });
      p.view.escalated = true;
      note('proposal_escalated', `${p.view.id} undecided after ${hours}h; escalated to ${policy!.owners.approvals}`);
      publish(view(), published);
      await condition(settled);
    }
    settledProposals.set(p.view.id, p.decision ? `${p.decision.decision === 'approve' ? 'approved' : 'rejected'} by ${p.decision.by}` : (p.closedAs ?? `withdrawn (invoice ${m.status})`));
    if (settledProposals.size > 20) settledProposals.delete(settledProposals.keys().next().value!);
    if (p.closedAs) {
      // The note closePending wrote for this proposal (other actions, e.g. 'paused', may have followed it).
      const why = [...m.actions].reverse().find((a) => a.kind === `proposal_${p.closedAs}` && a.detail.startsWith(`${p.view.id}: `))?.detail ?? p.closedAs;
      await withSummary('resolveProposal', `${p.closedAs}: ${why}`, { id: p.view.id, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, policyVersion: p.view.policyVersion, resolution: { status: p.closedAs, note: why } });
    } else if (!p.decision && TERMINAL.has(m.status)) {
      await ledger.resolveProposal({ id: p.view.id, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, policyVersion: p.view.policyVersion, resolution: { status: 'withdrawn', note: `invoice ${m.status}` } });
    }
  };

  /** Hands an approved reminder to outreach and waits until it is delivered or no longer needed. */
  const deliver = async (req: ReminderRequest): Promise<'delivered' | 'withdrawn'> => {
    await withSummary('requestReminder', `hand "${req.subject}" to outreach-${m.customerId} (approved by ${req.approvedBy})`, { customerId: m.customerId, request: req });
    const moot = () => TERMINAL.has(m.status) || m.dispute !== null || m.pausedBy !== null || m.status === 'promised';
    await condition(() => delivered.has(req.requestId) || moot());
    const d = delivered.get(req.requestId);
    if (d) {
      if (d.status !== 'suppressed') {
        m.remindersSent++;
        m.lastContactDate = today();
      }
      note(`reminder_${d.status}`, `${req.subject} (${d.detail}${d.batchedWith.length ? `; with ${d.batchedWith.join(', ')}` : ''})`, req.approvedBy);
      return 'delivered';
    }
    await ledger.withdrawReminder({ customerId: m.customerId, requestId: req.requestId });
    note('reminder_withdrawn', `${req.requestId}: no longer needed (${m.status})`);
    return 'withdrawn';
  };

  /** One dunning step: re-read, skip or draft, gate, propose or act, deliver. */
  const runStep = async (step: DunningStep, passedOver: DunningStep[]): Promise<void> => {
    // A read made at this same instant (the start of a late invoice) is fresh enough: no second read.
    // Histories recorded before this change read twice; patched() keeps them replaying.
    const c = lastRead?.at === Date.now() && patched('reuse-same-instant-read') ? lastRead.context : await refresh();
    if (TERMINAL.has(m.status)) return;
    const p = c.policy;
    const stepKey = step.key;
    /** The step is settled (sent, rejected, withdrawn or skipped): it is never planned again, and a broken promise's reminder is spent. */
    const markDone = () => {
      m.doneStepKeys.push(step.key, ...passedOver.map((s) => s.key));
      m.promiseMissed = null;
    };
    const skip = skipReason(c);
    if (skip) {
      markDone();
      note('step_skipped', `${stepKey}: ${skip}`);
      await ledger.recordAudit({ idempotencyKey: `${workflowId}/${stepKey}/skipped`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'step_skipped', actor: 'system', reasoning: skip, policyVersion: p.version });
      return;
    }
    if (step.kind === 'handoff') {
      markDone();
      m.status = 'handed_off';
      const reason = `${m.remindersSent} reminder(s) sent, last on ${m.lastContactDate ?? 'never'}; ${toDecimal(m.openMinor, m.currency)} ${m.currency} still open; handed to ${p.owners.collections} with the full history`;
      note('handed_off', reason);
      await ledger.recordAudit({ idempotencyKey: `${workflowId}/${step.key}/handoff`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'handed_off', actor: 'system', reasoning: reason, policyVersion: p.version, details: { owner: p.owners.collections, actions: m.actions.slice(-20) } });
      return;
    }
    const todayDate = today();
    const draftInvoice: DraftInvoice = { number: m.invoiceNumber, currency: m.currency, openMinor: m.openMinor, amountMinor: m.amountMinor, dueDate: m.dueDate, poNumber: c.invoice.poNumber };
    const tone = effectiveTone(step, m.remindersSent > 0);
    const draft = draftReminder({ customerName: c.customer.name, contactName: c.customer.contactName, locale: c.customer.locale, tone, today: todayDate, invoices: [draftInvoice] });
    const reasoning = explainStep({
      step: { ...step, tone },
      ladder: ladder(p),
      tier: m.tier,
      today: todayDate,
      dueDate: m.dueDate,
      currency: m.currency,
      amountMinor: m.amountMinor,
      openMinor: m.openMinor,
      locale: m.locale,
      remindersSent: m.remindersSent,
      lastContactDate: m.lastContactDate,
      passedOver,
      promiseMissed: m.promiseMissed,
    });
    const gate = autonomyGate({ action: 'reminder', tier: m.tier, segment: m.segment, currency: m.currency, amountMinor: m.openMinor, noTouch: false }, p.autonomy);
    let approvedBy = `autonomy:policy-v${p.version}`;
    let subject = draft.subject;
    let body = draft.body;
    let edited = false;
    if (gate.mode === 'supervised') {
      // A superseded proposal (partial payment) is re-drafted under a new id: ids are never reused.
      const attempt = m.actions.filter((a) => a.kind === 'proposal_superseded' && a.detail.startsWith(`${workflowId}/${stepKey}`)).length;
      const id = `${workflowId}/${stepKey}${attempt ? `/r${attempt}` : ''}`;
      pending = {
        view: { id, stepKey, tone, subject, body, reasoning, policyVersion: p.version, proposedAt: now().toISOString(), escalated: false },
        actionKind: 'reminder',
        decision: null,
        closedAs: null,
      };
      await withSummary('recordProposal', `propose "${subject}" — ${reasoning}`, { id, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, actionKind: 'reminder', stepKey, tone, subject, body, reasoning: `${reasoning}. Gate: ${gate.reason}`, policyVersion: p.version, currency: m.currency, amountMinor: m.openMinor });
      m.status = 'awaiting_approval';
      note('proposal_created', `${id}: ${subject}`);
      publish(view(), published);
      const current = pending;
      await awaitDecision(current);
      pending = null;
      if (m.status === 'awaiting_approval') m.status = 'open';
      publish(view(), published);
      if (current.closedAs === 'superseded') return; // re-planned: the same step is drafted again
      if (!current.decision) {
        // Withdrawn: the step is done (a "promise missed" one too: re-proposing it would reuse its id).
        markDone();
        return;
      }
      if (current.decision.decision === 'reject') {
        markDone();
        note('proposal_rejected', `${id}: ${current.decision.reason}`, current.decision.by);
        return;
      }
      approvedBy = current.decision.by;
      subject = current.decision.edits?.subject ?? subject;
      body = current.decision.edits?.body ?? body;
      edited = !!current.decision.edits;
      note('proposal_approved', `${id}${edited ? ' (edited)' : ''}`, approvedBy);
      // A decision can come days after the draft: read the ledger again before anything is sent.
      if (patched('reread-before-delivery')) {
        const now = await refresh();
        const stop = TERMINAL.has(m.status) ? `the invoice is ${m.status}` : skipReason(now);
        if (stop) {
          markDone();
          note('step_skipped', `${stepKey}: approved, but not sent: ${stop}`);
          await ledger.recordAudit({ idempotencyKey: `${workflowId}/${stepKey}/not-sent`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'step_skipped', actor: 'system', reasoning: `approved by ${approvedBy}, but not sent: ${stop}`, policyVersion: now.policy.version, approvedBy });
          return;
        }
      }
    } else {
      note('autonomous', `${stepKey}: ${gate.reason}`);
    }
    markDone();
    await deliver({
      requestId: `${workflowId}/${stepKey}`,
      invoiceWorkflowId: workflowId,
      invoiceNumber: m.invoiceNumber,
      invoice: draftInvoice,
      customerName: c.customer.name,
      contactName: c.customer.contactName,
      locale: c.customer.locale,
      tone,
      subject,
      body,
      reasoning,
      policyVersion: p.version,
      approvedBy,
      edited,
    });
  };

  /** A write-off asked for by a dispute resolution: always a person's decision. */
  const proposeWriteOff = async (req: { disputeId: string; reason: string; requestedBy: string }): Promise<void> => {
    const p = policy ?? (await refresh()).policy;
    const id = `${workflowId}/write-off-${req.disputeId}`;
    const reasoning = `dispute ${req.disputeId} resolved as a write-off by ${req.requestedBy}: ${req.reason}; ${m.openMinor} ${m.currency} would be written off`;
    pending = {
      view: { id, stepKey: 'write-off', tone: 'final', subject: `Write off ${m.invoiceNumber}`, body: reasoning, reasoning, policyVersion: p.version, proposedAt: now().toISOString(), escalated: false },
      actionKind: 'write_off',
      decision: null,
      closedAs: null,
    };
    await withSummary('recordProposal', `propose write-off of ${toDecimal(m.openMinor, m.currency)} ${m.currency}`, { id, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, actionKind: 'write_off', stepKey: 'write-off', tone: 'final', subject: pending.view.subject, body: reasoning, reasoning, policyVersion: p.version, currency: m.currency, amountMinor: m.openMinor });
    note('proposal_created', `${id}: write-off`);
    publish(view(), published);
    const current = pending;
    await awaitDecision(current);
    pending = null;
    writeOffRequested = null;
    if (current.decision?.decision === 'approve') {
      await ledger.writeOff({ id: `write-off-${m.invoiceNumber}-${req.disputeId}`, invoiceNumber: m.invoiceNumber, disputeId: req.disputeId, amountMinor: m.openMinor, currency: m.currency, reason: req.reason, approvedBy: current.decision.by });
      m.openMinor = 0;
      m.dispute = null;
      m.status = 'written_off';
    } else if (current.decision) {
      // Rejected: the dispute stays open with its owner.
      note('write_off_rejected', current.decision.reason ?? '', current.decision.by);
    }
  };

  /** Promise date plus grace has passed: kept, partly kept, or broken. */
  const checkPromise = async (): Promise<void> => {
    const promise = m.promise!;
    await refresh();
    if (TERMINAL.has(m.status)) {
      await ledger.closePromise({ id: promise.id, status: 'kept' });
      m.promise = null;
      return;
    }
    const paidSince = promise.openAtPromise - m.openMinor;
    const kept = promise.amountMinor !== null ? paidSince >= promise.amountMinor : false;
    await ledger.closePromise({ id: promise.id, status: kept ? 'kept' : 'broken' });
    m.promise = null;
    m.status = 'open';
    if (kept) {
      note('promise_kept', `${paidSince} ${m.currency} paid since the promise; ${m.openMinor} still open`);
    } else {
      m.promiseMissed = { id: promise.id, date: promise.date };
      note('promise_broken', `nothing${paidSince > 0 ? ` beyond ${paidSince}` : ''} paid by ${promise.date}; a "promise missed" reminder follows`);
    }
  };

  if (!input.carried) {
    const c = await refresh();
    m.currency = c.invoice.currency;
    m.amountMinor = c.invoice.amountMinor;
    m.dueDate = c.invoice.dueDate;
    if (c.invoice.status === 'void') m.status = 'closed';
    loaded = true;
    if (c.openDispute) {
      const d = c.openDispute;
      m.dispute = { id: d.id, reason: d.reason, owner: d.owner ?? c.policy.owners.disputes, deadline: d.deadline ?? addDays(today(), c.policy.disputeDeadlineDays), escalated: false };
      m.status = 'disputed';
      note('dispute_adopted', `the ledger has open dispute ${d.id} (${d.reason}); dunning waits for its resolution`);
    }
    upsertSearchAttributes([
      { key: SA.invoiceNumber, value: m.invoiceNumber },
      { key: SA.customerId, value: m.customerId },
      { key: SA.tier, value: m.tier },
      { key: SA.currency, value: m.currency },
    ]);
  }
  publish(view(), published);
  while (!TERMINAL.has(m.status)) {
    if (reloadPolicy || !policy) await refresh();
    if (TERMINAL.has(m.status)) break;
    publish(view(), published);

    if (workflowInfo().historyLength > (input.continueAsNewAfterEvents ?? HISTORY_LIMIT) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      note('continued_as_new', `history reached ${workflowInfo().historyLength} events`);
      await continueAsNew<typeof invoiceWorkflow>({ ...input, carried: m });
    }

    if (writeOffRequested) {
      await proposeWriteOff(writeOffRequested);
      continue;
    }
    if (m.dispute) {
      const d = m.dispute;
      nextStep = null;
      publish(view(), published);
      const deadline = new Date(`${d.deadline}T00:00:00Z`);
      const woke = d.escalated ? (await condition(() => m.dispute !== d || writeOffRequested !== null || TERMINAL.has(m.status)), true) : await sleepUntil(deadline, `dispute ${d.id} deadline ${d.deadline}`);
      if (!woke && m.dispute === d && !d.escalated) {
        d.escalated = true;
        note('dispute_escalated', `deadline ${d.deadline} passed; escalated beyond ${d.owner}`);
        await ledger.recordAudit({ idempotencyKey: `${workflowId}/dispute-${d.id}/escalated`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'dispute_escalated', actor: 'system', reasoning: `dispute ${d.id} unresolved at its deadline ${d.deadline}`, details: { owner: d.owner } });
      }
      continue;
    }
    if (m.pausedBy) {
      nextStep = null;
      publish(view(), published);
      await condition(() => m.pausedBy === null || TERMINAL.has(m.status) || m.dispute !== null);
      continue;
    }
    if (m.promise) {
      nextStep = { key: 'promise-check', at: new Date(`${m.promise.holdUntil}T00:00:00Z`).toISOString() };
      publish(view(), published);
      const promise = m.promise;
      const woke = await sleepUntil(new Date(nextStep.at), `hold for promise to pay by ${promise.date}`);
      if (!woke && m.promise === promise) await checkPromise();
      continue;
    }
    if (m.status === 'handed_off') {
      nextStep = null;
      publish(view(), published);
      // A person works the account now; the workflow only listens for cash, disputes and closure.
      const seen = wakeups;
      await condition(() => wakeups !== seen || TERMINAL.has(m.status));
      continue;
    }

    const l = ladder(policy!);
    const plan = m.promiseMissed
      ? ({ kind: 'step', step: promiseMissedStep(m.promiseMissed.id), at: nextSendTime(now(), policy!.sendWindow, m.timezone), passedOver: [] } as const)
      : planNextStep({
          dueDate: m.dueDate,
          ladder: l,
          doneStepKeys: m.doneStepKeys,
          anyContactMade: m.remindersSent > 0,
          now: now(),
          timezone: m.timezone,
          sendWindow: policy!.sendWindow,
          // Histories from before the grace handed off at once; patched() keeps them replaying.
          ...(patched('handoff-grace-after-contact') ? { lastContactDate: m.lastContactDate, handoffGraceDays: policy!.handoffGraceDays } : {}),
        });
    if (plan.kind === 'finished') {
      // Reached when the hand-off step itself was skipped (no-touch, below the minimum): a person still takes over.
      m.status = 'handed_off';
      const owner = policy!.owners.collections;
      const reason = `no steps left on the ladder; ${m.remindersSent} reminder(s) sent; ${m.openMinor} ${m.currency} still open; handed to ${owner}`;
      note('ladder_finished', reason);
      await ledger.recordAudit({ idempotencyKey: `${workflowId}/ladder-finished/handoff`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'handed_off', actor: 'system', reasoning: reason, policyVersion: m.policyVersion, details: { owner, actions: m.actions.slice(-20) } });
      continue;
    }
    nextStep = { key: plan.step.key, at: plan.at.toISOString() };
    publish(view(), published);
    if (plan.at.getTime() > Date.now()) {
      const woke = await sleepUntil(plan.at, `${nextStep.key} at ${nextStep.at} (${m.timezone})`);
      if (woke) continue; // a message arrived: re-plan with what it changed
    }
    nextStep = null;
    try {
      await runStep(plan.step, [...plan.passedOver]);
    } catch (err) {
      // A step whose activities exhausted their retries is logged and retried later, never fatal.
      log.error('dunning step failed; retrying in an hour', { step: plan.step.key, error: String(err) });
      note('step_failed', `${plan.step.key}: ${String(err)}`);
      const stuck = pending as PendingProposal | null;
      if (stuck && !stuck.decision) stuck.closedAs = 'superseded';
      pending = null;
      if (m.status === 'awaiting_approval') m.status = 'open';
      await sleep('1 hour');
    }
  }

  // ---- closing -----------------------------------------------------------------------------
  nextStep = null;
  if (m.status === 'paid') {
    const { ledgerOpenMinor } = await ledger.confirmPaidInLedger({ invoiceNumber: m.invoiceNumber, workflowId });
    if (ledgerOpenMinor > 0) note('ledger_mismatch', `the ledger still shows ${ledgerOpenMinor} ${m.currency} open; a person must reconcile`);
  }
  if (m.promise) {
    // Closed during a promise's hold (paid in full, or closed in the ledger): settled as checkPromise does.
    await ledger.closePromise({ id: m.promise.id, status: 'kept' });
    if (m.status === 'paid') note('promise_kept', `paid in full before ${m.promise.holdUntil}`);
    m.promise = null;
  }
  await ledger.recordAudit({ idempotencyKey: `${workflowId}/closed`, workflowId, invoiceNumber: m.invoiceNumber, customerId: m.customerId, action: 'invoice_closed', actor: 'system', reasoning: `closed as ${m.status}; ${m.remindersSent} reminder(s) sent`, policyVersion: m.policyVersion });
  note('closed', m.status);
  publish(view(), published);
  await condition(allHandlersFinished);
  return { invoiceNumber: m.invoiceNumber, status: m.status, openMinor: m.openMinor, remindersSent: m.remindersSent };
}
