/**
 * The row schemas of the three import files. Each cell is validated with zod and each problem is
 * reported with its column, value and rule; money is converted exactly with parseDecimal in the
 * row's currency (JPY has no decimals, KWD three).
 *
 * Optional columns follow one rule: a column missing from the header leaves the stored value
 * alone (undefined below); a column present with an empty cell sets the default or clears it (null).
 */
import { z } from 'zod';
import { isIsoDate } from '../../domain/calendar';
import { currencyExponent, isCurrency, MoneyError, parseDecimal } from '../../domain/money';
import { CONTROL_CHARACTER_RULE, controlCharacterIn } from '../../domain/text';
import type { ColumnSpec, CsvRow } from './csv';
import type { ImportIssue, ImportKind } from './report';

const TIERS = ['strategic', 'standard', 'small'] as const;

export const COLUMNS: Record<ImportKind, ColumnSpec> = {
  customers: {
    required: ['customer_id', 'name', 'tier'],
    optional: ['segment', 'email', 'phone', 'contact_name', 'decision_maker_email', 'decision_maker_name', 'no_touch', 'timezone'],
  },
  invoices: {
    required: ['invoice_number', 'customer_id', 'issue_date', 'due_date', 'currency', 'amount'],
    optional: ['open_amount', 'po_number', 'terms'],
  },
  payments: {
    required: ['payment_id', 'customer_id', 'date', 'currency', 'amount'],
    optional: ['invoice_number', 'reference', 'payer'],
  },
};

const cell = z.string().trim();
const noControl = (v: string) => !/\p{Cc}/u.test(v);
/** Keys (ids, numbers) are matched exactly: no control characters, a sane length. */
const key = (max = 64) =>
  cell
    .min(1, { error: 'is required', abort: true })
    .max(max, `is longer than ${max} characters`)
    .refine(noControl, 'contains control characters');
const cleanText = (v: string) => controlCharacterIn(v) === null;
const text = (max: number) =>
  cell.min(1, { error: 'is required', abort: true }).max(max, `is longer than ${max} characters`).refine(cleanText, CONTROL_CHARACTER_RULE);
const optionalText = (max: number) =>
  cell
    .max(max, `is longer than ${max} characters`)
    .refine(cleanText, CONTROL_CHARACTER_RULE)
    .transform((v) => (v === '' ? null : v))
    .optional();
const isoDate = cell.min(1, { error: 'is required', abort: true }).refine(isIsoDate, 'is not a calendar date in the form YYYY-MM-DD');
const currency = cell
  .toUpperCase()
  .min(1, { error: 'is required', abort: true })
  .refine(isCurrency, 'is not an ISO 4217 currency code (e.g. USD, EUR, JPY)');
/** Kept as text here: converted to minor units below, once the row's currency is known. */
const amountText = cell.min(1, { error: 'is required', abort: true });

const emailSchema = z.email();
const optionalEmail = cell
  .refine((v) => v === '' || emailSchema.safeParse(v).success, 'is not an email address')
  .transform((v) => (v === '' ? null : v.toLowerCase()))
  .optional();
const optionalPhone = cell
  .refine((v) => v === '' || /^\+?[0-9][0-9 ().\-/]{3,24}$/.test(v), 'is not a phone number (digits, spaces, + ( ) - . /)')
  .transform((v) => (v === '' ? null : v))
  .optional();

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const optionalBool = cell
  .toLowerCase()
  .refine((v) => v === '' || TRUE.has(v) || FALSE.has(v), 'is not true or false (also accepted: yes/no, y/n, 1/0)')
  .transform((v) => (v === '' ? null : TRUE.has(v)))
  .optional();

// Building an Intl.DateTimeFormat costs ~100 µs; a file has few distinct zones, so remember them.
const zoneCache = new Map<string, string | undefined>();

/** Canonical IANA name ("europe/berlin" → "Europe/Berlin"); undefined when not a zone. Offsets like +02:00 are refused. */
function canonicalTimeZone(tz: string): string | undefined {
  if (zoneCache.has(tz)) return zoneCache.get(tz);
  let zone: string | undefined;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) {
    try {
      zone = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    } catch {
      zone = undefined;
    }
  }
  if (zoneCache.size < 10_000) zoneCache.set(tz, zone);
  return zone;
}
const optionalTimeZone = cell
  .refine((v) => v === '' || canonicalTimeZone(v) !== undefined, 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York)')
  .transform((v) => (v === '' ? null : canonicalTimeZone(v)!))
  .optional();

const tier = cell
  .toLowerCase()
  .min(1, { error: 'is required', abort: true })
  .refine((v) => (TIERS as readonly string[]).includes(v), `must be one of ${TIERS.join(', ')}`)
  .transform((v) => v as (typeof TIERS)[number]);

const customerFields = z.object({
  customer_id: key(),
  name: text(200),
  tier,
  segment: optionalText(64),
  email: optionalEmail,
  phone: optionalPhone,
  contact_name: optionalText(200),
  decision_maker_email: optionalEmail,
  decision_maker_name: optionalText(200),
  no_touch: optionalBool,
  timezone: optionalTimeZone,
});

const invoiceFields = z.object({
  invoice_number: key(),
  customer_id: key(),
  issue_date: isoDate,
  due_date: isoDate,
  currency,
  amount: amountText,
  open_amount: cell.optional(),
  po_number: optionalText(64),
  terms: optionalText(64),
});

const paymentFields = z.object({
  payment_id: key(),
  customer_id: key(),
  date: isoDate,
  currency,
  amount: amountText,
  invoice_number: cell.optional(),
  reference: optionalText(200),
  /** Who paid, as the bank names them: cash application learns a customer's payer names from it. */
  payer: optionalText(200),
});

export interface CustomerRow {
  row: number;
  id: string;
  name: string;
  tier: (typeof TIERS)[number];
  segment: string | null | undefined;
  email: string | null | undefined;
  phone: string | null | undefined;
  contactName: string | null | undefined;
  decisionMakerEmail: string | null | undefined;
  decisionMakerName: string | null | undefined;
  noTouch: boolean | null | undefined;
  timezone: string | null | undefined;
}

export interface InvoiceRow {
  row: number;
  number: string;
  customerId: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  amountMinor: number;
  /** Null: not stated, the ledger derives it (amount − applications − write-offs − credits). */
  openMinor: number | null;
  poNumber: string | null | undefined;
  terms: string | null | undefined;
}

export interface PaymentRow {
  row: number;
  id: string;
  customerId: string;
  receivedOn: string;
  currency: string;
  amountMinor: number;
  invoiceNumber: string | null;
  reference: string | null | undefined;
  payer: string | null | undefined;
}

type Validated<T> = { data: T; issues: [] } | { data?: undefined; issues: ImportIssue[] };

function zodIssues(r: CsvRow, error: z.ZodError | undefined): ImportIssue[] {
  return (error?.issues ?? []).map((i) => {
    const column = String(i.path[0] ?? '');
    return { row: r.row, column: column || null, value: column ? (r.values[column] ?? null) : null, rule: i.message };
  });
}

/** Converts a decimal cell to minor units, or records why not. */
function money(
  r: CsvRow,
  column: string,
  cur: string | undefined,
  issues: ImportIssue[],
  rule: (n: number) => string | undefined,
): number | undefined {
  const raw = r.values[column];
  if (raw === undefined || raw.trim() === '' || cur === undefined) return undefined;
  try {
    const n = parseDecimal(raw, cur, column);
    const broken = rule(n);
    if (broken) issues.push({ row: r.row, column, value: raw, rule: broken });
    return broken ? undefined : n;
  } catch (err) {
    if (!(err instanceof MoneyError)) throw err;
    // "more than 0 decimal places" reads oddly: say what the currency allows instead.
    const rule =
      currencyExponent(cur) === 0 && /decimal place/.test(err.rule)
        ? `has decimals, but ${cur} has no minor unit (whole amounts only)`
        : err.rule;
    issues.push({ row: r.row, column, value: raw, rule });
    return undefined;
  }
}

const positive = (n: number) => (n > 0 ? undefined : 'must be greater than zero');

export function validateCustomer(r: CsvRow): Validated<CustomerRow> {
  const p = customerFields.safeParse(r.values);
  if (!p.success) return { issues: zodIssues(r, p.error) };
  const d = p.data;
  return {
    data: {
      row: r.row,
      id: d.customer_id,
      name: d.name,
      tier: d.tier,
      segment: d.segment,
      email: d.email,
      phone: d.phone,
      contactName: d.contact_name,
      decisionMakerEmail: d.decision_maker_email,
      decisionMakerName: d.decision_maker_name,
      noTouch: d.no_touch,
      timezone: d.timezone,
    },
    issues: [],
  };
}

export function validateInvoice(r: CsvRow): Validated<InvoiceRow> {
  const p = invoiceFields.safeParse(r.values);
  const issues = zodIssues(r, p.error);
  // Money and cross-field rules run even when another cell failed, so one pass reports everything.
  const cur = currencyOf(r);
  const amount = money(r, 'amount', cur, issues, positive);
  const open = money(r, 'open_amount', cur, issues, (n) =>
    n < 0
      ? 'must not be negative'
      : amount !== undefined && n > amount
        ? `is more than the amount (${r.values.amount?.trim()})`
        : undefined,
  );
  const issue = r.values.issue_date?.trim() ?? '';
  const due = r.values.due_date?.trim() ?? '';
  if (isIsoDate(issue) && isIsoDate(due) && due < issue) {
    issues.push({ row: r.row, column: 'due_date', value: r.values.due_date ?? null, rule: `is before the issue date ${issue}` });
  }
  if (!p.success || issues.length || amount === undefined) return { issues };
  const d = p.data;
  return {
    data: {
      row: r.row,
      number: d.invoice_number,
      customerId: d.customer_id,
      issueDate: d.issue_date,
      dueDate: d.due_date,
      currency: d.currency,
      amountMinor: amount,
      openMinor: open ?? null,
      poNumber: d.po_number,
      terms: d.terms,
    },
    issues: [],
  };
}

export function validatePayment(r: CsvRow): Validated<PaymentRow> {
  const p = paymentFields.safeParse(r.values);
  const issues = zodIssues(r, p.error);
  const amount = money(r, 'amount', currencyOf(r), issues, positive);
  if (!p.success || issues.length || amount === undefined) return { issues };
  const d = p.data;
  return {
    data: {
      row: r.row,
      id: d.payment_id,
      customerId: d.customer_id,
      receivedOn: d.date,
      currency: d.currency,
      amountMinor: amount,
      invoiceNumber: d.invoice_number ? d.invoice_number : null,
      reference: d.reference,
      payer: d.payer,
    },
    issues: [],
  };
}

function currencyOf(r: CsvRow): string | undefined {
  const c = r.values.currency?.trim().toUpperCase();
  return c && isCurrency(c) ? c : undefined;
}
