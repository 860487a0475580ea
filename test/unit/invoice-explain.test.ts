/**
 * The explanation read from a recorded history alone (test/fixtures/histories/invoice-R-100.v5.json:
 * the full standard ladder with approvals, an edit, a rejection, the hand-off, then payment), no
 * server: each action's outcome, who decided, the facts at that moment and why then.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explainInvoiceHistories } from '../../temporal/invoice-explain';
import { loadHistoryFile } from '../../temporal/replay';

const history = loadHistoryFile(fileURLToPath(new URL('../fixtures/histories/invoice-R-100.v5.json', import.meta.url)));
const e = explainInvoiceHistories('invoice-R-100', [history], []);
const action = (key: string) => e.actions.find((a) => a.stepKey === key)!;

describe('explaining a recorded invoice history', () => {
  it('names the invoice, each step in order with its outcome, and how it ended', () => {
    expect(e).toMatchObject({ workflowId: 'invoice-R-100', invoiceNumber: 'R-100', customerId: 'R1', runs: 1 });
    expect(e.actions.map((a) => [a.stepKey, a.outcome])).toEqual([
      ['heads-up', 'logged'],
      ['overdue-1', 'rejected'],
      ['overdue-7', 'logged'],
      ['overdue-14', 'logged'],
      ['final-30', 'logged'],
    ]);
    expect(e.closed).toMatchObject({ status: 'paid' });
    expect(e.events.map((ev) => ev.what)).toEqual([
      expect.stringMatching(/^handed to a collector: 4 reminder\(s\) sent/),
      'payment PAY-R-100 of 2500.00 USD applied',
    ]);
  });

  it('who decided, with the edit and the system draft it replaced', () => {
    expect(action('overdue-1').decision).toMatchObject({ outcome: 'rejected', by: 'carol' });
    const edited = action('overdue-7');
    expect(edited.decision).toMatchObject({ outcome: 'approved', by: 'alice', edited: true });
    expect(edited.draft).not.toBeNull();
    expect(edited.text).not.toMatchObject(edited.draft!); // what went out is the edit, not the draft
  });

  it('the facts at each step: balance, days overdue in the customer timezone, contacts that reached the customer', () => {
    expect(e.actions.map((a) => [a.stepKey, a.why.facts.daysOverdue, a.why.facts.contactCount])).toEqual([
      ['heads-up', -1, 0],
      ['overdue-1', 2, 1],
      ['overdue-7', 7, 1], // the rejected overdue-1 reached nobody
      ['overdue-14', 14, 2],
      ['final-30', 30, 3],
    ]);
    for (const a of e.actions) expect(a.why.facts.balance).toEqual({ amount: '2500.00', minor: 250_000, currency: 'USD' });
    expect(action('overdue-14').why.reasoning).toMatch(/^14 days overdue; standard tier; step 4 of 6/);
  });

  it('why then: the timer it woke from, the ladder step, the window and caps of the policy in force', () => {
    const a = action('overdue-7');
    expect(a.when.plannedBy).toBe('overdue-7 at 2026-12-15T14:00:00.000Z (America/New_York)');
    expect(a.when.ladderStep).toBe('step 3 of 6 of the standard ladder (overdue-7, friendly)');
    expect(a.when.sendWindow).toMatch(/\(America\/New_York\)$/);
    expect(a.when.contactCaps).toMatch(/^at most \d+ in \d+ days/);
    expect(a.policyVersion).toBe(1);
  });
});

describe('the same ladder recorded on local-decision-rows (invoice-R-100.json)', () => {
  const latest = loadHistoryFile(fileURLToPath(new URL('../fixtures/histories/invoice-R-100.json', import.meta.url)));
  const explained = explainInvoiceHistories('invoice-R-100', [latest], []);

  it('wrote the rejection as a local activity: no resolveProposal activity in the history', () => {
    const scheduled = (latest.events ?? []).map((ev) => ev.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).not.toContain('resolveProposal');
  });

  it('tells the same outcomes and who decided, from the markers', () => {
    expect(explained.actions.map((a) => [a.stepKey, a.outcome])).toEqual(e.actions.map((a) => [a.stepKey, a.outcome]));
    expect(explained.actions.find((a) => a.stepKey === 'overdue-1')!.decision).toMatchObject({ outcome: 'rejected', by: 'carol' });
  });
});

describe('a draft withdrawn on local-decision-rows (invoice-R-200.json)', () => {
  it('reads the withdrawal from the local activity marker that wrote it', () => {
    const history = loadHistoryFile(fileURLToPath(new URL('../fixtures/histories/invoice-R-200.json', import.meta.url)));
    const explained = explainInvoiceHistories('invoice-R-200', [history], []);
    expect(explained.actions.map((a) => [a.stepKey, a.outcome])).toEqual([
      ['heads-up', 'withdrawn'],
      ['overdue-1', 'withdrawn'],
    ]);
  });
});
