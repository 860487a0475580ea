/**
 * Remittance wording that names a deduction: the customer paid less on purpose (promotion,
 * damaged or returned goods, a chargeback), which a person resolves as a dispute or credit note
 * rather than chasing as an unexplained short payment.
 */
import { fold } from './text';

const DEDUCTION = new RegExp(
  '\\b(?:' +
    [
      'DEDUCT(?:ION|IONS|ED)?',
      'SHORT[ -]?PA(?:ID|Y(?:MENT)?)',
      'LESS',
      'MINUS',
      'DAMAGED?',
      'RETURN(?:ED|S)?(?: GOODS)?',
      'PROMO(?:TION|TIONAL)?',
      'CHARGE ?BACKS?',
      'DISCOUNT',
      'REBATE',
      'ALLOWANCE',
      'CLAIM',
      'CREDIT NOTE',
      'CREDIT MEMO',
      'DISPUTED?',
      'WITHHOLDING',
      'WHT',
      'PRICING ERROR',
      'SHORTAGE',
      'MISSING (?:ITEMS|GOODS)',
      'ABZUG',
      'ABZUEGLICH',
      'ABZUGLICH',
      'SKONTO',
      'GUTSCHRIFT',
      'RETOURE?',
      'MANGEL',
      'REMISE',
      'ESCOMPTE',
      'AVOIR',
    ].join('|') +
    ')\\b',
);

/** The deduction wording found, as written in folded form, or null. */
export function namedDeduction(texts: readonly string[]): string | null {
  for (const t of texts) {
    const m = DEDUCTION.exec(fold(t));
    if (m) return m[0].toLowerCase();
  }
  return null;
}
