import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isIsoDate, localParts, nextSendTime, zonedTimeToUtc } from '../../domain/calendar';

const window = { startHour: 9, endHour: 17, businessDaysOnly: true };

describe('calendar', () => {
  it('validates calendar dates strictly', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-1-01')).toBe(false);
  });

  it('does date arithmetic on calendar dates', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(daysBetween('2026-03-01', '2026-02-01')).toBe(-28);
  });

  it('converts local wall-clock time across DST', () => {
    // New York: EST (UTC-5) in January, EDT (UTC-4) in July.
    expect(zonedTimeToUtc('2026-01-15', 9, 0, 'America/New_York').toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(zonedTimeToUtc('2026-07-15', 9, 0, 'America/New_York').toISOString()).toBe('2026-07-15T13:00:00.000Z');
    expect(localParts(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-29', hour: 3, minute: 30 });
  });

  it('moves a send into the next business-day window in the customer timezone', () => {
    // Saturday 2026-11-28 03:00 UTC → Monday 09:00 in Tokyo (UTC+9) = Monday 00:00 UTC.
    expect(nextSendTime(new Date('2026-11-28T03:00:00Z'), window, 'Asia/Tokyo').toISOString()).toBe('2026-11-30T00:00:00.000Z');
    // Tuesday 18:00 in Berlin (after hours) → Wednesday 09:00 Berlin.
    expect(nextSendTime(new Date('2026-11-24T17:00:00Z'), window, 'Europe/Berlin').toISOString()).toBe('2026-11-25T08:00:00.000Z');
    // Inside the window: unchanged.
    const inside = new Date('2026-11-24T15:00:00Z');
    expect(nextSendTime(inside, window, 'UTC')).toEqual(inside);
  });
});
