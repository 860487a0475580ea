/** The pure rules of cash application around the matcher: what is applied, proposed or left, and the keys that make postings idempotent. */
import { describe, expect, it } from 'vitest';
import { decideCredit, type DecideInput } from '../../cash/decide';
import { cashPaymentId, statementKey } from '../../cash/keys';
import { StatementRun } from '../../cash/statement-state';
import type { MatchResult } from '../../cash/matching';

const result = (over: Partial<MatchResult> = {}): MatchResult =>
  ({
    creditId: '1',
    customerId: 'C1',
    allocations: [{ invoiceNumber: 'INV-1', amountMinor: 10_000 }],
    unallocatedMinor: 0,
    confidence: 0.99,
    outcome: 'auto',
    ambiguous: false,
    candidates: [],
    evidence: ['Remittance names INV-1'],
    ...over,
  }) as MatchResult;

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  result: result(),
  currency: 'EUR',
  remittance: 'INV-1',
  gate: { mode: 'autonomous', reason: 'autonomous scope: cash_match for standard' },
  autoApplyMinConfidence: 0.95,
  remaining: new Map([['INV-1', 10_000]]),
  ...over,
});

describe('decideCredit', () => {
  it('applies a clean match alone only where the autonomy gate grants cash_match', () => {
    expect(decideCredit(input()).status).toBe('applied');
    const supervised = decideCredit(
      input({ gate: { mode: 'supervised', reason: 'no autonomous scope covers cash_match for strategic/default' } }),
    );
    expect(supervised.status).toBe('proposed');
    expect(supervised.reasons.at(-1)).toContain('no autonomous scope covers cash_match');
    expect(decideCredit(input({ gate: null })).status).toBe('proposed');
  });

  it('never applies alone below autoApplyMinConfidence or when ambiguous', () => {
    expect(decideCredit(input({ autoApplyMinConfidence: 0.995 })).reasons.at(-1)).toContain('below autoApplyMinConfidence 0.995');
    expect(decideCredit(input({ result: result({ ambiguous: true }) })).status).toBe('proposed');
    expect(decideCredit(input({ result: result({ outcome: 'propose' }) })).status).toBe('proposed');
  });

  it('proposes when an earlier credit of the statement already took the invoice', () => {
    const d = decideCredit(input({ remaining: new Map([['INV-1', 0]]) }));
    expect(d.status).toBe('proposed');
    expect(d.reasons.at(-1)).toContain('no longer has 100.00 EUR open');
  });

  it('leaves an unattributable credit unapplied, with no allocations', () => {
    const d = decideCredit(input({ result: result({ outcome: 'unapplied', allocations: [], confidence: 0.1 }) }));
    expect(d).toMatchObject({ status: 'unapplied', allocations: [], shortPayment: null });
  });

  it('tells a partial payment from a deduction and from fees', () => {
    const short = (withinTolerance: boolean, deductionNamed: boolean) =>
      result({ shortPayment: { invoiceNumber: 'INV-1', shortMinor: 500 as never, withinTolerance, deductionNamed } });
    expect(decideCredit(input({ result: short(false, false), remittance: 'partial payment INV-1' })).shortPayment?.kind).toBe('partial');
    expect(decideCredit(input({ result: short(false, false), remittance: 'INV-1' })).shortPayment?.kind).toBe('deduction');
    expect(decideCredit(input({ result: short(false, true), remittance: 'INV-1 less damaged' })).shortPayment?.kind).toBe('deduction');
    expect(decideCredit(input({ result: short(true, false) })).shortPayment?.kind).toBe('fees');
  });

  it('says that an overpayment stays as credit on account', () => {
    const d = decideCredit(input({ result: result({ unallocatedMinor: 2_500 as never }) }));
    expect(d.reasons).toContain('25.00 EUR more than the invoices: left unapplied as credit on account');
  });
});

describe('keys', () => {
  it('qualifies a statement id by its account unless it already names it', () => {
    expect(statementKey({ statementId: 'STMT-1', accountId: 'DE89370400440532013000' })).toBe('DE89370400440532013000/STMT-1');
    expect(statementKey({ statementId: '2004-06-21/1/1/0123456789', accountId: '0123456789' })).toBe('2004-06-21/1/1/0123456789');
  });

  it('derives one payment id per workflow, transaction and invoice, and a new one after an unapply', () => {
    expect(cashPaymentId('cash-S', 3, 'INV-1')).toBe('cash-S:3:INV-1');
    expect(cashPaymentId('cash-S', 3, 'INV-1', 1)).toBe('cash-S:3:INV-1:r1');
  });
});

describe('StatementRun', () => {
  it('adds up progress for the query and the current details', () => {
    const run = new StatementRun('K');
    run.loaded({ transactions: 3, credits: 2, debits: 1 });
    run.matched({ applied: 1, proposed: 1, unapplied: 0, ignored: 0 });
    run.postedBatch([{ posted: 1, alreadyPosted: 0, refused: [] }]);
    run.told([{ told: true }]);
    run.enter('done');
    const view = run.view();
    expect(view).toMatchObject({ phase: 'done', posted: 1, invoicesTold: 1, decided: { applied: 1, proposed: 1 } });
    view.decided.applied = 99;
    expect(run.view().decided.applied).toBe(1);
    expect(run.details()).toContain('1 applied automatically, 1 proposed to a person');
  });
});
