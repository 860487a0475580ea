/**
 * Every policy field does something or is refused: a step's channel, the holiday calendar and
 * closing days, and a customer's risk score in the autonomy gate.
 */
import { describe, expect, it } from 'vitest';
import { autonomyGate } from '../../domain/autonomy';
import { nextSendTime } from '../../domain/calendar';
import { DEFAULT_POLICY, parsePolicy, policySchema, PolicyError, type PolicyBody } from '../../domain/policy';
import { AVAILABLE_CHANNELS } from '../../domain/policy-terms';
import { planNextStep } from '../../collections/dunning';
import { describeZodError } from '../../collections/message-schemas';
import { fromZodError } from '../../apps/http/errors';
import { publishPolicyBody } from '../../apps/http/schemas';
import { calendarFor, checkHolidayCalendars, holidaysFor, upcomingHolidays } from '../../policy/holidays';
import { publishPolicy } from '../../policy/store';
import type { Db } from '../../db/client';

const CHANNEL_RULE = /only email is available until an SMS channel exists/;

function withSmsStep(): PolicyBody {
  const standard = DEFAULT_POLICY.ladders.standard.map((step, i) => (i === 2 ? { ...step, channel: 'sms' } : step));
  return { ...DEFAULT_POLICY, ladders: { ...DEFAULT_POLICY.ladders, standard } } as unknown as PolicyBody;
}

describe('dunning step channel', () => {
  it('keeps email valid, and the default', () => {
    expect(AVAILABLE_CHANNELS).toEqual(['email']);
    const parsed = policySchema.parse(DEFAULT_POLICY);
    expect(parsed.ladders.standard.every((s) => s.channel === 'email')).toBe(true);
    const explicit = {
      ...DEFAULT_POLICY,
      ladders: { ...DEFAULT_POLICY.ladders, small: [{ key: 'x', offsetDays: 1, tone: 'firm', channel: 'email' }] },
    };
    expect(policySchema.safeParse(explicit).success).toBe(true);
  });

  it('refuses an sms step in `ar policy publish` with field, value and rule', () => {
    const body = withSmsStep();
    const checked = policySchema.safeParse(body);
    expect(checked.success).toBe(false);
    const message = describeZodError(checked.error!, body);
    expect(message).toContain('ladders.standard.2.channel: "sms"');
    expect(message).toMatch(CHANNEL_RULE);
  });

  it('refuses an sms step in POST /api/policy with field, value and rule', () => {
    const input = { policy: withSmsStep(), note: 'try sms' };
    const checked = publishPolicyBody.safeParse(input);
    expect(checked.success).toBe(false);
    const body = fromZodError(checked.error!, input).body;
    expect(body.field).toBe('policy.ladders.standard.2.channel');
    expect(body.value).toBe('sms');
    expect(body.rule).toMatch(CHANNEL_RULE);
  });

  it('reads a stored version naming sms as what it did: email', () => {
    const stored = parsePolicy(3, JSON.parse(JSON.stringify(withSmsStep())));
    expect(stored.ladders.standard[2]!.channel).toBe('email');
  });
});

describe('holiday calendar in the policy', () => {
  it('defaults to none, so a version-1 body still parses unchanged', () => {
    const { holidays: _none, ...v1 } = DEFAULT_POLICY;
    const parsed = parsePolicy(1, v1);
    expect(parsed.holidays).toEqual({ byTimezone: {}, closingDays: [] });
    expect(upcomingHolidays(parsed, 'Europe/Berlin', new Date('2026-12-01T00:00:00Z'))).toEqual([]);
  });

  it('checks the format purely: two capital letters, IANA timezones, ISO dates', () => {
    const bad = (holidays: unknown) => {
      const r = policySchema.safeParse({ ...DEFAULT_POLICY, holidays });
      return r.success ? 'ok' : describeZodError(r.error, { holidays });
    };
    expect(bad({ default: { country: 'de' } })).toMatch(/^holidays\.default\.country: "de" must be an ISO 3166-1 alpha-2/);
    expect(bad({ byTimezone: { 'Mars/Olympus': { country: 'DE' } } })).toBe(
      'holidays.byTimezone.Mars/Olympus: {"country":"DE"} is under "Mars/Olympus", which is not an IANA timezone such as "Europe/Berlin"',
    );
    expect(bad({ closingDays: ['2026-02-30'] })).toMatch(/^holidays\.closingDays\.0: "2026-02-30" must be a calendar date/);
    expect(
      bad({ default: { country: 'DE', region: 'BY' }, byTimezone: { 'America/New_York': { country: 'US' } }, closingDays: ['2026-12-31'] }),
    ).toBe('ok');
  });

  it('refuses at publish a country or region date-holidays does not know, naming field, value and rule', async () => {
    const unknownCountry = { ...DEFAULT_POLICY, holidays: { byTimezone: { 'Europe/Berlin': { country: 'XX' } }, closingDays: [] } };
    // Refused before the database is touched: no database is needed to see it.
    const refused = publishPolicy({} as Db, unknownCountry, { note: 'test', createdBy: 'test' });
    await expect(refused).rejects.toBeInstanceOf(PolicyError);
    await expect(refused).rejects.toMatchObject({
      field: 'holidays.byTimezone.Europe/Berlin.country',
      value: 'XX',
      rule: expect.stringMatching(/is not a country/),
    });
    expect(() => checkHolidayCalendars({ default: { country: 'DE', region: 'ZZ' }, byTimezone: {}, closingDays: [] })).toThrow(
      /^holidays\.default\.region: "ZZ" is not a region of DE \(known: "BB"/,
    );
    expect(() =>
      checkHolidayCalendars({
        default: { country: 'DE', region: 'BY' },
        byTimezone: { 'America/New_York': { country: 'US', region: 'NY' } },
        closingDays: [],
      }),
    ).not.toThrow();
  });

  it('resolves public holidays and closing days in a range', () => {
    expect(holidaysFor({ country: 'US' }, '2026-12-01', 31)).toEqual(['2026-12-25']);
    expect(holidaysFor({ country: 'DE' }, '2026-10-01', 5)).toEqual(['2026-10-03']);
    // Only type 'public': Christmas Eve (bank, from 14:00) and Advent Sundays (observance) do not count.
    expect(holidaysFor({ country: 'DE' }, '2026-12-20', 10)).toEqual(['2026-12-25', '2026-12-26']);
    // A region adds its own: Epiphany in Bavaria, not nationally.
    expect(holidaysFor({ country: 'DE', region: 'BY' }, '2026-01-01', 7)).toEqual(['2026-01-01', '2026-01-06']);
    expect(holidaysFor({ country: 'DE' }, '2026-01-01', 7)).toEqual(['2026-01-01']);
    // Closing days join them, in range only, sorted, each once; the range crosses a year.
    expect(holidaysFor({ country: 'US', closingDays: ['2026-12-31', '2026-12-25', '2027-03-01'] }, '2026-12-20', 20)).toEqual([
      '2026-12-25',
      '2026-12-31',
      '2027-01-01',
    ]);
    expect(holidaysFor({ closingDays: ['2026-12-24'] }, '2026-12-01', 31)).toEqual(['2026-12-24']);
  });

  it('chooses a customer calendar by timezone, else the default', () => {
    const holidays = {
      default: { country: 'US' },
      byTimezone: { 'Europe/Berlin': { country: 'DE', region: 'BY' } },
      closingDays: ['2026-12-31'],
    };
    expect(calendarFor(holidays, 'Europe/Berlin')).toEqual({ country: 'DE', region: 'BY', closingDays: ['2026-12-31'] });
    expect(calendarFor(holidays, 'America/Chicago')).toEqual({ country: 'US', region: undefined, closingDays: ['2026-12-31'] });
    const ahead = upcomingHolidays({ holidays }, 'Europe/Berlin', new Date('2026-12-01T00:00:00Z'));
    expect(ahead).toContain('2026-12-25');
    expect(ahead).toContain('2027-01-06');
    expect(ahead).toContain('2026-12-31');
  });

  it('moves a send past a holiday, in nextSendTime and the dunning plan', () => {
    const window = DEFAULT_POLICY.sendWindow;
    const christmas = new Set(holidaysFor({ country: 'US' }, '2026-12-01', 60));
    // Friday 25 Dec 10:00 in New York → Monday 28 Dec 09:00 EST.
    expect(nextSendTime(new Date('2026-12-25T15:00:00Z'), window, 'America/New_York', christmas).toISOString()).toBe(
      '2026-12-28T14:00:00.000Z',
    );
    // A step due on Christmas (due 18 Dec + 7 days) waits for the next business day.
    const plan = {
      dueDate: '2026-12-18',
      ladder: DEFAULT_POLICY.ladders.standard,
      doneStepKeys: ['heads-up', 'overdue-1'],
      anyContactMade: true,
      now: new Date('2026-12-20T12:00:00Z'),
      timezone: 'America/New_York',
      sendWindow: window,
    };
    const without = planNextStep(plan);
    const withHolidays = planNextStep({ ...plan, holidays: christmas });
    expect(without.kind === 'step' && without.at.toISOString()).toBe('2026-12-25T14:00:00.000Z');
    expect(withHolidays.kind === 'step' && withHolidays.at.toISOString()).toBe('2026-12-28T14:00:00.000Z');
  });
});

describe('risk score in the autonomy gate', () => {
  const input = { action: 'reminder' as const, tier: 'small', segment: 'smb', currency: 'USD', amountMinor: 20_000, noTouch: false };
  const scopes = (extra: Record<string, unknown>) =>
    policySchema.parse({ ...DEFAULT_POLICY, autonomy: [{ action: 'reminder', tiers: ['small'], mode: 'autonomous', ...extra }] }).autonomy;

  it('keeps a customer at or above the scope ceiling supervised, saying why', () => {
    const limited = scopes({ maxRiskScore: 80 });
    expect(autonomyGate({ ...input, riskScore: 79 }, limited).mode).toBe('autonomous');
    const atLimit = autonomyGate({ ...input, riskScore: 80 }, limited);
    expect(atLimit).toEqual({ mode: 'supervised', reason: 'risk score 80 is at or above the autonomous limit 80: a person decides' });
    expect(autonomyGate({ ...input, riskScore: 95 }, limited).mode).toBe('supervised');
    // A caller that does not give the score cannot pass a risk ceiling.
    expect(autonomyGate(input, limited)).toMatchObject({ mode: 'supervised', reason: expect.stringMatching(/score is not known/) });
  });

  it('changes nothing for a scope without a ceiling (every policy published so far)', () => {
    const open = scopes({});
    expect(open[0]!.maxRiskScore).toBeUndefined();
    expect(autonomyGate({ ...input, riskScore: 100 }, open).mode).toBe('autonomous');
    expect(autonomyGate(input, open).mode).toBe('autonomous');
  });

  it('refuses a ceiling outside 0..100', () => {
    const r = policySchema.safeParse({
      ...DEFAULT_POLICY,
      autonomy: [{ action: 'reminder', tiers: ['small'], mode: 'autonomous', maxRiskScore: 101 }],
    });
    expect(r.success).toBe(false);
    expect(describeZodError(r.error!, {})).toMatch(/^autonomy\.0\.maxRiskScore/);
  });
});

describe('bounds on the durations a policy sets (issue 13, defect 5)', () => {
  it('defaults maxPromiseDaysAhead to 180, also for a version stored before it existed', () => {
    expect(DEFAULT_POLICY.maxPromiseDaysAhead).toBe(180);
    const { maxPromiseDaysAhead: _, ...older } = DEFAULT_POLICY;
    expect(parsePolicy(4, older).maxPromiseDaysAhead).toBe(180);
  });

  it.each([
    ['maxPromiseDaysAhead', 0, /must be at least 1|too small/i],
    ['maxPromiseDaysAhead', 3661, /3660/],
    ['disputeDeadlineDays', 36_500, /365/],
    ['promiseGraceDays', 36_500, /90/],
    ['handoffGraceDays', 1000, /90/],
    ['proposalEscalationHours', 100_000, /2160/],
    ['batchWindowMinutes', 10_000_000, /1440/],
  ] as const)('refuses %s = %d with the field and the bound', (field, value, bound) => {
    const checked = policySchema.safeParse({ ...DEFAULT_POLICY, [field]: value });
    expect(checked.success).toBe(false);
    const e = fromZodError(checked.error!, { ...DEFAULT_POLICY, [field]: value }, 'policy');
    expect(e.body).toMatchObject({ field: `policy.${field}`, value });
    expect(e.body.rule).toMatch(bound);
  });
});
