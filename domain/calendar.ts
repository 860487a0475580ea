/**
 * Calendar dates ("YYYY-MM-DD") for business meaning, UTC instants for events.
 * Pure and deterministic: safe inside workflows.
 */

export type IsoDate = string & { readonly __isoDate: true };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(s: string): s is IsoDate {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === s;
}

function toEpochDay(d: string): number {
  const m = DATE_RE.exec(d)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) / DAY_MS;
}

function fromEpochDay(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10) as IsoDate;
}

export function addDays(d: string, days: number): IsoDate {
  return fromEpochDay(toEpochDay(d) + days);
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** ISO weekday 1 (Mon) .. 7 (Sun). */
function weekday(d: string): number {
  const w = new Date(toEpochDay(d) * DAY_MS).getUTCDay();
  return w === 0 ? 7 : w;
}

/** A weekday that is not one of `holidays` (public holidays and closing days, ISO dates). */
export function isBusinessDay(d: string, holidays: ReadonlySet<string> = new Set()): boolean {
  return weekday(d) <= 5 && !holidays.has(d);
}

// One formatter per timezone for the life of the module: constructing an Intl.DateTimeFormat costs
// far more than formatting with one, and a step's planning formats dozens of instants.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** The calendar date and wall-clock time of an instant in an IANA timezone. */
export function localParts(instant: Date, timeZone: string): { date: IsoDate; hour: number; minute: number } {
  const fmt = formatterFor(timeZone);
  const parts = Object.fromEntries(fmt.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}` as IsoDate,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The UTC instant of a local wall-clock time in a timezone (DST-safe by iteration). */
export function zonedTimeToUtc(date: string, hour: number, minute: number, timeZone: string): Date {
  const target = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10), hour, minute);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), timeZone);
    const asUtc = Date.UTC(+p.date.slice(0, 4), +p.date.slice(5, 7) - 1, +p.date.slice(8, 10), p.hour, p.minute);
    const diff = asUtc - target;
    if (diff === 0) break;
    guess -= diff;
  }
  return new Date(guess);
}

export interface SendWindow {
  /** Local hour the window opens (inclusive). */
  startHour: number;
  /** Local hour the window closes (exclusive). */
  endHour: number;
  businessDaysOnly: boolean;
}

/** Days searched for an open send window: a year of closing days still finds the next one. */
const MAX_DAYS_AHEAD = 400;

/**
 * The earliest instant at or after `from` that falls inside the customer's send window.
 * A reminder planned for Saturday 03:00 UTC goes out Monday 09:00 in the customer's timezone.
 * A window that keeps to business days also skips `holidays` (ISO dates in the customer's
 * calendar); with none given the result is what it always was.
 */
export function nextSendTime(from: Date, window: SendWindow, timeZone: string, holidays: ReadonlySet<string> = new Set()): Date {
  let local = localParts(from, timeZone);
  for (let i = 0; i < MAX_DAYS_AHEAD; i++) {
    const okDay = !window.businessDaysOnly || isBusinessDay(local.date, holidays);
    if (okDay && local.hour < window.endHour) {
      if (local.hour >= window.startHour) return from;
      return zonedTimeToUtc(local.date, window.startHour, 0, timeZone);
    }
    const next = addDays(local.date, 1);
    from = zonedTimeToUtc(next, window.startHour, 0, timeZone);
    local = localParts(from, timeZone);
  }
  return from;
}

/** Today's calendar date in UTC for an instant. */
export function utcDate(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10) as IsoDate;
}
