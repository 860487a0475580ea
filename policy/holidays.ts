/**
 * Public holidays and closing days as ISO dates, for the send window (activity side only).
 * date-holidays is large: workflows never import it. The activities that load a workflow's
 * context resolve the dates here and hand the workflow a plain list.
 *
 * Which holidays count: date-holidays' type 'public' only, the days offices are closed by law.
 * 'bank' (banks only, often half days), 'school', 'optional' (a day off some employees take) and
 * 'observance' (Valentine's Day, Advent Sundays) leave the customer's accounts team at work. A
 * public holiday that starts after midnight (a half day, e.g. from 12:00) keeps its morning open,
 * so only those starting at 00:00 local count; substitute days (US Independence Day observed
 * on Friday 3 July 2026) are public days off and count.
 */
import Holidays from 'date-holidays';
import { addDays, utcDate } from '../domain/calendar';
import { PolicyError, type HolidaysPolicy, type PolicyBody } from '../domain/policy';

export interface HolidayCalendar {
  /** ISO 3166-1 alpha-2, as date-holidays knows it; absent: no public holidays. */
  country?: string;
  /** A state or province of that country as date-holidays names it (DE "BY", US "CA"). */
  region?: string;
  /** The company's own closing days. */
  closingDays?: readonly string[];
}

/** How far ahead the context activities resolve holidays: past any single sleep of a workflow. */
const HOLIDAY_HORIZON_DAYS = 400;

const DAY_MS = 86_400_000;
/** date-holidays' local start "YYYY-MM-DD hh:mm:ss [offset]" of a holiday that takes the whole day. */
const STARTS_AT_MIDNIGHT = /^\d{4}-\d{2}-\d{2} 00:00:00/;
/** Public holidays per "country/region/year": the same few lists serve every invoice. */
const byYear = new Map<string, string[]>();

function publicHolidays(country: string, region: string | undefined, year: number): string[] {
  const key = `${country}/${region ?? ''}/${year}`;
  let dates = byYear.get(key);
  if (!dates) {
    const calendar = region ? new Holidays(country, region) : new Holidays(country);
    dates = [];
    for (const h of calendar.getHolidays(year) || []) {
      if (h.type !== 'public' || !STARTS_AT_MIDNIGHT.test(h.date)) continue;
      // A holiday spanning several days (date-holidays gives start and end instants) counts each one.
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
      for (let i = 0; i < span; i++) dates.push(addDays(h.date.slice(0, 10), i));
    }
    byYear.set(key, dates);
  }
  return dates;
}

/** The holidays and closing days in [fromDate, fromDate + days), sorted, each once. */
export function holidaysFor(calendar: HolidayCalendar, fromDate: string, days: number): string[] {
  const toDate = addDays(fromDate, days);
  const inRange = (d: string) => d >= fromDate && d < toDate;
  const found = new Set<string>((calendar.closingDays ?? []).filter(inRange));
  if (calendar.country) {
    for (let year = Number(fromDate.slice(0, 4)); year <= Number(toDate.slice(0, 4)); year++) {
      for (const d of publicHolidays(calendar.country, calendar.region, year)) if (inRange(d)) found.add(d);
    }
  }
  return [...found].sort();
}

/** A customer's calendar: the one for its timezone, else the default, plus the closing days. */
export function calendarFor(holidays: HolidaysPolicy, timezone: string): HolidayCalendar {
  const chosen = holidays.byTimezone[timezone] ?? holidays.default;
  return { country: chosen?.country, region: chosen?.region, closingDays: holidays.closingDays };
}

/**
 * What a context activity hands a workflow: the customer's days off from yesterday (UTC; the
 * customer's local date may still be yesterday) for HOLIDAY_HORIZON_DAYS. The default policy
 * configures none, so the list is empty and every timer is what it was before holidays existed.
 */
export function upcomingHolidays(policy: Pick<PolicyBody, 'holidays'>, timezone: string, now: Date): string[] {
  return holidaysFor(calendarFor(policy.holidays, timezone), addDays(utcDate(now), -1), HOLIDAY_HORIZON_DAYS);
}

/** Refuses a country or region date-holidays does not know (checked when a version is published). */
export function checkHolidayCalendars(holidays: HolidaysPolicy): void {
  const catalogue = new Holidays();
  const known = catalogue.getCountries();
  const check = (field: string, choice: { country: string; region?: string }) => {
    if (!(choice.country in known))
      throw new PolicyError(
        `${field}.country`,
        choice.country,
        'is not a country with a public-holiday calendar (ISO 3166-1 alpha-2 codes date-holidays knows, e.g. "DE", "US")',
      );
    if (choice.region === undefined) return;
    const regions = catalogue.getStates(choice.country) ?? {};
    if (!(choice.region in regions)) {
      const some = Object.keys(regions)
        .slice(0, 8)
        .map((r) => JSON.stringify(r));
      throw new PolicyError(
        `${field}.region`,
        choice.region,
        some.length
          ? `is not a region of ${choice.country} (known: ${some.join(', ')}${Object.keys(regions).length > 8 ? ', …' : ''})`
          : `is not a region of ${choice.country}: it has national holidays only, leave region out`,
      );
    }
  };
  if (holidays.default) check('holidays.default', holidays.default);
  for (const [timezone, choice] of Object.entries(holidays.byTimezone)) check(`holidays.byTimezone.${timezone}`, choice);
}
