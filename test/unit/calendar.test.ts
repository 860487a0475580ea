import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isBusinessDay, isIsoDate, localParts, nextSendTime, zonedTimeToUtc } from '../../domain/calendar';

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

  it('treats holidays and closing days as non-business days', () => {
    const holidays = new Set(['2026-12-25']);
    expect(isBusinessDay('2026-12-25')).toBe(true); // a Friday, with no calendar given
    expect(isBusinessDay('2026-12-25', holidays)).toBe(false);
    expect(isBusinessDay('2026-12-24', holidays)).toBe(true);
  });

  it('skips holidays in a business-day window, in the customer timezone', () => {
    // Thursday 24 Dec 18:00 in New York (after hours); Friday 25 Dec is Christmas → Monday 28 Dec 09:00 EST.
    const from = new Date('2026-12-24T23:00:00Z');
    expect(nextSendTime(from, window, 'America/New_York').toISOString()).toBe('2026-12-25T14:00:00.000Z');
    expect(nextSendTime(from, window, 'America/New_York', new Set(['2026-12-25'])).toISOString()).toBe('2026-12-28T14:00:00.000Z');
    // Inside the window, but the day is a closing day: the next business day.
    const inside = new Date('2026-12-29T15:00:00Z');
    expect(nextSendTime(inside, window, 'UTC', new Set(['2026-12-29', '2026-12-30'])).toISOString()).toBe('2026-12-31T09:00:00.000Z');
  });

  it('ignores holidays when the window is not limited to business days', () => {
    const anyDay = { startHour: 0, endHour: 24, businessDaysOnly: false };
    const christmas = new Date('2026-12-25T10:00:00Z');
    expect(nextSendTime(christmas, anyDay, 'UTC', new Set(['2026-12-25']))).toEqual(christmas);
  });

  it('finds the next open day after a closing spell longer than a month', () => {
    const closed = new Set(Array.from({ length: 45 }, (_, i) => addDays('2026-12-01', i)));
    // 45 days from 1 Dec → 14 Jan 2027 is the last closed day; 15 Jan is a Friday.
    expect(nextSendTime(new Date('2026-12-01T10:00:00Z'), window, 'UTC', closed).toISOString()).toBe('2027-01-15T09:00:00.000Z');
  });
});
