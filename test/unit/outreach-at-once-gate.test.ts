/** When an approved reminder may go out at once from its hand-over, without the outreach workflow (outreach/at-once-gate.ts). */
import { describe, expect, it } from 'vitest';
import { type AtOnceContext, whyThroughOutreach } from '../../outreach/at-once-gate';

// Monday 2026-03-02 10:00 UTC.
const now = Date.parse('2026-03-02T10:00:00Z');
const context = (over: Partial<AtOnceContext> = {}, rules: Partial<AtOnceContext['rules']> = {}): AtOnceContext => ({
  rules: { sendWindow: { startHour: 9, endHour: 17, businessDaysOnly: true }, batchWindowMinutes: 60, timezone: 'UTC', ...rules },
  others: { dueAt: [], awaitingApproval: 0, unknown: false },
  sends: { held: false, by: null, reason: null },
  ...over,
});

describe('whyThroughOutreach', () => {
  it('sends at once when nothing would hold the reminder in outreach', () => {
    expect(whyThroughOutreach(context(), now)).toBeNull();
    // Another invoice due beyond the batch window cannot join it.
    expect(
      whyThroughOutreach(context({ others: { dueAt: ['2026-03-02T11:30:00Z'], awaitingApproval: 0, unknown: false } }), now),
    ).toBeNull();
  });

  it('goes through outreach while the kill switch holds', () => {
    const held = context({ sends: { held: true, by: 'cfo', reason: 'audit' } });
    expect(whyThroughOutreach(held, now)).toBe('sends are paused by cfo: audit');
  });

  it('goes through outreach when another reminder may join it inside the batch window', () => {
    const soon = context({ others: { dueAt: ['2026-03-02T10:20:00Z'], awaitingApproval: 0, unknown: false } });
    expect(whyThroughOutreach(soon, now)).toMatch(/inside the 60-minute batch window/);
    const pending = context({ others: { dueAt: [], awaitingApproval: 1, unknown: false } });
    expect(whyThroughOutreach(pending, now)).toMatch(/batch window/);
    // Not knowing when the others act (a query failed, no client): the whole window, through outreach.
    expect(whyThroughOutreach(context({ others: null }), now)).toMatch(/batch window/);
    // No batch window: nothing to wait for.
    expect(whyThroughOutreach(context({ others: null }, { batchWindowMinutes: 0 }), now)).toBeNull();
  });

  it("goes through outreach outside the customer's send window, holidays included", () => {
    expect(whyThroughOutreach(context({}, { timezone: 'America/Los_Angeles' }), now)).toBe(
      "outside the customer's send window until 2026-03-02T17:00:00.000Z",
    );
    expect(whyThroughOutreach(context({}, { holidays: ['2026-03-02'] }), now)).toBe(
      "outside the customer's send window until 2026-03-03T09:00:00.000Z",
    );
  });
});
