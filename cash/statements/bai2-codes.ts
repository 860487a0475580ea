/** BAI2 type codes: which are credits, which debits, which are returns of an earlier payment. */
import type { Direction } from './types';

/**
 * By the BAI ranges: 100–399 credits, 400–699 debits, and the customised ranges 920–959
 * credits, 960–999 debits. Status codes (001–099, 900–919) and loan codes are not transactions.
 */
export function directionOf(typeCode: number): Direction | null {
  if ((typeCode >= 100 && typeCode <= 399) || (typeCode >= 920 && typeCode <= 959)) return 'credit';
  if ((typeCode >= 400 && typeCode <= 699) || (typeCode >= 960 && typeCode <= 999)) return 'debit';
  return null;
}

/** 890: a detail record that carries only text ("contains non-monetary information"). */
export const NON_MONETARY = 890;

/** Opening and closing ledger balances reported in the 03 record. */
export const OPENING_LEDGER = 10;
export const CLOSING_LEDGER = 15;

/** Detail codes for returned, rejected or reversed items. */
export const RETURN_CODES: ReadonlySet<number> = new Set([
  123, // EDIBANX credit return
  168, // ACH return item or adjustment settlement (credit)
  252, // debit reversal
  255, // check posted and returned
  257, // individual ACH return item (credit)
  258, // ACH reversal credit
  261, // individual rejected credit
  266, // return item (credit)
  268, // return item adjustment (credit)
  395, // check reversal
  423, // EDIBANX return item debit
  468, // ACH return item or adjustment settlement (debit)
  552, // credit reversal
  555, // deposited item returned
  557, // individual ACH return item (debit)
  558, // ACH reversal debit
  561, // individual rejected debit
  566, // return item (debit)
  568, // return item adjustment (debit)
  694, // deposit reversal
]);
