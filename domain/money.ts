/**
 * Money as integer minor units with an ISO 4217 currency. Never floats: amounts are parsed
 * from decimal strings digit by digit, and amounts in different currencies never add.
 */
import { clipValue } from './text';

declare const minorBrand: unique symbol;
/** An integer count of a currency's minor units (cents, pence, yen). */
export type Minor = number & { readonly [minorBrand]: true };

export interface Money {
  readonly currency: string;
  readonly minor: Minor;
}

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/**
 * Active ISO 4217 codes. Taken from the runtime's ICU data where available (kept current with
 * Node releases), with a fallback list of the common ones for sandboxes without Intl.supportedValuesOf.
 */
const KNOWN_CURRENCIES: ReadonlySet<string> = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    const list = intl.supportedValuesOf?.('currency');
    // ICU omits some fund codes (CLF, UYW) that ISO 4217 lists with their own exponents.
    if (list && list.length > 100) return new Set([...list, ...Object.keys(EXPONENT_EXCEPTIONS)]);
  } catch {
    /* fall through */
  }
  return new Set([
    'AED',
    'AUD',
    'BRL',
    'CAD',
    'CHF',
    'CNY',
    'CZK',
    'DKK',
    'EUR',
    'GBP',
    'HKD',
    'HUF',
    'IDR',
    'ILS',
    'INR',
    'MXN',
    'NOK',
    'NZD',
    'PLN',
    'SAR',
    'SEK',
    'SGD',
    'THB',
    'TRY',
    'USD',
    'ZAR',
    ...Object.keys(EXPONENT_EXCEPTIONS),
  ]);
})();

export class MoneyError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${field}: ${JSON.stringify(clipValue(value))} ${rule}`);
    this.name = 'MoneyError';
  }
}

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

export function assertCurrency(code: string, field = 'currency'): string {
  if (!isCurrency(code)) throw new MoneyError(field, code, 'is not an ISO 4217 currency code (three capital letters, e.g. USD)');
  return code;
}

export function currencyExponent(currency: string): number {
  assertCurrency(currency);
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

export function minor(n: number, field = 'amount'): Minor {
  if (!Number.isSafeInteger(n)) throw new MoneyError(field, n, 'must be a whole number of minor units within ±2^53');
  return n as Minor;
}

/**
 * Parses a decimal string ("1234.50", "-3", "1,234.50" is refused) into minor units exactly.
 * More decimals than the currency has are refused rather than rounded: silently rounding money is a bug.
 */
export function parseDecimal(text: string, currency: string, field = 'amount'): Minor {
  const exp = currencyExponent(currency);
  const s = text.trim();
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m)
    throw new MoneyError(
      field,
      text,
      `is not a decimal amount (digits with an optional "." and up to ${exp} decimals, e.g. ${exp ? '1234.' + '5'.padEnd(exp, '0') : '1234'})`,
    );
  const [, sign, whole, frac = ''] = m;
  if (frac.length > exp) {
    // Trailing zeros beyond the exponent carry no value ("12.500" USD is fine).
    if (/[^0]/.test(frac.slice(exp))) {
      throw new MoneyError(field, text, `has more than ${exp} decimal place${exp === 1 ? '' : 's'}, the minor unit of ${currency}`);
    }
  }
  const digits = (whole! + frac.slice(0, exp).padEnd(exp, '0')).replace(/^0+(?=\d)/, '');
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new MoneyError(field, text, 'is too large to represent exactly');
  return (sign === '-' && value !== 0 ? -value : value) as Minor;
}

/** Formats minor units back to a plain decimal string ("1234.50"). Inverse of parseDecimal. */
export function toDecimal(amount: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exp + 1, '0');
  const whole = exp ? digits.slice(0, -exp) : digits;
  const frac = exp ? `.${digits.slice(-exp)}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** Human formatting for messages ("$1,234.50", "1.234,50 €"), by locale. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const exp = currencyExponent(currency);
  const decimal = toDecimal(amount, currency);
  try {
    // Intl takes a decimal string exactly (no float rounding) since ES2023.
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
    }).format(decimal as unknown as number);
  } catch {
    return `${decimal} ${currency}`;
  }
}

export function money(currency: string, amount: number): Money {
  return { currency: assertCurrency(currency), minor: minor(amount) };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new MoneyError('currency', `${a.currency}+${b.currency}`, 'amounts in different currencies never add');
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { currency: a.currency, minor: minor(a.minor + b.minor) };
}

/** Sums per currency; never mixes them. */
export function totalsByCurrency(items: Iterable<Money>): Map<string, Minor> {
  const out = new Map<string, Minor>();
  for (const m of items) out.set(m.currency, minor((out.get(m.currency) ?? 0) + m.minor));
  return out;
}
