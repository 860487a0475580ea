/**
 * `ar metrics decisions` and `ar metrics tuning` on PostgreSQL: a ledger imported with `ar import`,
 * decisions stored the way the workflows store them (decided proposals, and the sent audit rows of
 * reminders the autonomy gate let through), and the JSON checked against counts made here by hand
 * and a Wilson interval computed from its formula. Needs only the database.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { type CliFixture, startCliFixture } from '../support/cli';

const FIXTURES = path.resolve('test/fixtures/ledger');
let cli: CliFixture;

const AS_OF = '2026-03-31';
const at = (date: string, hour = 10) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

/** Wilson 95% score interval, from the formula. */
function wilson(k: number, n: number) {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { lower: centre - half, upper: centre + half };
}

type Decided = { n: number; customer: string; invoice: string; step: string; amount: number; day: string } & (
  | { outcome: 'approved' }
  | { outcome: 'edited'; category: string }
  | { outcome: 'rejected' }
  | { outcome: 'pending' }
);

async function storeProposal(d: Decided) {
  await cli.t.db.insert(schema.proposals).values({
    id: `invoice-${d.invoice}/${d.step}/${d.n}`,
    workflowId: `invoice-${d.invoice}`,
    invoiceNumber: d.invoice,
    customerId: d.customer,
    actionKind: 'reminder',
    stepKey: d.step,
    tone: 'friendly',
    subject: 's',
    body: 'b',
    reasoning: 'r',
    policyVersion: 1,
    currency: 'USD',
    amountMinor: d.amount,
    status: d.outcome === 'pending' ? 'pending' : d.outcome === 'rejected' ? 'rejected' : 'approved',
    decidedBy: d.outcome === 'pending' ? null : 'alice',
    decidedAt: d.outcome === 'pending' ? null : at(d.day),
    decisionNote: d.outcome === 'rejected' ? 'not now' : null,
    editedBody: d.outcome === 'edited' ? 'softer' : null,
    editCategory: d.outcome === 'edited' ? (d.category as 'tone') : null,
  });
}

async function storeAutonomousSend(invoice: string, customer: string, step: string, day: string) {
  await cli.t.db.insert(schema.auditLog).values({
    idempotencyKey: `invoice-${invoice}/${step}/sent`,
    workflowId: `invoice-${invoice}`,
    invoiceNumber: invoice,
    customerId: customer,
    action: 'reminder_sent',
    actor: 'system',
    approvedBy: 'autonomy:policy-v1',
    policyVersion: 1,
    at: at(day),
  });
}

describe('ar metrics decisions and tuning', () => {
  beforeAll(async () => {
    cli = await startCliFixture('ar-decisions-');
    for (const kind of ['customers', 'invoices']) expect((await cli.ar('import', kind, path.join(FIXTURES, `${kind}.csv`))).code).toBe(0);
    let n = 0;
    // Strategic (C001, enterprise-us), overdue-21, balances of 12,500.00 (large): 2 as drafted, 2 tone edits, 1 amount edit, 1 rejected.
    const strategic = { customer: 'C001', invoice: 'INV-1001', step: 'overdue-21', amount: 1_250_000 };
    for (const outcome of ['approved', 'approved'] as const) await storeProposal({ ...strategic, n: n++, day: '2026-03-20', outcome });
    for (const category of ['tone', 'tone', 'amount'])
      await storeProposal({ ...strategic, n: n++, day: '2026-03-21', outcome: 'edited', category });
    await storeProposal({ ...strategic, n: n++, day: '2026-03-22', outcome: 'rejected' });
    // Standard (C002, enterprise-us), due-3, 420.00 (small): 3 as drafted, one of them on the last day of the window.
    const standard = { customer: 'C002', invoice: 'INV-1004', step: 'due-3', amount: 42_000 };
    for (const day of ['2026-03-10', '2026-03-11', AS_OF]) await storeProposal({ ...standard, n: n++, day, outcome: 'approved' });
    // Outside the 30-day window: ignored.
    await storeProposal({ ...standard, n: n++, day: '2026-02-20', outcome: 'rejected' });
    await storeProposal({ ...standard, n: n++, day: '2026-04-01', outcome: 'rejected' });
    // Small invoices of C003 (standard, smb-us) sent by the autonomy gate.
    await storeAutonomousSend('INV-1007', 'C003', 'due-3', '2026-03-15');
    await storeAutonomousSend('INV-1008', 'C003', 'overdue-7', '2026-03-16');
    // A proposal still pending is not a decision.
    await storeProposal({ n: n++, customer: 'C003', invoice: 'INV-1009', step: 'due-3', amount: 120_000, day: AS_OF, outcome: 'pending' });
  }, 180_000);
  afterAll(() => cli?.close());

  it('counts per scope, with each rate and its Wilson interval', async () => {
    const r = await cli.ar('metrics', 'decisions', '--as-of', AS_OF, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ asOf: '2026-03-31T23:59:59.999Z', windowDays: 30, decisions: 11 });
    expect(m.scopes.map((s: { key: string }) => s.key)).toEqual([
      'reminder|standard|enterprise-us|small',
      'reminder|standard|smb-us|medium',
      'reminder|strategic|enterprise-us|large',
    ]);
    const strategic = m.scopes[2];
    expect(strategic.counts).toMatchObject({ total: 6, approvedAsDrafted: 2, approvedWithEdits: 3, rejected: 1, autonomous: 0 });
    expect(strategic.counts.editCategories).toMatchObject({ tone: 2, amount: 1 });
    const w = wilson(2, 6);
    expect(strategic.rates.approvedAsDrafted.rate).toBeCloseTo(2 / 6, 10);
    expect(strategic.rates.approvedAsDrafted.lower).toBeCloseTo(w.lower, 6);
    expect(strategic.rates.approvedAsDrafted.upper).toBeCloseTo(w.upper, 6);
    // The two autonomous sends: banded by their invoices' amounts (1,200.00: medium).
    expect(m.scopes[1].counts).toMatchObject({ total: 2, autonomous: 2, reviewedByPerson: 0 });
    expect(m.overall.rates.autonomousShare).toMatchObject({ numerator: 2, count: 11 });
  });

  it('says which policy to fix: edits and rejections per tier and dunning step', async () => {
    const r = await cli.ar('metrics', 'tuning', '--as-of', AS_OF, '--json');
    expect(r.code).toBe(0);
    const { rows } = JSON.parse(r.stdout);
    expect(rows.map((t: { tier: string; stepKey: string }) => `${t.tier}/${t.stepKey}`)).toEqual([
      'standard/due-3',
      'strategic/overdue-21',
    ]);
    expect(rows[1]).toMatchObject({ drafts: 6, edits: 3, rejections: 1, topEditCategory: 'tone' });
    expect(rows[1].sentence).toBe(
      'approvers changed the tone of 33% of overdue-21 drafts for the strategic tier (2 of 6); they rejected 17% (1 of 6)',
    );
    const text = await cli.ar('metrics', 'tuning', '--as-of', AS_OF);
    expect(text.stdout).toContain('approvers approved all 3 due-3 drafts for the standard tier as drafted');
    // A window that ends before every decision: nothing to count, said so.
    const empty = await cli.ar('metrics', 'tuning', '--as-of', '2025-01-01');
    expect(empty.stdout).toContain('no draft was decided by a person in this window');
  });

  it('refuses a bad window with the value and the rule', async () => {
    const r = await cli.ar('metrics', 'decisions', '--window-days', '0');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('"0" must be a whole number of days from 1 to 366');
  });
});
