/**
 * What an operator sees is true (issue 14, item 5): an approved step waiting in outreach shows as
 * "(approved, queued)", a rejected step is not shown as done, and a step renamed in a new policy
 * (stepAliases) counts as done under its new key, so it is not sent again.
 */
import { describe, expect, it } from 'vitest';
import { invoiceContext, TEST_POLICY } from '../support/invoice-context';
import { InvoiceCase } from '../../collections/invoice-case';
import { DEFAULT_POLICY, policySchema, type Policy } from '../../domain/policy';

const NOW = new Date('2026-03-10T12:00:00Z');
const policy: Policy = TEST_POLICY;

function context(p: Policy = policy, dueDate = '2026-03-02') {
  return invoiceContext({ policy: p, invoice: { dueDate } });
}

function loaded(honest: boolean, read = context()): InvoiceCase {
  const invoice = InvoiceCase.start({ workflowId: 'invoice-INV-1', invoiceNumber: 'INV-1', customerId: 'C1' });
  invoice.honestStage = honest;
  invoice.adoptLedgerRead(read);
  invoice.adoptFirstRead(read, NOW);
  return invoice;
}

const step = (key: string) => DEFAULT_POLICY.ladders.standard.find((s) => s.key === key)!;

describe('the stage an operator reads', () => {
  it('an approved step handed to outreach and not yet delivered is "<step> (approved, queued)", then done', () => {
    const invoice = loaded(true);
    invoice.markStepDone(step('overdue-7'), []);
    invoice.queued = { stepKey: 'overdue-7' };
    expect(invoice.stage()).toBe('overdue-7 (approved, queued)');
    expect(invoice.view().stage).toBe('overdue-7 (approved, queued)');
    invoice.queued = null;
    expect(invoice.stage()).toBe('overdue-7');
  });

  it('a rejected step is not shown as done', () => {
    const invoice = loaded(true);
    invoice.markStepDone(step('overdue-1'), []);
    invoice.markStepDone(step('overdue-7'), []);
    invoice.markRejected(NOW, 'overdue-7');
    expect(invoice.stage()).toBe('overdue-7 (rejected)');
    // The next step done takes over the stage.
    invoice.markStepDone(step('overdue-14'), []);
    expect(invoice.stage()).toBe('overdue-14');
  });

  it('a run recorded before the change keeps the stage it published (replay safety)', () => {
    const invoice = loaded(false);
    invoice.markStepDone(step('overdue-7'), []);
    invoice.queued = { stepKey: 'overdue-7' };
    invoice.markRejected(NOW, 'overdue-7');
    expect(invoice.stage()).toBe('overdue-7');
  });
});

describe('stepAliases: a renamed step is not sent again', () => {
  const renamed = (): Policy => {
    const standard = DEFAULT_POLICY.ladders.standard.map((s) => (s.key === 'overdue-7' ? { ...s, key: 'overdue-07' } : s));
    return { ...DEFAULT_POLICY, version: 4, ladders: { ...DEFAULT_POLICY.ladders, standard }, stepAliases: { 'overdue-7': 'overdue-07' } };
  };

  it('a step done under its old key counts as done under the new one after the next read', () => {
    // Due 2026-03-02: on 2026-03-10 overdue-7 is done and overdue-14 is not due yet.
    const invoice = loaded(true);
    invoice.markStepDone(step('heads-up'), []);
    invoice.markStepDone(step('overdue-1'), []);
    invoice.markStepDone(step('overdue-7'), []);
    invoice.adoptLedgerRead(context(renamed()));
    expect(invoice.memory.doneStepKeys).toContain('overdue-07');
    const next = invoice.nextAction(NOW, () => true);
    expect(next).toMatchObject({ kind: 'step', step: { key: 'overdue-14' } });
    expect(invoice.stage()).toBe('overdue-07');
  });

  it('without the alias the renamed step would be due again (the test can fail)', () => {
    const invoice = loaded(true);
    invoice.markStepDone(step('heads-up'), []);
    invoice.markStepDone(step('overdue-1'), []);
    invoice.markStepDone(step('overdue-7'), []);
    invoice.adoptLedgerRead(context({ ...renamed(), stepAliases: {} }));
    expect(invoice.nextAction(NOW, () => true)).toMatchObject({ kind: 'step', step: { key: 'overdue-07' } });
  });

  it('publishing refuses an alias of a step still in a ladder, or to a successor no ladder has, naming the field', () => {
    const still = policySchema.safeParse({ ...DEFAULT_POLICY, stepAliases: { 'overdue-7': 'overdue-14' } });
    expect(still.success).toBe(false);
    expect(still.error!.issues[0]).toMatchObject({ path: ['stepAliases', 'overdue-7'] });
    expect(still.error!.issues[0]!.message).toMatch(/overdue-7 is still a step of a ladder/);
    const nowhere = policySchema.safeParse({ ...DEFAULT_POLICY, stepAliases: { 'overdue-10': 'overdue-99' } });
    expect(nowhere.success).toBe(false);
    expect(nowhere.error!.issues[0]!.message).toMatch(/its successor overdue-99 is not a step of any ladder/);
    expect(policySchema.safeParse({ ...DEFAULT_POLICY, stepAliases: { 'overdue-10': 'overdue-14' } }).success).toBe(true);
  });
});
