/** Bank date notations to ISO calendar dates (YYYY-MM-DD), refusing impossible dates. */
import type { ParseContext } from './errors';

function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2199) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Two-digit years: 00–79 are 20xx, 80–99 are 19xx (bank files predate 1980 rarely, postdate 2079 never yet). */
function fullYear(yy: number): number {
  return yy < 80 ? 2000 + yy : 1900 + yy;
}

/** YYMMDD, as MT940 and BAI2 write dates. */
export function yymmdd(text: string, location: string, ctx: ParseContext): string {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
  const date = m ? isoDate(fullYear(Number(m[1])), Number(m[2]), Number(m[3])) : null;
  if (!date) ctx.fail(location, text, 'is not a date in YYMMDD form');
  return date;
}

/**
 * An ISO date or date-time ("2025-12-06" or "2025-12-06T13:37:14.000Z"): the calendar date as
 * the bank wrote it. Converting the time zone would move bookings across days the bank did not.
 */
export function isoDateOrDateTime(text: string, location: string, ctx: ParseContext): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  const date = m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (!date) ctx.fail(location, text, 'is not an ISO date or date-time (YYYY-MM-DD[Thh:mm:ss])');
  return date;
}

/**
 * The year for an MMDD booking date next to a full value date: the one that puts the two
 * closest together, so a booking on 31 Dec valued 2 Jan lands in the previous year.
 */
export function nearestYearDate(month: number, day: number, near: string): string | null {
  const year = Number(near.slice(0, 4));
  const anchor = Date.parse(`${near}T00:00:00Z`);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const y of [year - 1, year, year + 1]) {
    const candidate = isoDate(y, month, day);
    if (!candidate) continue;
    const distance = Math.abs(Date.parse(`${candidate}T00:00:00Z`) - anchor);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

const DATE_TOKEN = /YYYY|YY|MM|DD|M|D/g;

/**
 * Compiles a CSV date format such as "DD.MM.YYYY", "MM/DD/YYYY" or "YYYYMMDD" into a parser.
 * Tokens: YYYY, YY, MM, M, DD, D; everything else must appear literally.
 */
export function compileDateFormat(format: string): (text: string) => string | null {
  const order: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of format.matchAll(DATE_TOKEN)) {
    pattern += escapeRegExp(format.slice(last, m.index));
    order.push(m[0]);
    pattern += { YYYY: '(\\d{4})', YY: '(\\d{2})', MM: '(\\d{2})', M: '(\\d{1,2})', DD: '(\\d{2})', D: '(\\d{1,2})' }[m[0]];
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  const re = new RegExp(`^${pattern}$`);
  return (text) => {
    const m = re.exec(text.trim());
    if (!m) return null;
    let year = NaN;
    let month = NaN;
    let day = NaN;
    order.forEach((token, i) => {
      const n = Number(m[i + 1]);
      if (token === 'YYYY') year = n;
      else if (token === 'YY') year = fullYear(n);
      else if (token.startsWith('M')) month = n;
      else day = n;
    });
    return isoDate(year, month, day);
  };
}

/** True when a format names each of year, month and day exactly once. */
export function isCompleteDateFormat(format: string): boolean {
  const tokens = format.match(DATE_TOKEN) ?? [];
  const kinds = tokens.map((t) => t[0]);
  return kinds.length === 3 && new Set(kinds).size === 3;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
