import { describe, expect, it } from 'vitest';
import { earliestContactTime } from '../../outreach/contact-caps';
import { autonomyGate } from '../../domain/autonomy';
import { draftReminder } from '../../domain/drafting';
import { effectiveTone, planNextStep } from '../../collections/dunning';
import { DEFAULT_POLICY, policySchema } from '../../domain/policy';

const ladder = DEFAULT_POLICY.ladders.standard;
const base = {
  dueDate: '2026-12-01',
  ladder,
  doneStepKeys: [] as string[],
  anyContactMade: false,
  timezone: 'UTC',
  sendWindow: DEFAULT_POLICY.sendWindow,
};

describe('planNextStep', () => {
  it('plans the first step at the send window on its date', () => {
    const plan = planNextStep({ ...base, now: new Date('2026-11-20T12:00:00Z') });
    expect(plan).toMatchObject({ kind: 'step', step: { key: 'heads-up' }, passedOver: [] });
    if (plan.kind === 'step') expect(plan.at.toISOString()).toBe('2026-11-30T09:00:00.000Z'); // Nov 28 is a Saturday → Monday
  });

  it('acts at the current stage on a late start instead of sending every missed step', () => {
    const plan = planNextStep({ ...base, now: new Date('2026-12-16T10:00:00Z') }); // 15 days overdue
    expect(plan.kind === 'step' && plan.step.key).toBe('overdue-14');
    expect(plan.kind === 'step' && plan.passedOver.map((s) => s.key)).toEqual(['heads-up', 'overdue-1', 'overdue-7']);
  });

  it('never hands off before any contact was made', () => {
    const plan = planNextStep({ ...base, now: new Date('2027-03-01T10:00:00Z') });
    expect(plan.kind === 'step' && plan.step.key).toBe('final-30');
    expect(effectiveTone(ladder[4]!, false)).toBe('firm');
    expect(effectiveTone(ladder[4]!, true)).toBe('final');
    const after = planNextStep({
      ...base,
      anyContactMade: true,
      doneStepKeys: ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30'],
      now: new Date('2027-03-01T10:00:00Z'),
    });
    expect(after.kind === 'step' && after.step.key).toBe('handoff');
  });

  it('gives the customer the grace days to answer the last reminder before a hand-off', () => {
    // Imported 90 days overdue: the first reminder went out on 1 March (a Monday); the hand-off is long due by its offset.
    const done = ['heads-up', 'overdue-1', 'overdue-7', 'overdue-14', 'final-30'];
    const now = new Date('2027-03-01T10:00:05Z');
    const withGrace = planNextStep({
      ...base,
      anyContactMade: true,
      doneStepKeys: done,
      now,
      lastContactDate: '2027-03-01',
      handoffGraceDays: 7,
    });
    expect(withGrace.kind === 'step' && withGrace.step.key).toBe('handoff');
    expect(withGrace.kind === 'step' && withGrace.at.toISOString()).toBe('2027-03-08T09:00:00.000Z');
    // Without a recorded contact, or with no grace, the hand-off is due now.
    for (const extra of [{}, { lastContactDate: '2027-03-01', handoffGraceDays: 0 }]) {
      const plan = planNextStep({ ...base, anyContactMade: true, doneStepKeys: done, now, ...extra });
      expect(plan.kind === 'step' && plan.at.toISOString()).toBe(now.toISOString());
    }
    // A contact long ago does not delay a hand-off that is due by the ladder.
    const old = planNextStep({
      ...base,
      anyContactMade: true,
      doneStepKeys: done,
      now,
      lastContactDate: '2027-01-05',
      handoffGraceDays: 7,
    });
    expect(old.kind === 'step' && old.at.toISOString()).toBe(now.toISOString());
    // Reminders are spaced by the contact caps, not by this grace.
    const reminder = planNextStep({
      ...base,
      anyContactMade: true,
      doneStepKeys: ['heads-up'],
      now: new Date('2026-12-02T10:00:00Z'),
      lastContactDate: '2026-12-01',
      handoffGraceDays: 7,
    });
    expect(reminder.kind === 'step' && reminder.step.key).toBe('overdue-1');
    expect(reminder.kind === 'step' && reminder.at.toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });

  it('holds for a promise', () => {
    const plan = planNextStep({ ...base, doneStepKeys: ['heads-up'], holdUntil: '2026-12-10', now: new Date('2026-12-02T10:00:00Z') });
    expect(plan.kind === 'step' && plan.at.toISOString()).toBe('2026-12-10T09:00:00.000Z');
  });

  it('finishes when every step is done', () => {
    expect(planNextStep({ ...base, doneStepKeys: ladder.map((s) => s.key), now: new Date() })).toEqual({ kind: 'finished' });
  });
});

describe('contact caps', () => {
  const caps = { maxContacts: 2, perDays: 7, minHoursApart: 48 };
  const H = 3_600_000;
  it('keeps contacts 48 hours apart and at most 2 in 7 days', () => {
    const t0 = Date.UTC(2026, 10, 2);
    expect(earliestContactTime([], t0, caps)).toBe(t0);
    expect(earliestContactTime([t0], t0 + H, caps)).toBe(t0 + 48 * H);
    // Two contacts in the window: the next waits until the first is 7 days old.
    expect(earliestContactTime([t0, t0 + 48 * H], t0 + 50 * H, caps)).toBe(t0 + 7 * 24 * H);
  });
});

describe('autonomy gate', () => {
  const input = { action: 'reminder' as const, tier: 'small', segment: 'smb', currency: 'USD', amountMinor: 20_000, noTouch: false };
  it('is supervised by default', () => {
    expect(autonomyGate(input, []).mode).toBe('supervised');
  });
  it('grants autonomy only within scope and limit', () => {
    const scopes = policySchema.parse({
      ...DEFAULT_POLICY,
      autonomy: [{ action: 'reminder', tiers: ['small'], maxAmountMinor: { USD: 50_000 }, mode: 'autonomous' }],
    }).autonomy;
    expect(autonomyGate(input, scopes).mode).toBe('autonomous');
    expect(autonomyGate({ ...input, amountMinor: 60_000 }, scopes).mode).toBe('supervised');
    expect(autonomyGate({ ...input, currency: 'EUR' }, scopes).mode).toBe('supervised');
    expect(autonomyGate({ ...input, tier: 'strategic' }, scopes).mode).toBe('supervised');
    expect(autonomyGate({ ...input, noTouch: true }, scopes).mode).toBe('supervised');
    expect(autonomyGate({ ...input, action: 'write_off' }, scopes).mode).toBe('supervised');
  });
});

describe('drafting', () => {
  it('lists every invoice with its amount and days overdue', () => {
    const d = draftReminder({
      customerName: 'Acme',
      contactName: 'Pat',
      locale: 'en-US',
      tone: 'firm',
      today: '2026-12-15',
      invoices: [
        { number: 'INV-1', currency: 'USD', openMinor: 123450, amountMinor: 123450, dueDate: '2026-12-01', poNumber: 'PO-9' },
        { number: 'INV-2', currency: 'USD', openMinor: 5000, amountMinor: 10000, dueDate: '2026-12-14' },
      ],
    });
    expect(d.subject).toBe('Overdue: 2 invoices (INV-1, INV-2)');
    expect(d.body).toContain('Dear Pat,');
    expect(d.body).toContain('- Invoice INV-1, PO PO-9: $1,234.50 14 days overdue (due 2026-12-01)');
    expect(d.body).toContain('Total now due: $1,284.50.');
  });
});
