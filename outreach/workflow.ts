/**
 * outreach-<customer id>: the one voice a customer hears. Invoice workflows hand it approved
 * reminders; it merges those due together into one message, holds them inside the customer's send
 * window and enforces the contact caps across all of the customer's invoices, then confirms
 * delivery to each invoice workflow.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OutreachActivities as Activities } from './activities';
import { earliestContactTime, type ContactCaps } from './contact-caps';
import { batchWaitUntil } from './batch-window';
import { mergeApproved } from './merge';
import { localParts, nextSendTime } from '../domain/calendar';
import { draftReminder } from '../domain/drafting';
import { TONES, type Tone } from '../domain/policy-terms';
import { reminderDeliveredSignal } from '../collections/messages';
import { outreachSignalPayload } from './message-schemas';
import {
  outreachPolicyChangedSignal,
  outreachStateQuery,
  requestReminderSignal,
  sendsResumedSignal,
  withdrawReminderSignal,
  type ReminderRequest,
} from './messages';

interface OutreachInput {
  customerId: string;
  carried?: { contactTimes: number[]; queue: ReminderRequest[]; deliveredIds: string[] };
}

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 50 },
});

/**
 * Delivery is one outbox write and one provider call. A worker that dies mid-call is detected by
 * this timeout and the retry reuses the same outbox key (and Resend Idempotency-Key).
 */
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 50 },
});

/**
 * The short reads (rules, other invoices' next steps, the kill switch) as local activities: a
 * marker each in the workflow task that asked, where an activity cost five more events and a
 * workflow task of its own (issue 15: most of a reminder's events in outreach were these reads).
 * Same retry policy; a read retried after a crash reads again, which is all a read does. Delivery
 * stays an activity: scheduled only by a completed workflow task, what it sends is what the
 * history decided (collections/steps.ts says why writes are not local).
 */
const localReads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 50 },
});

const IDLE_COMPLETE_AFTER = '30 days';

export async function outreachWorkflow(input: OutreachInput): Promise<void> {
  const queue: ReminderRequest[] = input.carried?.queue ?? [];
  const contactTimes: number[] = input.carried?.contactTimes ?? [];
  // Remembered so a duplicate request (an invoice activity retried) is not sent twice.
  const deliveredIds: string[] = input.carried?.deliveredIds ?? [];
  let nextSendAt: Date | null = null;
  let changes = 0;
  // The kill switch: resumes counts sendsResumed signals; held is what the switch said when it held us.
  let resumes = 0;
  let held: { by: string | null; reason: string | null; since: string | null } | null = null;
  let releasedFromHold = false;
  let policyChanges = 0;
  // Hand-overs retried after their request went out ('outreach-answers-late-hand-overs'): the
  // first answer came after that attempt timed out, so the invoice learned the delivery by signal,
  // and the retry would otherwise stay open, timing out and retrying. Answered at the next wait.
  const lateHandOvers: { requestId: string; completion: string }[] = [];
  // The message being delivered, and the fresh tokens of hand-overs retried meanwhile
  // ('outreach-adopts-in-flight-hand-overs'): such a request is neither queued nor delivered yet,
  // and queueing it again would send it a second time (under another outbox key if its batch differs).
  let inFlight: ReminderRequest[] = [];
  const retriedInFlight = new Map<string, string>();

  // A payload that breaks its schema is logged and ignored: it must not reach the queue or the email.
  setHandler(requestReminderSignal, (payload) => {
    const r = outreachSignalPayload('requestReminder', payload, (m) => log.warn(m));
    if (!r) return;
    if (deliveredIds.includes(r.requestId)) {
      if (r.completion && patched('outreach-answers-late-hand-overs'))
        lateHandOvers.push({ requestId: r.requestId, completion: r.completion });
      return;
    }
    // A retried hand-over brings the same request with a fresh completion token: the queued one adopts it.
    const queued = queue.find((q) => q.requestId === r.requestId);
    if (queued) {
      if (r.completion) queued.completion = r.completion;
      return;
    }
    // Asked only when it happens: histories without such a retry replay without a marker.
    if (inFlight.some((q) => q.requestId === r.requestId) && patched('outreach-adopts-in-flight-hand-overs')) {
      if (r.completion) retriedInFlight.set(r.requestId, r.completion);
      return;
    }
    queue.push(r);
    changes++;
  });
  setHandler(withdrawReminderSignal, (payload) => {
    const withdraw = outreachSignalPayload('withdrawReminder', payload, (m) => log.warn(m));
    if (!withdraw) return;
    const { requestId } = withdraw;
    const i = queue.findIndex((q) => q.requestId === requestId);
    if (i >= 0) queue.splice(i, 1);
    changes++;
  });
  setHandler(sendsResumedSignal, () => void resumes++);
  setHandler(outreachPolicyChangedSignal, () => void policyChanges++);
  setHandler(outreachStateQuery, () => ({
    customerId: input.customerId,
    queued: queue.map((q) => q.requestId),
    inFlight: inFlight.map((q) => q.requestId),
    recentContacts: contactTimes.map((t) => new Date(t).toISOString()),
    nextSendAt: nextSendAt?.toISOString() ?? null,
    sendsHeld: held,
  }));

  // Decided once per run, at its start: runs recorded before it read through activities; they
  // replay as they ran. Runs before 'outreach-send-at-once' also started the batch window's timer
  // when no time was left (a timer and a workflow task per message, issue 15); now a message with
  // nothing to wait for is sent in the task that read so. A withdrawal that comes after still
  // finds the last gate: delivery hands back a message whose quoted balance the ledger no longer shows.
  // 'outreach-one-read' (issue 15): the reads before a message in one local activity, and the
  // delivery activity tells the invoices itself; a run with it began on code with every patch below.
  const oneRead = patched('outreach-one-read');
  const sendAtOnce = oneRead || patched('outreach-send-at-once');
  const lean = sendAtOnce || patched('outreach-local-reads');
  const reads = lean ? localReads : acts;
  // The patches before it: a run that has it began on code with all of them, so they hold
  // without a marker and a search attribute upsert each.
  const has = (name: string) => lean || patched(name);

  /** The batch leaves flight: its requests with the token of a hand-over retried meanwhile. */
  const adoptRetried = (batch: ReminderRequest[]) => {
    inFlight = [];
    const retried = batch.flatMap((request) => {
      const completion = retriedInFlight.get(request.requestId);
      return completion ? [{ request, completion }] : [];
    });
    retriedInFlight.clear();
    return retried;
  };

  /** A batch not sent goes back to the head of the queue, with the token of any attempt retried meanwhile (answered at the next wait). */
  const backInQueue = (batch: ReminderRequest[]) => {
    for (const b of adoptRetried(batch)) b.request.completion = b.completion;
    queue.unshift(...batch);
  };

  /** A hand-over arrived while the queue waits: the wait wakes to answer it, then goes on. */
  const unanswered = () => lateHandOvers.length > 0 || queue.some((q) => q.completion !== undefined);
  /**
   * Before the queue waits: an invoice whose hand-over activity waits for this delivery (requests
   * from invoices on 'lean-lifecycle' carry its token) is told at once that the message is queued,
   * so no activity stays open through the wait; the delivery reaches it later as a signal. Asked
   * only when such a request is queued: histories without one replay as they ran. A token is
   * used once whatever happens: if the answer cannot be given, the invoice's attempt times out and
   * the delivery's signal still reaches it.
   */
  const answerHeld = async (why: string): Promise<void> => {
    const waiting = queue.filter((q) => q.completion);
    const late = lateHandOvers.splice(0);
    if (waiting.length === 0 && late.length === 0) return;
    // Late ones exist only on code with both patches, so asking here records no new marker for them.
    if (patched('outreach-answers-held-hand-overs')) {
      const answers = [
        ...waiting.map((q) => ({ completion: q.completion!, answer: { requestId: q.requestId, queued: true as const, detail: why } })),
        ...late.map(({ requestId, completion }) => ({
          completion,
          answer: { requestId, queued: true as const, detail: 'delivered before this attempt: the invoice was told by signal' },
        })),
      ];
      try {
        await localReads.answerHandOvers({ answers });
      } catch (err) {
        log.warn("could not answer the invoices' hand-overs; they learn on delivery", { error: String(err) });
      }
    }
    for (const q of waiting) delete q.completion;
  };

  while (true) {
    if (queue.length === 0) {
      nextSendAt = null;
      const got = await condition(() => queue.length > 0 || lateHandOvers.length > 0, IDLE_COMPLETE_AFTER);
      if (lateHandOvers.length > 0) {
        await answerHeld('idle');
        if (queue.length === 0) continue;
      }
      if (!got) {
        await condition(allHandlersFinished);
        return; // idle for a month: every contact is outside any cap window; the next request starts afresh
      }
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5_000) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof outreachWorkflow>({
        customerId: input.customerId,
        carried: { contactTimes, queue, deliveredIds: deliveredIds.slice(-500) },
      });
    }

    // One read of rules, other invoices' next steps and the kill switch ('outreach-one-read'), or
    // the three reads of the runs before it, at the points they made them.
    const context = oneRead
      ? await localReads.loadOutreachContext({
          customerId: input.customerId,
          exceptInvoices: releasedFromHold ? null : queue.map((q) => q.invoiceNumber),
        })
      : null;
    // The switch read with the context holds only until this run waits for anything.
    let waited = false;
    let rules = context?.rules ?? (await reads.loadOutreachRules(input.customerId));
    // Give other invoices of this customer due in the same window the chance to join this message.
    // Messages released from a hold have waited long enough: no second batch window.
    if (!releasedFromHold) {
      const firstQueued = changes;
      const batchStart = Date.now();
      // Wait only as long as another reminder of this customer falls due inside the window (histories
      // from before this read wait the whole window, as they ran).
      const others = context
        ? context.others
        : rules.batchWindowMinutes > 0 && has('batch-until-next-due')
          ? await reads.remindersDueSoon({ customerId: input.customerId, exceptInvoices: queue.map((q) => q.invoiceNumber) })
          : null;
      // A policy published meanwhile re-reads the window and waits only what is left of the new one.
      // Without such a signal (every history before it) this is the one timer it always was.
      while (true) {
        const seenPolicy = policyChanges;
        const remaining = Math.max(0, batchWaitUntil(batchStart, rules.batchWindowMinutes, others) - Date.now());
        if (remaining === 0 && sendAtOnce) break;
        // The summary is metadata on the timer, not a command: histories without it replay the same.
        const latest = new Date(Date.now() + remaining).toISOString();
        await answerHeld(`batched with this customer's other reminders due soon; sent at ${latest} at the latest`);
        waited = true;
        const woke = await condition(
          () => (changes !== firstQueued && queue.length === 0) || policyChanges !== seenPolicy || unanswered(),
          remaining,
          {
            summary: `batching ${queue.map((q) => q.invoiceNumber).join(', ')} for ${input.customerId}: sending at ${latest} at the latest (batch window ${rules.batchWindowMinutes} min)`,
          },
        );
        if (woke && policyChanges === seenPolicy && queue.length > 0 && unanswered()) continue; // answer it, wait the rest
        if (!woke || policyChanges === seenPolicy) break;
        rules = await reads.loadOutreachRules(input.customerId);
      }
    }
    releasedFromHold = false;
    if (queue.length === 0) continue;

    const now = Date.now();
    const allowed = earliestContactTime(contactTimes, now, rules.caps);
    // No holidays in rules recorded before they existed, nor under the default policy: the same timer as ever.
    nextSendAt = nextSendTime(new Date(Math.max(now, allowed)), rules.sendWindow, rules.timezone, new Set(rules.holidays ?? []));
    while (nextSendAt.getTime() > Date.now()) {
      await answerHeld(`held by the contact caps or the send window until ${nextSendAt.toISOString()}`);
      waited = true;
      const woke = await condition(() => queue.length === 0 || unanswered(), nextSendAt.getTime() - Date.now(), {
        summary: `contact caps / send window: next message to ${input.customerId} at ${nextSendAt.toISOString()}`,
      });
      if (!woke || queue.length === 0) break;
    }
    if (queue.length === 0) continue;

    // The kill switch, read at the last moment: while it holds, the messages wait here (the invoice
    // workflows keep their schedules) and are re-checked against caps and window when it releases.
    if (has('kill-switch')) {
      const sends = context && !waited ? context.sends : await reads.readSendsSwitch();
      if (sends.held) {
        held = { by: sends.by, reason: sends.reason, since: sends.since };
        await answerHeld(`sends paused by ${sends.by}: ${sends.reason}`);
        const seen = resumes;
        await condition(() => resumes !== seen || queue.length === 0 || unanswered(), '10 minutes', {
          summary: `sends paused by ${sends.by} since ${sends.since}: ${sends.reason} (holding ${queue.length} message(s) for ${input.customerId})`,
        });
        held = null;
        releasedFromHold = true;
        continue;
      }
    }

    // A merged message was re-drafted, so no approver had seen its text; now it is made of the
    // approved texts alone, edited ones included (defect 9e). Asked only when there is something to merge.
    const approvedTextsOnly = queue.length > 1 && has('merge-approved-texts');
    const batch = approvedTextsOnly ? queue.splice(0) : takeBatch(queue);
    const message = approvedTextsOnly ? mergeApproved(batch) : compose(batch, localParts(new Date(Date.now()), rules.timezone).date);
    // Each request is in exactly one message, so the first request id names the message for good.
    const outboxKey = `${workflowInfo().workflowId}/${batch.map((b) => b.requestId).sort()[0]}`;
    // The balance each text quotes, so the last gate can hand back a message the ledger has
    // overtaken while it waited here (issue 13, 9d). Histories from before send without it.
    const quoteBalances = has('deliver-checks-quoted-balance');
    let result: Awaited<ReturnType<typeof delivery.deliverEmail>>;
    inFlight = batch;
    try {
      result = await delivery.deliverEmail.executeWithOptions(
        { summary: `send "${message.subject}" for ${batch.map((b) => b.invoiceNumber).join(', ')}` },
        [
          {
            outboxKey,
            customerId: input.customerId,
            subject: message.subject,
            body: message.body,
            ...(oneRead ? { confirmDelivery: true as const } : {}),
            // Counted from the outbox under the customer's lock: an invoice may have sent a reminder at once meanwhile.
            caps: rules.caps,
            contactAt: new Date(Date.now()).toISOString(),
            requests: batch.map(
              ({
                requestId,
                invoiceWorkflowId,
                invoiceNumber,
                reasoning,
                policyVersion,
                approvedBy,
                edited,
                tone,
                invoice,
                completion,
              }) => ({
                requestId,
                ...(completion ? { completion } : {}),
                invoiceWorkflowId,
                invoiceNumber,
                reasoning,
                policyVersion,
                approvedBy,
                edited,
                tone,
                ...(quoteBalances ? { quotedOpenMinor: invoice.openMinor } : {}),
              }),
            ),
          },
        ],
      );
    } catch (err) {
      log.error('delivery failed; the requests go back in the queue', { outboxKey, error: String(err) });
      backInQueue(batch);
      await condition(() => false, '1 hour');
      continue;
    }
    // Held back by a reminder an invoice sent at once (outreach/at-once.ts) since this run counted its
    // contacts: the outbox's count is the truth, and the batch waits for the caps like any other.
    // Only runs on code that claims under the caps get 'capped', so no patch: older histories never saw it.
    if (result.status === 'capped') {
      contactTimes.splice(0, contactTimes.length, ...(result.contactTimes ?? []));
      backInQueue(batch);
      releasedFromHold = true; // it has had its batch window
      continue;
    }
    // 'stale' is nothing sent (only histories with deliver-checks-quoted-balance have it).
    if (result.status !== 'suppressed' && result.status !== 'stale') contactTimes.push(Date.now());
    pruneContacts(contactTimes, rules.caps);
    for (const b of batch) deliveredIds.push(b.requestId);
    // The delivery's answer went to the attempt that handed it over (or, that attempt gone, by
    // signal); a retried attempt is answered at the next wait, as one that came after the delivery.
    for (const b of adoptRetried(batch)) lateHandOvers.push({ requestId: b.request.requestId, completion: b.completion });
    // Told by the delivery itself (it had a Temporal client): no signal commands, no task to resolve them.
    if (result.confirmed) continue;
    const sentAt = new Date(Date.now()).toISOString();
    for (const b of batch) {
      try {
        await getExternalWorkflowHandle(b.invoiceWorkflowId).signal(reminderDeliveredSignal, {
          requestId: b.requestId,
          outboxKey,
          batchedWith: batch.filter((x) => x !== b).map((x) => x.invoiceNumber),
          sentAt,
          status: result.status,
          detail: result.detail,
        });
      } catch (err) {
        // The invoice workflow may have closed meanwhile; the audit trail has the delivery.
        log.warn('could not confirm delivery to invoice workflow', { workflowId: b.invoiceWorkflowId, error: String(err) });
      }
    }
  }
}

/**
 * Which queued requests went out together in histories from before mergeApproved: a person's
 * edited draft on its own, unedited drafts merged into one re-drafted message.
 */
function takeBatch(queue: ReminderRequest[]): ReminderRequest[] {
  const edited = queue.findIndex((q) => q.edited);
  if (edited === 0) return queue.splice(0, 1);
  const unedited = queue.filter((q) => !q.edited);
  for (const u of unedited) queue.splice(queue.indexOf(u), 1);
  return unedited;
}

/** Histories from before mergeApproved: unedited drafts merged by re-drafting. */
function compose(batch: ReminderRequest[], today: string): { subject: string; body: string } {
  if (batch.length === 1) return { subject: batch[0]!.subject, body: batch[0]!.body };
  const tone = batch.map((b) => b.tone).reduce<Tone>((a, b) => (TONES.indexOf(b) > TONES.indexOf(a) ? b : a), 'friendly');
  const first = batch[0]!;
  const draft = draftReminder({
    customerName: first.customerName,
    contactName: first.contactName,
    locale: first.locale,
    tone,
    today,
    invoices: batch.map((b) => b.invoice),
  });
  return { subject: draft.subject, body: draft.body };
}

function pruneContacts(times: number[], caps: ContactCaps): void {
  const horizon = Date.now() - caps.perDays * 86_400_000;
  while (times.length && times[0]! < horizon) times.shift();
}
