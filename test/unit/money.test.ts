import { describe, expect, it } from 'vitest';
import { add, currencyExponent, formatMoney, MoneyError, money, parseDecimal, toDecimal, totalsByCurrency } from '../../domain/money';

describe('money', () => {
  it('parses decimal strings exactly, by the currency exponent', () => {
    expect(parseDecimal('1234.50', 'USD')).toBe(123450);
    expect(parseDecimal('0.1', 'USD')).toBe(10);
    expect(parseDecimal('0.29', 'USD')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
    expect(parseDecimal('1234', 'JPY')).toBe(1234);
    expect(parseDecimal('1.234', 'KWD')).toBe(1234);
    expect(parseDecimal('12.500', 'USD')).toBe(1250);
    expect(parseDecimal('-3', 'EUR')).toBe(-300);
    expect(parseDecimal('9007199254740.99', 'USD')).toBe(900719925474099);
  });

  it('refuses what it cannot represent exactly, naming field, value and rule', () => {
    expect(() => parseDecimal('12.345', 'USD', 'amount')).toThrow(/amount: "12.345" has more than 2 decimal places/);
    expect(() => parseDecimal('12.5', 'JPY')).toThrow(/more than 0 decimal places/);
    expect(() => parseDecimal('1,234.50', 'USD')).toThrow(MoneyError);
    expect(() => parseDecimal('1e3', 'USD')).toThrow(/not a decimal amount/);
    expect(() => parseDecimal('', 'USD')).toThrow(/not a decimal amount/);
    expect(() => parseDecimal('1', 'ABC')).toThrow(/not an ISO 4217 currency/);
    expect(() => parseDecimal('99999999999999999', 'USD')).toThrow(/too large/);
  });

  it('round-trips through toDecimal', () => {
    for (const [text, cur] of [
      ['1234.50', 'USD'],
      ['0.05', 'EUR'],
      ['7', 'JPY'],
      ['0.001', 'BHD'],
      ['-0.10', 'GBP'],
    ] as const) {
      expect(toDecimal(parseDecimal(text, cur), cur)).toBe(text);
    }
    expect(currencyExponent('CLF')).toBe(4);
  });

  it('never adds different currencies', () => {
    expect(add(money('USD', 100), money('USD', 250)).minor).toBe(350);
    expect(() => add(money('USD', 100), money('EUR', 1))).toThrow(/different currencies/);
    expect([...totalsByCurrency([money('USD', 1), money('EUR', 2), money('USD', 3)])]).toEqual([
      ['USD', 4],
      ['EUR', 2],
    ]);
  });

  it('formats for people by locale without float rounding', () => {
    expect(formatMoney(123450, 'USD', 'en-US')).toBe('$1,234.50');
    expect(formatMoney(100, 'JPY', 'en-US')).toBe('¥100');
    expect(formatMoney(900719925474099, 'USD', 'en-US')).toBe('$9,007,199,254,740.99');
  });
});
