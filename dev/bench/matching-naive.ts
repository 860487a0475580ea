/**
 * The baseline the matching benchmark compares with: what cash application looks like without an
 * index. Every credit is compared with every open invoice (number and reference searched in the
 * remittance, amount compared) and its payer name with every customer's name by fuzzball.
 */
import { token_set_ratio } from 'fuzzball';
import { normaliseName } from '../../cash/matching/payers';
import type { CreditToMatch, CustomerIdentity, OpenInvoice } from '../../cash/matching/types';

export interface NaiveGuess {
  readonly invoiceNumber: string | null;
  readonly score: number;
}

export function naiveMatch(credit: CreditToMatch, invoices: readonly OpenInvoice[], customers: readonly CustomerIdentity[]): NaiveGuess {
  const text = [credit.remittance, ...credit.structuredRefs]
    .join(' ')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  const payer = credit.payerName ? normaliseName(credit.payerName) : '';
  const nameScore = new Map<string, number>();
  for (const c of customers) nameScore.set(c.id, payer ? token_set_ratio(payer, normaliseName(c.name), { full_process: false }) : 0);
  let best: NaiveGuess = { invoiceNumber: null, score: 0 };
  for (const inv of invoices) {
    if (inv.currency !== credit.currency) continue;
    let score = 0;
    const compact = inv.number.toUpperCase().replace(/[^A-Z0-9]/g, '');
    const core = compact.replace(/^[A-Z]+/, '').replace(/^0+/, '');
    if (text.includes(compact)) score += 6;
    else if (core.length >= 4 && text.includes(core)) score += 3;
    if (inv.paymentReference && text.includes(inv.paymentReference)) score += 8;
    if (inv.openMinor === credit.amountMinor) score += 4;
    score += (nameScore.get(inv.customerId) ?? 0) / 25;
    if (score > best.score) best = { invoiceNumber: inv.number, score };
  }
  return best;
}
