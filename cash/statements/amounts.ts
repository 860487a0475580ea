/**
 * Amount text to integer minor units, always through domain/money's exact decimal parser:
 * decimal commas and implied decimals are rewritten as decimal strings, never as floats.
 */
import { assertCurrency, MoneyError, minor, type Minor, parseDecimal } from '../../domain/money';
import type { ParseContext } from './errors';

export function currencyCode(code: string, location: string, ctx: ParseContext): string {
  try {
    return assertCurrency(code.trim());
  } catch (err) {
    if (err instanceof MoneyError) ctx.fail(location, code, err.rule);
    throw err;
  }
}

/** A signed decimal string ("-1234.50") in minor units. */
export function decimalMinor(text: string, currency: string, location: string, ctx: ParseContext): Minor {
  try {
    return parseDecimal(text, currency, location);
  } catch (err) {
    if (err instanceof MoneyError) ctx.fail(location, text, err.rule);
    throw err;
  }
}

/** A transaction amount: must be more than zero (the direction carries the sign). */
export function positiveMinor(text: string, currency: string, location: string, ctx: ParseContext): Minor {
  const value = decimalMinor(text, currency, location, ctx);
  if (value <= 0) ctx.fail(location, text, 'must be an amount greater than zero (the credit/debit mark carries the sign)');
  return value;
}

/** SWIFT amounts use a decimal comma and may end in it ("300," is 300.00). */
export function swiftAmountMinor(text: string, currency: string, location: string, ctx: ParseContext): Minor {
  const m = /^(\d+),(\d*)$/.exec(text);
  if (!m) ctx.fail(location, text, 'is not a SWIFT amount (digits with one decimal comma, e.g. 1234,56)');
  return decimalMinor(m[2] ? `${m[1]}.${m[2]}` : m[1]!, currency, location, ctx);
}

/**
 * BAI2 amounts carry no decimal point: the digits already are minor units of the currency
 * ("450000" USD is 4500.00, "450000" JPY is 450000 yen).
 */
export function impliedDecimalMinor(text: string, location: string, ctx: ParseContext): Minor {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) ctx.fail(location, text, 'is not a BAI2 amount (digits with an optional sign, no decimal point)');
  const digits = Number(m[2]);
  if (!Number.isSafeInteger(digits)) ctx.fail(location, text, 'is too large to represent exactly');
  return minor(m[1] === '-' && digits !== 0 ? -digits : digits);
}
