/**
 * invoice-<number>: works one open invoice to cash, the way a careful collector would.
 *
 * Plan the next dunning step → sleep until then (waking early on any message) → re-read the
 * invoice → skip if there is nothing to do → draft with reasoning → the autonomy gate decides:
 * act, or propose and wait for a person → deliver through the customer's outreach workflow.
 * Payments, promises, disputes and pauses arrive as Updates and change the course.
 * The rules live in InvoiceCase (invoice-case.ts); this file wires Temporal to it.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { InvoiceCase, type InvoiceMemory } from './invoice-case';
import { signalPayload } from './message-schemas';
import { InvoiceSteps } from './steps';
import type { Refusal } from './refusals';
import {
  decideProposalUpdate,
  disputeOpenedUpdate,
  disputeResolvedUpdate,
  invoiceStateQuery,
  ledgerChangedSignal,
  ledgerClosedSignal,
  pauseUpdate,
} from './messages';
import { paymentAppliedUpdate, policyChangedSignal, promiseToPayUpdate, reminderDeliveredSignal, resumeUpdate } from './messages';
import { SA } from '../temporal/search-attributes';

// The ar-ledger-sync schedule's workflow lives in this room; the worker's bundle loads rooms' workflow files.
export { ledgerSyncWorkflow } from './ledger-sync-workflow';

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

/** Beyond this many events the workflow continues as new, carrying its memory. */
const HISTORY_LIMIT = 2_000;

/** A validator's refusal: non-retryable, typed, never written to history. */
function refuseIf(refusal: Refusal | null): void {
  if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
}

const now = () => new Date(Date.now());

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceWorkflowResult> {
  // Handlers are registered before the first await, so the case exists from the start:
  // carried over, or a skeleton that the first ledger read fills in.
  const invoice = InvoiceCase.start({ workflowId: workflowInfo().workflowId, ...input });
  const steps = new InvoiceSteps(invoice);
  // Decided once per run, before anything else: runs recorded before it re-read and recorded
  // decisions through activities, and replay as they ran. A run that has it began on code with
  // every earlier patch, so steps.has() answers those without a marker of their own.
  // 'one-write-decisions' (issue 15) began on code with 'local-ledger-calls' and all before it.
  // 'publish-settled-decision' (issue 15) began on code with 'one-write-decisions'.
  // 'lean-lifecycle' (issue 15) began on code with 'publish-settled-decision', 'replan-on-newer-policy'
  // and all before them: one marker per run where there were two.
  // 'local-decision-rows' (issue 15) began on code with 'lean-lifecycle'.
  // 'publish-on-hand-over-answer' (issue 15) began on code with 'local-decision-rows'.
  steps.publishOnAnswer = patched('publish-on-hand-over-answer');
  steps.localDecisionRows = steps.publishOnAnswer || patched('local-decision-rows');
  steps.lean = steps.localDecisionRows || patched('lean-lifecycle');
  steps.settledPublish = steps.lean || patched('publish-settled-decision');
  steps.oneWrite = steps.settledPublish || patched('one-write-decisions');
  steps.local = steps.oneWrite || patched('local-ledger-calls');
  // Decided once per run: runs recorded before it keep the stage they published.
  invoice.honestStage = steps.has('honest-stage');
  const memory = invoice.memory;
  // Messages only wake the main loop; it publishes search attributes once per change of course.
  let wakeups = 0;
  const wake = () => void wakeups++;
  /** Sleeps until `until` or any message, whichever comes first. Returns true if a message woke it. */
  const sleepUntil = async (until: Date, summary: string): Promise<boolean> => {
    const seen = wakeups;
    return condition(() => wakeups !== seen || invoice.isClosed, Math.max(0, until.getTime() - Date.now()), { summary });
  };

  // ---- messages ----------------------------------------------------------------------------
  setHandler(invoiceStateQuery, () => invoice.view());
  setHandler(
    decideProposalUpdate,
    async (decision) => {
      const pending = invoice.decide(decision);
      wake();
      return steps.recordDecision(pending, decision);
    },
    { validator: (decision) => refuseIf(invoice.refuseDecision(decision)) },
  );
  setHandler(
    paymentAppliedUpdate,
    async (payment) => {
      if (invoice.isNewPayment(payment.paymentId)) {
        invoice.rememberPayment(payment.paymentId);
        // Cash application posts the allocation to the ledger before it tells the workflow, so the
        // ledger already has it: adopt its balance (subtracting again would count it twice).
        const fromLedger = steps.has('payment-balance-from-ledger');
        if (fromLedger) await steps.refresh();
        invoice.applyPayment(payment, now(), { subtract: !fromLedger });
        wake();
      }
      return { openMinor: memory.openMinor, status: memory.status };
    },
    { validator: (payment) => refuseIf(invoice.refusePayment(payment)) },
  );
  setHandler(
    promiseToPayUpdate,
    async (promise) => {
      invoice.logPromise(promise, now());
      wake();
      await steps.logPromise(promise);
      return invoice.view();
    },
    { validator: (promise) => refuseIf(invoice.refusePromise(promise, now())) },
  );
  setHandler(
    disputeOpenedUpdate,
    async (opened) => {
      invoice.openDispute(opened, now());
      wake();
      await steps.openDispute(opened);
      return invoice.view();
    },
    { validator: (opened) => refuseIf(invoice.refuseDispute(opened)) },
  );
  setHandler(
    disputeResolvedUpdate,
    async (resolution) => {
      invoice.noteResolution(resolution, now());
      invoice.resolveDispute(resolution, await steps.resolveDispute(resolution));
      wake();
      return invoice.view();
    },
    { validator: (resolution) => refuseIf(invoice.refuseResolution(resolution)) },
  );
  setHandler(pauseUpdate, async (pause) => (invoice.pause(pause, now()), wake(), invoice.view()), {
    validator: (pause) => refuseIf(invoice.refusePause(pause)),
  });
  setHandler(resumeUpdate, async (resume) => (invoice.resume(resume, now()), wake(), invoice.view()), {
    validator: (resume) => refuseIf(invoice.refuseResume(resume)),
  });
  setHandler(policyChangedSignal, () => {
    steps.reloadPolicy = true;
    wake();
  });
  // Signals carry no answer: a payload that breaks its schema is logged and ignored, never let into the state.
  setHandler(ledgerClosedSignal, async (payload) => {
    const closed = signalPayload('ledgerClosed', payload, (m) => log.warn(m));
    if (!closed) return;
    // Anyone can send a signal: the invoice closes only when a re-read of the ledger agrees.
    if (steps.has('ledger-closed-rereads')) {
      // The re-read runs in the handler, so it happens whatever the main loop is waiting for; one at a time.
      if (!invoice.requestLedgerCheck()) return;
      invoice.settleLedgerCheck(await steps.refresh(), now());
      wake();
    } else if (invoice.ledgerClosed(closed.status, now())) wake();
  });
  // Closes only if the re-read says so. A run on older code got such a signal with no handler (the
  // sync may be newer than the worker during a deploy) and did nothing: the patch keeps that replaying.
  setHandler(ledgerChangedSignal, async (payload) => {
    const changed = signalPayload('ledgerChanged', payload, (m) => log.warn(m));
    if (!changed || !steps.has('ledger-changed-signal') || !invoice.requestLedgerCheck()) return;
    invoice.settleLedgerCheck(await steps.refresh(), now(), changed.reason);
    wake();
  });
  setHandler(reminderDeliveredSignal, (payload) => {
    const delivery = signalPayload('reminderDelivered', payload, (m) => log.warn(m));
    if (!delivery) return;
    steps.delivered.set(delivery.requestId, delivery);
    wake();
  });

  // ---- the process -------------------------------------------------------------------------
  if (!input.carried) {
    const first = await steps.refresh();
    invoice.adoptFirstRead(first, now());
    // An invoice that arrives while its account is paused starts paused (checked before patched():
    // histories from before account pauses have none, and replay as they ran).
    const accountPause = first.customer.accountPause;
    if (accountPause && !invoice.isClosed && steps.has('account-pause-at-start'))
      invoice.pause({ by: accountPause.by, reason: `account paused since ${accountPause.since}: ${accountPause.reason}` }, now());
    const identity: SearchAttributeUpdatePair[] = [
      { key: SA.invoiceNumber, value: memory.invoiceNumber },
      { key: SA.customerId, value: memory.customerId },
      { key: SA.tier, value: memory.tier },
      { key: SA.currency, value: memory.currency },
    ];
    // One upsert with the first state ('one-write-decisions'); runs before it upserted twice.
    if (steps.oneWrite) steps.publish(identity);
    else upsertSearchAttributes(identity);
  }
  steps.publish();
  while (!invoice.isClosed) {
    if (steps.reloadPolicy || !invoice.policy) await steps.refresh();
    if (invoice.isClosed) break;
    steps.publish();

    if (workflowInfo().historyLength > (input.continueAsNewAfterEvents ?? HISTORY_LIMIT) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      invoice.note(now(), 'continued_as_new', `history reached ${workflowInfo().historyLength} events`);
      await continueAsNew<typeof invoiceWorkflow>({ ...input, carried: memory });
    }

    // Histories from before the hand-off grace handed off at once; patched() keeps them replaying.
    // A rejected reminder once counted as contact and the hand-off came at once (issue 13, defect 8).
    const action = invoice.nextAction(now(), () => steps.has('handoff-grace-after-contact'), {
      noticeBeforeHandoff: () => steps.has('handoff-after-sent-reminder'),
      // Promise holds and dispute deadlines woke at 00:00 UTC, hours off the customer's day (defect 9b).
      localDayWakeups: () => steps.has('local-day-wakeups'),
    });
    switch (action.kind) {
      case 'finished':
        continue;
      case 'propose-write-off':
        await steps.proposeWriteOff(action.request);
        await steps.writeDecisionLeft();
        continue;
      case 'wait-dispute': {
        invoice.nextStep = null;
        steps.publish();
        const dispute = action.dispute;
        if (action.until === null) {
          await condition(() => memory.dispute !== dispute || invoice.writeOffRequested !== null || invoice.isClosed);
        } else if (!(await sleepUntil(action.until, action.summary)) && memory.dispute === dispute && !dispute.escalated) {
          await steps.escalateDispute();
        }
        continue;
      }
      case 'wait-paused':
        invoice.nextStep = null;
        steps.publish();
        await condition(() => memory.pausedBy === null || invoice.isClosed || memory.dispute !== null);
        continue;
      case 'hold-for-promise': {
        invoice.nextStep = { key: 'promise-check', at: action.until.toISOString() };
        steps.publish();
        const woke = await sleepUntil(action.until, action.summary);
        if (!woke && memory.promise === action.promise) await steps.checkPromise();
        continue;
      }
      case 'wait-handed-off': {
        invoice.nextStep = null;
        steps.publish();
        // A person works the account now; the workflow only listens for cash, disputes and closure.
        const seen = wakeups;
        await condition(() => wakeups !== seen || invoice.isClosed);
        continue;
      }
      case 'ladder-finished':
        // Reached when the hand-off step itself was skipped (no-touch, below the minimum): a person still takes over.
        await steps.finishLadder();
        continue;
      case 'step':
        break;
    }
    invoice.nextStep = { key: action.step.key, at: action.at.toISOString() };
    steps.publish();
    if (action.at.getTime() > Date.now() && (await sleepUntil(action.at, action.summary))) continue; // a message arrived: re-plan
    // A publish wakes only the invoices whose plan it changes (policy/fanout-scope.ts): any other
    // reads the new version here (the step acts on this read), and a plan made under an older
    // version is made again before anything is done on it. Runs without the marker acted on the
    // plan as it stood; the read was the step's own, so no event moves.
    if (steps.lean || patched('replan-on-newer-policy')) {
      const plannedWith = invoice.policy!.version;
      const read = await steps.readForStep();
      if (invoice.isClosed || read.policy.version !== plannedWith) continue;
    }
    invoice.nextStep = null;
    invoice.runningStep = action.step.key;
    try {
      await steps.runStep(action.step, action.passedOver);
      await steps.writeDecisionLeft();
    } catch (err) {
      steps.decisionStepFailed(String(err));
      // A step whose activities exhausted their retries is logged and retried later, never fatal.
      log.error('dunning step failed; retrying in an hour', { step: action.step.key, error: String(err) });
      invoice.note(now(), 'step_failed', `${action.step.key}: ${String(err)}`);
      invoice.dropPendingAfterFailure();
      invoice.runningStep = null;
      await sleep('1 hour');
    } finally {
      invoice.runningStep = null;
    }
  }

  await steps.close();
  await condition(allHandlersFinished);
  return { invoiceNumber: memory.invoiceNumber, status: memory.status, openMinor: memory.openMinor, remindersSent: memory.remindersSent };
}
