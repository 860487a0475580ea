/** InvoiceCase: the invoice workflow's rules, with no Temporal server and no database. */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy';
import { invoiceContext, TEST_POLICY } from '../support/invoice-context';
import { InvoiceCase, blankMemory, type InvoiceMemory, type NextAction } from '../../collections/invoice-case';
import { REFUSALS, refusalKind } from '../../collections/refusals';
import { isConflictType } from '../../apps/http/temporal';

const WORKFLOW_ID = 'invoice-INV-1';
const policy: Policy = TEST_POLICY;
const at = (iso: string) => new Date(iso);
const NOW = at('2026-03-10T12:00:00Z');

const context = invoiceContext;

/** A case that has read the ledger once. */
function loadedCase(read = context()): InvoiceCase {
  const invoice = InvoiceCase.start({ workflowId: WORKFLOW_ID, invoiceNumber: 'INV-1', customerId: 'C1' });
  invoice.adoptLedgerRead(read);
  invoice.adoptFirstRead(read, NOW);
  return invoice;
}

function proposeStep(invoice: InvoiceCase, stepKey = 'overdue-7') {
  const id = invoice.proposalIds.next(stepKey);
  invoice.memory.status = 'awaiting_approval';
  return invoice.propose({
    view: {
      id,
      stepKey,
      tone: 'friendly',
      subject: 's',
      body: 'b',
      reasoning: 'r',
      policyVersion: 3,
      proposedAt: NOW.toISOString(),
      escalated: false,
    },
    actionKind: 'reminder',
  });
}

/** The step of a planned action; fails the test if nothing is planned. */
function stepOf(action: NextAction) {
  if (action.kind !== 'step') throw new Error(`expected a step, got ${action.kind}`);
  return action.step;
}

const pay = (paymentId: string, amountMinor: number, currency = 'USD') => ({ paymentId, amountMinor, currency, by: 'cash-application' });

/** Applies a payment as the workflow does on a history with the ledger read (the balance comes from the ledger). */
function applyFromLedger(invoice: InvoiceCase, payment: ReturnType<typeof pay>, ledgerOpenMinor: number) {
  expect(invoice.refusePayment(payment)).toBeNull();
  if (!invoice.isNewPayment(payment.paymentId)) return;
  invoice.rememberPayment(payment.paymentId);
  invoice.adoptLedgerRead(context({ invoice: { openMinor: ledgerOpenMinor } }));
  invoice.applyPayment(payment, NOW, { subtract: false });
}

describe('refusals table', () => {
  it('keeps the 17 type strings and maps each to invalid or conflict', () => {
    expect(Object.keys(REFUSALS).sort()).toEqual(
      [
        'AlreadyDisputed',
        'AlreadyPaused',
        'DecisionNotRecorded',
        'InvalidDecision',
        'InvalidDispute',
        'InvalidPause',
        'InvalidPayment',
        'InvalidPromise',
        'InvalidResolution',
        'InvalidResume',
        'InvoiceClosed',
        'InvoiceDisputed',
        'NoDispute',
        'NotPaused',
        'NotReady',
        'ProposalNotPending',
        'StaleProposal',
      ].sort(),
    );
    for (const [type, entry] of Object.entries(REFUSALS))
      expect(entry.kind, type).toBe(type.startsWith('Invalid') ? 'invalid' : 'conflict');
    expect(isConflictType('NotPaused')).toBe(true);
    expect(isConflictType('DecisionNotRecorded')).toBe(true);
    expect(isConflictType('InvalidPromise')).toBe(false);
    expect(isConflictType('Error')).toBe(false);
    expect(refusalKind(undefined)).toBeUndefined();
    expect(refusalKind('toString')).toBeUndefined();
  });
});

describe('InvoiceCase refusals', () => {
  it('refuses everything that depends on the balance before the first ledger read', () => {
    const invoice = InvoiceCase.start({ workflowId: WORKFLOW_ID, invoiceNumber: 'INV-1', customerId: 'C1' });
    expect(invoice.refusePayment(pay('P1', 100))?.type).toBe('NotReady');
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-20', by: 'dave' }, NOW)?.type).toBe('NotReady');
    expect(invoice.refuseDispute({ disputeId: 'D', reason: 'x', by: 'dave' })?.type).toBe('NotReady');
    expect(invoice.refusePause({ by: 'dave', reason: 'x' })?.type).toBe('NotReady');
    expect(invoice.refuseResume({ by: 'dave' })?.type).toBe('NotReady');
    expect(invoice.refuseResolution({ outcome: 'invalid', by: 'dave' })?.type).toBe('NotReady');
  });

  it('refuses bad payments', () => {
    const invoice = loadedCase();
    expect(invoice.refusePayment(pay('P1', 100, 'EUR'))).toEqual({
      type: 'InvalidPayment',
      message: 'currency: "EUR" does not match the invoice currency USD',
    });
    expect(invoice.refusePayment(pay('P1', 0))).toEqual({ type: 'InvalidPayment', message: 'amountMinor: 0 must be greater than zero' });
    expect(invoice.refusePayment(pay('P1', 10.5))?.message).toBe('amountMinor: 10.5 must be a whole number of minor units');
    expect(invoice.refusePayment(pay('P1', 100, 'usd'))?.message).toMatch(/currency: "usd" must be an ISO 4217 code/);
  });

  it('refuses promises in the past, above the balance, on a disputed or closed invoice', () => {
    const invoice = loadedCase();
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-09', by: 'dave' }, NOW)).toEqual({
      type: 'InvalidPromise',
      message: 'date: "2026-03-09" is in the past (today is 2026-03-10 in UTC)',
    });
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-10', by: 'dave' }, NOW)).toBeNull();
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-02-30', by: 'dave' }, NOW)?.message).toMatch(
      /date: "2026-02-30" must be a calendar date/,
    );
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-20', amountMinor: 100_001, by: 'dave' }, NOW)).toEqual({
      type: 'InvalidPromise',
      message: 'amountMinor: 100001 exceeds the open balance 100000',
    });
    invoice.openDispute({ disputeId: 'D1', reason: 'wrong price', by: 'dave' }, NOW);
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-20', by: 'dave' }, NOW)?.type).toBe('InvoiceDisputed');
    invoice.ledgerClosed('void', NOW);
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-03-20', by: 'dave' }, NOW)?.type).toBe('InvoiceClosed');
  });

  it('refuses a promise dated past the policy bound (issue 13, defect 5: 9999-12-31 set a 100-year hold)', () => {
    const invoice = loadedCase();
    // The default bound: 180 days from today (2026-03-10) is 2026-09-06.
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-09-06', by: 'dave' }, NOW)).toBeNull();
    expect(invoice.refusePromise({ promiseId: 'PR', date: '9999-12-31', by: 'dave' }, NOW)).toEqual({
      type: 'InvalidPromise',
      message: 'date: "9999-12-31" is more than 180 days ahead (the latest is 2026-09-06; policy maxPromiseDaysAhead)',
    });
    expect(invoice.refusePromise({ promiseId: 'PR', date: '2026-09-07', by: 'dave' }, NOW)?.type).toBe('InvalidPromise');
    // A policy with its own bound; and one read before the field existed keeps the default.
    const tight = loadedCase(context({ policy: { ...policy, maxPromiseDaysAhead: 30 } }));
    expect(tight.refusePromise({ promiseId: 'PR', date: '2026-04-10', by: 'dave' }, NOW)?.message).toMatch(/more than 30 days ahead/);
    const { maxPromiseDaysAhead: _, ...older } = policy;
    const old = loadedCase(context({ policy: older as Policy }));
    expect(old.refusePromise({ promiseId: 'PR', date: '2026-09-07', by: 'dave' }, NOW)?.message).toMatch(/more than 180 days ahead/);
  });

  it('refuses a second dispute, a resolution without a dispute, a credit above the balance, bad payloads', () => {
    const invoice = loadedCase();
    expect(invoice.refuseDispute({ disputeId: '', reason: 'x', by: 'dave' } as never)?.type).toBe('InvalidDispute');
    expect(invoice.refuseResolution({ outcome: 'invalid', by: 'dave' })).toEqual({
      type: 'NoDispute',
      message: 'invoice INV-1 has no open dispute',
    });
    expect(invoice.refuseResolution({ outcome: 'credit', by: 'dave' } as never)).toEqual({
      type: 'InvalidResolution',
      message: 'creditMinor: missing a credit needs creditMinor',
    });
    invoice.openDispute({ disputeId: 'D1', reason: 'wrong price', by: 'dave' }, NOW);
    expect(invoice.refuseDispute({ disputeId: 'D2', reason: 'x', by: 'dave' })).toEqual({
      type: 'AlreadyDisputed',
      message: 'invoice INV-1 already has open dispute D1',
    });
    expect(invoice.refuseResolution({ outcome: 'credit', creditMinor: 100_001, by: 'dave' })).toEqual({
      type: 'InvalidResolution',
      message: 'creditMinor: 100001 exceeds the open balance 100000',
    });
    invoice.noteResolution({ outcome: 'write_off', by: 'dave' }, NOW);
    invoice.resolveDispute({ outcome: 'write_off', by: 'dave' }, 100_000);
    expect(invoice.refuseResolution({ outcome: 'invalid', by: 'dave' })).toEqual({
      type: 'NoDispute',
      message: 'a write-off of invoice INV-1 already awaits a decision',
    });
  });

  it('refuses pause twice, resume when not paused, bad payloads, and pause on a closed invoice', () => {
    const invoice = loadedCase();
    expect(invoice.refusePause({ by: 'dave' } as never)?.type).toBe('InvalidPause');
    expect(invoice.refusePause({ by: 'dave', reason: '' })?.message).toMatch(/^reason: "" /);
    expect(invoice.refuseResume({} as never)?.type).toBe('InvalidResume');
    expect(invoice.refuseResume({ by: 'dave' })).toEqual({ type: 'NotPaused', message: 'invoice INV-1 is not paused' });
    invoice.pause({ by: 'dave', reason: 'talking to them' }, NOW);
    expect(invoice.refusePause({ by: 'erin', reason: 'x' })).toEqual({
      type: 'AlreadyPaused',
      message: 'invoice INV-1 is already paused by dave',
    });
    invoice.ledgerClosed('paid', NOW);
    expect(invoice.refusePause({ by: 'erin', reason: 'x' })?.type).toBe('InvoiceClosed');
  });

  it('refuses stale, duplicate and malformed decisions', () => {
    const invoice = loadedCase();
    const decision = (proposalId: string, extra: object = {}) => ({ proposalId, decision: 'approve' as const, by: 'alice', ...extra });
    expect(invoice.refuseDecision(decision('nope'))?.type).toBe('StaleProposal');
    const pending = proposeStep(invoice);
    expect(invoice.refuseDecision({ proposalId: pending.view.id, decision: 'reject', by: 'alice' })).toEqual({
      type: 'InvalidDecision',
      message: 'reason: missing a rejection needs a reason',
    });
    expect(invoice.refuseDecision(decision(pending.view.id))).toBeNull();
    invoice.decide(decision(pending.view.id));
    expect(invoice.refuseDecision(decision(pending.view.id))).toEqual({
      type: 'ProposalNotPending',
      message: `proposal ${pending.view.id} was already approved by alice`,
    });
    invoice.settle(pending);
    invoice.clearPending();
    expect(invoice.refuseDecision(decision(pending.view.id))).toEqual({
      type: 'ProposalNotPending',
      message: `proposal ${pending.view.id} was already approved by alice`,
    });
    // A closed (superseded) one says so.
    const next = proposeStep(invoice, 'overdue-14');
    invoice.pause({ by: 'dave', reason: 'x' }, NOW);
    expect(invoice.refuseDecision(decision(next.view.id))).toEqual({
      type: 'ProposalNotPending',
      message: `proposal ${next.view.id} was withdrawn`,
    });
  });

  it('refuses unknown fields, edits on a reject, no actor; a late decision on a settled id names who decided', () => {
    const invoice = loadedCase();
    const first = proposeStep(invoice);
    expect(
      invoice.refuseDecision({ proposalId: first.view.id, decision: 'approve', by: 'alice', urgent: true } as never)?.message,
    ).toContain('urgent');
    expect(
      invoice.refuseDecision({ proposalId: first.view.id, decision: 'reject', by: 'alice', reason: 'no', edits: { subject: 'x' } })?.type,
    ).toBe('InvalidDecision');
    expect(invoice.refuseDecision({ proposalId: first.view.id, decision: 'approve', by: '' })?.message).toContain(
      'by: "" must name who acts',
    );
    invoice.decide({ proposalId: first.view.id, decision: 'approve', by: 'alice' });
    expect(invoice.refuseDecision({ proposalId: first.view.id, decision: 'reject', by: 'bob', reason: 'changed my mind' })?.type).toBe(
      'ProposalNotPending',
    );
    invoice.settle(first);
    invoice.clearPending();
    invoice.markStepDone({ key: 'overdue-7', offsetDays: 7, tone: 'friendly', channel: 'email', kind: 'reminder' }, []);
    proposeStep(invoice, 'overdue-14');
    expect(invoice.refuseDecision({ proposalId: first.view.id, decision: 'approve', by: 'bob' })).toEqual({
      type: 'ProposalNotPending',
      message: `proposal ${first.view.id} was already approved by alice`,
    });
    expect(invoice.refuseDecision({ proposalId: 'invoice-INV-1/final-30', decision: 'approve', by: 'bob' })).toEqual({
      type: 'StaleProposal',
      message: 'proposal invoice-INV-1/final-30 is not the one awaiting a decision on INV-1',
    });
  });

  it('refuses edits of a write-off proposal', () => {
    const invoice = loadedCase();
    const pending = invoice.propose({
      view: {
        id: `${WORKFLOW_ID}/write-off-D1`,
        stepKey: 'write-off',
        tone: 'final',
        subject: 's',
        body: 'b',
        reasoning: 'r',
        policyVersion: 3,
        proposedAt: NOW.toISOString(),
        escalated: false,
      },
      actionKind: 'write_off',
    });
    expect(invoice.refuseDecision({ proposalId: pending.view.id, decision: 'approve', by: 'alice', edits: { subject: 'x' } })).toEqual({
      type: 'InvalidDecision',
      message: 'edits: only a reminder draft can be edited',
    });
  });
});

describe('InvoiceCase payments', () => {
  it('a partial payment supersedes the proposal; a full one pays the invoice and withdraws it', () => {
    const invoice = loadedCase();
    const first = proposeStep(invoice);
    applyFromLedger(invoice, pay('P1', 30_000), 70_000);
    expect(invoice.memory.openMinor).toBe(70_000);
    expect(first.closedAs).toBe('superseded');
    expect(first.closedReason).toBe(`${first.view.id}: a partial payment changed the amount due`);
    invoice.clearPending();
    const second = proposeStep(invoice);
    expect(second.view.id).toBe(`${WORKFLOW_ID}/overdue-7/r1`);
    applyFromLedger(invoice, pay('P2', 70_000), 0);
    expect(invoice.memory.status).toBe('paid');
    expect(second.closedAs).toBe('withdrawn');
    expect(invoice.nextAction(NOW)).toEqual({ kind: 'finished' });
  });

  it('a duplicate payment id changes nothing; after closing it is still answered, a new one is refused', () => {
    const invoice = loadedCase();
    applyFromLedger(invoice, pay('P1', 100_000), 0);
    const notes = invoice.actions.length;
    applyFromLedger(invoice, pay('P1', 100_000), 0);
    expect(invoice.actions.length).toBe(notes);
    expect(invoice.refusePayment(pay('P2', 1))).toEqual({ type: 'InvoiceClosed', message: 'invoice INV-1 is already paid' });
  });

  it('old histories subtract the amount instead of reading the ledger', () => {
    const invoice = loadedCase();
    invoice.rememberPayment('P1');
    invoice.applyPayment(pay('P1', 40_000), NOW, { subtract: true });
    expect(invoice.memory.openMinor).toBe(60_000);
  });
});

describe('InvoiceCase promises', () => {
  const promise = { promiseId: 'PR1', date: '2026-03-15', amountMinor: 50_000, by: 'dave' };

  it('holds dunning until the promise date plus grace', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    invoice.logPromise(promise, NOW);
    expect(pending.closedAs).toBe('superseded');
    expect(invoice.memory.status).toBe('promised');
    const action = invoice.nextAction(NOW);
    expect(action).toMatchObject({
      kind: 'hold-for-promise',
      until: at('2026-03-18T00:00:00Z'),
      summary: 'hold for promise to pay by 2026-03-15',
    });
  });

  it('kept when enough was paid since; partly kept is broken and plans a "promise missed" step', () => {
    const kept = loadedCase();
    kept.logPromise(promise, NOW);
    kept.adoptLedgerRead(context({ invoice: { openMinor: 50_000 } }));
    expect(kept.promiseOutcome()).toEqual({ kind: 'kept', paidSince: 50_000 });
    kept.settlePromise(kept.promiseOutcome(), NOW);
    expect(kept.memory.promiseMissed).toBeNull();
    expect(kept.memory.status).toBe('open');

    const partly = loadedCase();
    partly.logPromise(promise, NOW);
    partly.adoptLedgerRead(context({ invoice: { openMinor: 80_000 } }));
    const outcome = partly.promiseOutcome();
    expect(outcome).toEqual({ kind: 'broken', paidSince: 20_000 });
    partly.settlePromise(outcome, NOW);
    expect(partly.actions.at(-1)?.detail).toBe('nothing beyond 20000 paid by 2026-03-15; a "promise missed" reminder follows');
    const next = partly.nextAction(at('2026-03-18T10:00:00Z'), () => true);
    expect(next).toMatchObject({ kind: 'step', step: { key: 'promise-missed-PR1', tone: 'firm' } });
  });

  it('a promise without an amount is broken unless the invoice closes', () => {
    const invoice = loadedCase();
    invoice.logPromise({ promiseId: 'PR2', date: '2026-03-15', by: 'dave' }, NOW);
    expect(invoice.promiseOutcome().kind).toBe('broken');
    const step = invoice.memory.promise!;
    invoice.settlePromise(invoice.promiseOutcome(), NOW);
    expect(invoice.memory.promiseMissed).toEqual({ id: step.id, date: step.date });
    invoice.markStepDone({ key: 'promise-missed-PR2', offsetDays: 0, tone: 'firm', channel: 'email', kind: 'reminder' }, []);
    expect(invoice.memory.promiseMissed).toBeNull();
  });
});

describe('InvoiceCase disputes', () => {
  it('opening waits on the deadline and withdraws the proposal; an invalid dispute resumes dunning', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    invoice.openDispute({ disputeId: 'D1', reason: 'wrong price', by: 'dave' }, NOW);
    expect(pending.closedAs).toBe('withdrawn');
    expect(invoice.nextAction(NOW)).toMatchObject({
      kind: 'wait-dispute',
      until: at('2026-03-20T00:00:00Z'),
      summary: 'dispute D1 deadline 2026-03-20',
    });
    invoice.escalateDispute(NOW);
    expect(invoice.nextAction(NOW)).toMatchObject({ kind: 'wait-dispute', until: null });
    invoice.resolveDispute({ outcome: 'invalid', by: 'dave' }, 100_000);
    expect(invoice.memory.status).toBe('open');
    expect(invoice.memory.dispute).toBeNull();
    expect(invoice.nextAction(NOW).kind).toBe('step');
  });

  it('a credit reduces the balance to what the ledger says; a full credit closes', () => {
    const invoice = loadedCase();
    invoice.openDispute({ disputeId: 'D1', reason: 'wrong price', by: 'dave' }, NOW);
    invoice.resolveDispute({ outcome: 'credit', creditMinor: 25_000, by: 'dave' }, 75_000);
    expect(invoice.memory).toMatchObject({ openMinor: 75_000, status: 'open' });
    invoice.openDispute({ disputeId: 'D2', reason: 'all wrong', by: 'dave' }, NOW);
    invoice.resolveDispute({ outcome: 'credit', creditMinor: 75_000, by: 'dave' }, 0);
    expect(invoice.memory.status).toBe('closed');
  });

  it('a write-off becomes a proposal; approved writes off, rejected keeps the dispute', () => {
    const invoice = loadedCase();
    invoice.openDispute({ disputeId: 'D1', reason: 'bankrupt', by: 'dave' }, NOW);
    invoice.resolveDispute({ outcome: 'write_off', note: 'gone', by: 'dave' }, 100_000);
    expect(invoice.nextAction(NOW)).toEqual({
      kind: 'propose-write-off',
      request: { disputeId: 'D1', reason: 'gone', requestedBy: 'dave' },
    });
    const rejected = invoice.propose({
      view: {
        id: 'x',
        stepKey: 'write-off',
        tone: 'final',
        subject: 's',
        body: 'b',
        reasoning: 'r',
        policyVersion: 3,
        proposedAt: '',
        escalated: false,
      },
      actionKind: 'write_off',
    });
    invoice.decide({ proposalId: 'x', decision: 'reject', reason: 'collect it', by: 'cfo' });
    invoice.settleWriteOff(rejected, NOW);
    expect(invoice.memory.dispute?.id).toBe('D1');
    expect(invoice.nextAction(NOW).kind).toBe('wait-dispute');

    invoice.resolveDispute({ outcome: 'write_off', by: 'dave' }, 100_000);
    const approved = invoice.propose({
      view: {
        id: 'y',
        stepKey: 'write-off',
        tone: 'final',
        subject: 's',
        body: 'b',
        reasoning: 'r',
        policyVersion: 3,
        proposedAt: '',
        escalated: false,
      },
      actionKind: 'write_off',
    });
    invoice.decide({ proposalId: 'y', decision: 'approve', by: 'cfo' });
    invoice.settleWriteOff(approved, NOW);
    expect(invoice.memory).toMatchObject({ status: 'written_off', openMinor: 0, dispute: null });
  });

  it('a workflow started on a disputed invoice adopts the ledger dispute', () => {
    const invoice = loadedCase(
      context({ invoice: { status: 'disputed' }, openDispute: { id: 'D9', reason: 'damaged', owner: null, deadline: null } }),
    );
    expect(invoice.memory.dispute).toEqual({ id: 'D9', reason: 'damaged', owner: 'ar-disputes', deadline: '2026-03-20', escalated: false });
    expect(invoice.memory.status).toBe('disputed');
  });
});

describe('InvoiceCase pause, ledger closed, skip reasons', () => {
  it('pause withdraws the proposal and waits; resume goes back to the ladder', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    invoice.pause({ by: 'dave', reason: 'call first' }, NOW);
    expect(pending.closedAs).toBe('withdrawn');
    expect(pending.closedReason).toBe(`${pending.view.id}: paused by dave: call first`);
    invoice.clearPending();
    expect(invoice.memory.status).toBe('paused');
    expect(invoice.nextAction(NOW)).toEqual({ kind: 'wait-paused' });
    invoice.resume({ by: 'dave' }, NOW);
    expect(invoice.memory.status).toBe('open');
    expect(invoice.nextAction(NOW).kind).toBe('step');
  });

  it('the ledger closing the invoice withdraws the proposal, once', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    expect(invoice.ledgerClosed('written_off', NOW)).toBe(true);
    expect(invoice.memory.status).toBe('written_off');
    expect(pending.closedReason).toBe(`${pending.view.id}: closed in the ledger (written_off)`);
    expect(invoice.ledgerClosed('paid', NOW)).toBe(false);
    expect(invoice.isSettled(pending)).toBe(true);
  });

  it('a ledgerClosed signal only asks for a re-read: the case closes when the ledger agrees', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    expect(invoice.requestLedgerCheck()).toBe(true);
    expect(invoice.isClosed).toBe(false); // nothing closes on the signal's word
    // The re-read says open: still working it, the proposal stands, and the log says why.
    const open = context();
    invoice.adoptLedgerRead(open);
    invoice.settleLedgerCheck(open, NOW);
    expect([invoice.isClosed, invoice.ledgerCheckRequested, invoice.isSettled(pending)]).toEqual([false, false, false]);
    expect(invoice.memory.actions.at(-1)).toMatchObject({ kind: 'ledger_close_ignored' });
    // A re-read a ledger change asked for says so instead.
    expect(invoice.requestLedgerCheck()).toBe(true);
    invoice.settleLedgerCheck(open, NOW, 'a payment recorded in the ledger');
    expect(invoice.memory.actions.at(-1)).toMatchObject({ kind: 'ledger_reread' });
    expect([invoice.isClosed, invoice.ledgerCheckRequested, invoice.isSettled(pending)]).toEqual([false, false, false]);
    // The re-read says written off: closed, the proposal withdrawn.
    invoice.requestLedgerCheck();
    const closed = context({ invoice: { status: 'written_off' } });
    invoice.adoptLedgerRead(closed);
    invoice.settleLedgerCheck(closed, NOW);
    expect(invoice.memory.status).toBe('written_off');
    expect(pending.closedReason).toBe(`${pending.view.id}: closed in the ledger (written_off)`);
    expect(invoice.requestLedgerCheck()).toBe(false);
  });

  it('a ledger read adopts the balance and closes a paid, written-off or void invoice', () => {
    for (const [status, expected] of [
      ['paid', 'paid'],
      ['written_off', 'written_off'],
      ['void', 'closed'],
    ] as const) {
      const invoice = loadedCase();
      invoice.adoptLedgerRead(context({ invoice: { status, openMinor: status === 'paid' ? 0 : 100 } }));
      expect(invoice.memory.status).toBe(expected);
    }
  });

  it('skips no-touch customers and invoices, small balances and ledger disputes', () => {
    const invoice = loadedCase();
    expect(invoice.skipReason(context())).toBeNull();
    expect(invoice.skipReason(context({ customer: { noTouch: true } }))).toBe('no-touch customer');
    expect(invoice.skipReason(context({ policy: { ...policy, noTouch: { customers: [], invoices: ['INV-1'] } } }))).toBe(
      'no-touch invoice',
    );
    invoice.memory.openMinor = 500;
    expect(invoice.skipReason(context())).toBe('open balance 500 is below the minimum worth chasing (1000 USD)');
    invoice.memory.openMinor = 100_000;
    expect(invoice.skipReason(context({ invoice: { status: 'disputed' } }))).toBe('disputed in the ledger');
    invoice.ledgerClosed('paid', NOW);
    expect(invoice.stopReason(context())).toBe('the invoice is paid');
  });
});

describe('InvoiceCase proposal ids', () => {
  it('never reuses an id, even after more supersessions than the action log keeps', () => {
    const invoice = loadedCase();
    const ids = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const pending = proposeStep(invoice);
      expect(ids.has(pending.view.id), pending.view.id).toBe(false);
      ids.add(pending.view.id);
      invoice.logPromise({ promiseId: `PR${i}`, date: '2026-03-20', by: 'dave' }, NOW); // supersedes
      invoice.clearPending();
      invoice.memory.promise = null;
      invoice.memory.status = 'open';
    }
    expect(ids.size).toBe(60);
    expect(invoice.actions.length).toBe(50);
    expect(invoice.memory.proposalAttempts).toEqual({ 'overdue-7': 60 });
    expect(invoice.proposalIds.next('overdue-7')).toBe(`${WORKFLOW_ID}/overdue-7/r60`);
  });

  it('numbers re-drafts per step: a superseded overdue-1 does not make overdue-14 a re-draft', () => {
    const invoice = loadedCase();
    const first = proposeStep(invoice, 'overdue-1');
    applyFromLedger(invoice, pay('P1', 10_000), 90_000);
    invoice.clearPending();
    expect(first.view.id).toBe(`${WORKFLOW_ID}/overdue-1`);
    expect(proposeStep(invoice, 'overdue-1').view.id).toBe(`${WORKFLOW_ID}/overdue-1/r1`);
    invoice.clearPending();
    expect(proposeStep(invoice, 'overdue-14').view.id).toBe(`${WORKFLOW_ID}/overdue-14`);
  });

  it('state carried from a run without the counter seeds it from the notes', () => {
    const carried: InvoiceMemory = { ...blankMemory('INV-1', 'C1'), currency: 'USD', openMinor: 100_000 };
    delete carried.proposalAttempts;
    carried.actions = [
      { at: '', kind: 'proposal_superseded', detail: `${WORKFLOW_ID}/overdue-7: a partial payment changed the amount due` },
      { at: '', kind: 'proposal_withdrawn', detail: `${WORKFLOW_ID}/overdue-7/r1: paused by dave: x` },
      { at: '', kind: 'proposal_superseded', detail: `${WORKFLOW_ID}/overdue-7/r1: promise to pay by 2026-03-20` },
      { at: '', kind: 'proposal_superseded', detail: `${WORKFLOW_ID}/overdue-14: promise to pay by 2026-03-20` },
    ];
    const invoice = InvoiceCase.start({ workflowId: WORKFLOW_ID, invoiceNumber: 'INV-1', customerId: 'C1', carried });
    expect(invoice.loaded).toBe(true);
    expect(invoice.memory.proposalAttempts).toEqual({ 'overdue-7': 2, 'overdue-14': 1 });
    expect(invoice.proposalIds.next('overdue-7')).toBe(`${WORKFLOW_ID}/overdue-7/r2`);
    expect(invoice.proposalIds.next('final-30')).toBe(`${WORKFLOW_ID}/final-30`);
  });
});

describe('InvoiceCase nextAction over the lifecycle', () => {
  it('walks the ladder, then hands off', () => {
    const invoice = loadedCase(context({ invoice: { dueDate: '2026-03-20' } }));
    const first = invoice.nextAction(NOW);
    expect(first).toMatchObject({
      kind: 'step',
      step: { key: 'heads-up' },
      summary: expect.stringMatching(/^heads-up at 2026-03-17T\d\d:00:00.000Z \(UTC\)$/),
    });
    for (const key of ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30']) {
      const step = stepOf(invoice.nextAction(NOW));
      expect(step.key).toBe(key);
      invoice.markStepDone(step, []);
      invoice.memory.remindersSent++;
      invoice.memory.lastContactDate = '2026-04-19';
    }
    const handoff = invoice.nextAction(at('2026-05-10T12:00:00Z'));
    expect(handoff).toMatchObject({ kind: 'step', step: { key: 'handoff', kind: 'handoff' } });
    invoice.markStepDone(stepOf(handoff), []);
    expect(invoice.nextAction(NOW)).toEqual({ kind: 'ladder-finished' });
    expect(invoice.finishLadder(NOW).owner).toBe(policy.owners.collections);
    expect(invoice.nextAction(NOW)).toEqual({ kind: 'wait-handed-off' });
    expect(invoice.stage()).toBe('handoff');
  });

  it('a late start passes over earlier steps; the hand-off grace is asked only when a step is planned', () => {
    const invoice = loadedCase(context({ invoice: { dueDate: '2026-01-01' } }));
    let asked = 0;
    const action = invoice.nextAction(NOW, () => (asked++, true));
    expect(asked).toBe(1);
    expect(action).toMatchObject({ kind: 'step', step: { key: 'final-30' } });
    expect((action as { passedOver: { key: string }[] }).passedOver.map((s) => s.key)).toEqual([
      'heads-up',
      'overdue-1',
      'overdue-7',
      'overdue-14',
    ]);
    invoice.pause({ by: 'dave', reason: 'x' }, NOW);
    invoice.nextAction(NOW, () => (asked++, true));
    expect(asked).toBe(1);
  });

  it('the view shows the stage of a pending proposal and hides a closed one', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice);
    expect(invoice.view()).toMatchObject({
      stage: 'overdue-7 (proposed)',
      status: 'awaiting_approval',
      pendingProposal: { id: pending.view.id },
    });
    invoice.decide({ proposalId: pending.view.id, decision: 'approve', by: 'alice' });
    expect(invoice.stage()).toBe('overdue-7 (approved)');
    expect(invoice.view().pendingProposal).toBeNull();
    invoice.clearPending();
    expect(invoice.memory.status).toBe('open');
  });
});

describe('InvoiceCase hand-off after a reminder that was sent (issue 13, defect 8)', () => {
  // Imported 60 days overdue: the first proposal is final-30, toned down (no earlier contact).
  const late = () => loadedCase(context({ invoice: { dueDate: '2026-01-09' } }));
  const REJECTED_AT = at('2026-03-10T12:00:00Z'); // a Tuesday

  it('a rejected final-30 is not contact: a hand-off notice is proposed the next day, not the hand-off', () => {
    const invoice = late();
    const first = invoice.nextAction(REJECTED_AT);
    const finalStep = stepOf(first);
    expect(finalStep.key).toBe('final-30');
    invoice.markStepDone(finalStep, first.kind === 'step' ? first.passedOver : []);
    invoice.markRejected(REJECTED_AT);
    const next = invoice.nextAction(REJECTED_AT);
    expect(next).toMatchObject({ kind: 'step', step: { key: 'handoff-notice-1', kind: 'reminder', tone: 'final' }, passedOver: [] });
    expect((next as { at: Date }).at.toISOString()).toBe('2026-03-11T09:00:00.000Z');
    // Rejected again: another notice, under its own key (so its own proposal id), the day after.
    invoice.markStepDone(stepOf(next), []);
    invoice.markRejected(at('2026-03-11T10:00:00Z'));
    const again = invoice.nextAction(at('2026-03-11T10:00:00Z'));
    expect(again).toMatchObject({ step: { key: 'handoff-notice-2' }, at: at('2026-03-12T09:00:00Z') });
  });

  it('once a notice reached the customer, the hand-off waits the grace days from that reminder', () => {
    const invoice = late();
    invoice.markStepDone(stepOf(invoice.nextAction(REJECTED_AT)), []);
    invoice.markRejected(REJECTED_AT);
    invoice.markStepDone(stepOf(invoice.nextAction(REJECTED_AT)), []);
    invoice.memory.remindersSent = 1;
    invoice.memory.lastContactDate = '2026-03-11';
    const handoff = invoice.nextAction(at('2026-03-11T15:00:00Z'));
    expect(handoff).toMatchObject({ kind: 'step', step: { key: 'handoff', kind: 'handoff' } });
    expect((handoff as { at: Date }).at.toISOString()).toBe(`2026-03-${11 + policy.handoffGraceDays}T09:00:00.000Z`);
  });

  it('a notice that cannot reach the customer lets the hand-off go ahead: a person takes over', () => {
    const invoice = late();
    for (const key of ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30']) invoice.memory.doneStepKeys.push(key);
    const notice = stepOf(invoice.nextAction(REJECTED_AT));
    invoice.markStepDone(notice, []);
    invoice.handoffNoticeUndeliverable(notice);
    expect(invoice.nextAction(REJECTED_AT)).toEqual({ kind: 'ladder-finished' });
    // The hand-off it stands in for (a skipped notice is recorded as the hand-off skipped).
    expect(invoice.handoffFor(notice)).toMatchObject({ key: 'handoff', kind: 'handoff' });
    // A ladder step that was not delivered changes nothing of the kind.
    const other = late();
    expect(other.handoffFor({ key: 'final-30', offsetDays: 30, tone: 'final', channel: 'email', kind: 'reminder' })).toBeNull();
    other.handoffNoticeUndeliverable({ key: 'final-30', offsetDays: 30, tone: 'final', channel: 'email', kind: 'reminder' });
    expect(other.memory.doneStepKeys).toEqual([]);
  });

  it('histories from before the rule hand off at once (the patch is asked only then)', () => {
    const invoice = late();
    for (const key of ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30']) invoice.memory.doneStepKeys.push(key);
    let asked = 0;
    const oldRules = () => {
      asked++;
      return false;
    };
    const action = invoice.nextAction(REJECTED_AT, () => true, { noticeBeforeHandoff: oldRules });
    expect(asked).toBe(1);
    expect(action).toMatchObject({ kind: 'step', step: { key: 'handoff' }, at: REJECTED_AT });
    invoice.memory.remindersSent = 1;
    invoice.nextAction(REJECTED_AT, () => true, { noticeBeforeHandoff: oldRules });
    expect(asked).toBe(1);
  });
});

describe('InvoiceCase wake-ups on the customer’s calendar (issue 13, defect 9b)', () => {
  const newYork = () => loadedCase(context({ customer: { timezone: 'America/New_York' } }));
  const AUCKLAND_NOW = at('2026-03-10T12:00:00Z');

  it('a promise hold ends at the start of its day in the customer’s timezone', () => {
    const invoice = newYork();
    invoice.logPromise({ promiseId: 'PR1', date: '2026-03-15', by: 'dave' }, NOW);
    // 2026-03-18 begins at 04:00 UTC in New York (daylight time from 8 March).
    expect(invoice.nextAction(NOW)).toMatchObject({ kind: 'hold-for-promise', until: at('2026-03-18T04:00:00Z') });
    expect(invoice.nextAction(NOW, () => true, { localDayWakeups: () => false })).toMatchObject({
      until: at('2026-03-18T00:00:00Z'),
    });
  });

  it('a dispute deadline too, ahead of UTC as well as behind it', () => {
    const invoice = newYork();
    invoice.openDispute({ disputeId: 'D1', reason: 'wrong price', by: 'dave' }, NOW);
    expect(invoice.nextAction(NOW)).toMatchObject({ kind: 'wait-dispute', until: at('2026-03-20T04:00:00Z') });
    const auckland = loadedCase(context({ customer: { timezone: 'Pacific/Auckland' } }));
    auckland.openDispute({ disputeId: 'D2', reason: 'wrong price', by: 'dave' }, AUCKLAND_NOW);
    // 11 March 01:00 in Auckland: the deadline is 10 days on, and that day begins at 11:00 UTC the day before.
    expect(auckland.memory.dispute?.deadline).toBe('2026-03-21');
    expect(auckland.nextAction(AUCKLAND_NOW)).toMatchObject({ until: at('2026-03-20T11:00:00Z') });
    let asked = 0;
    const old = () => {
      asked++;
      return false;
    };
    expect(auckland.nextAction(AUCKLAND_NOW, () => true, { localDayWakeups: old })).toMatchObject({ until: at('2026-03-21T00:00:00Z') });
    expect(asked).toBe(1);
  });
});

describe('InvoiceCase tier changes (issue 13, defect 9c)', () => {
  it('a re-read tells when the tier changed; the first read never does', () => {
    const invoice = InvoiceCase.start({ workflowId: WORKFLOW_ID, invoiceNumber: 'INV-1', customerId: 'C1' });
    const strategic = context({ customer: { tier: 'strategic' } });
    expect(invoice.adoptLedgerRead(strategic)).toBe(false);
    invoice.adoptFirstRead(strategic, NOW);
    expect(invoice.adoptLedgerRead(strategic)).toBe(false);
    expect(invoice.adoptLedgerRead(context({ customer: { tier: 'small' } }))).toBe(true);
    expect(invoice.memory.tier).toBe('small');
  });
});

describe('InvoiceCase re-read after an approval (issue 13, defect 9d)', () => {
  it('a new balance asks for a new decision; other details are re-drafted; nothing changed is null', () => {
    const invoice = loadedCase();
    const drafted = invoice.draftBasis(context());
    expect(invoice.draftChange(drafted, invoice.draftBasis(context()))).toBeNull();
    const imported = context({ invoice: { openMinor: 60_000 } });
    invoice.adoptLedgerRead(imported);
    expect(invoice.draftChange(drafted, invoice.draftBasis(imported))).toEqual({
      kind: 'amount',
      detail: 'the ledger now shows 60000 open, not 100000',
    });
    const same = loadedCase();
    const details = context({ invoice: { poNumber: 'PO-9' }, customer: { contactName: 'Bo' } });
    expect(same.draftChange(same.draftBasis(context()), same.draftBasis(details))).toEqual({
      kind: 'details',
      detail: 'the ledger changed the PO number, contact',
    });
  });

  it('an approved draft that quotes an old balance is drafted again under a new id', () => {
    const invoice = loadedCase();
    const pending = proposeStep(invoice, 'overdue-7');
    invoice.decide({ proposalId: pending.view.id, decision: 'approve', by: 'alice' });
    invoice.settle(pending);
    invoice.clearPending();
    invoice.supersedeApproved(pending, 'the ledger now shows 60000 open, not 100000', NOW);
    expect(invoice.actions.at(-1)).toMatchObject({
      kind: 'proposal_redrafted',
      detail: `${pending.view.id}: approved, but not sent: the ledger now shows 60000 open, not 100000; a fresh draft goes to a person`,
    });
    expect(invoice.proposalIds.next('overdue-7')).toBe(`${WORKFLOW_ID}/overdue-7/r1`);
    // Not done: the step is planned again.
    expect(stepOf(invoice.nextAction(NOW)).key).toBe('overdue-7');
  });
});
