/** Sentences a finance person reads next to a proposed match: plain, with amounts as they print. */
import { toDecimal } from '../../domain/money';
import type { NumberHit } from './invoice-numbers';
import { groupDigits } from './text';

export function money(minor: number, currency: string): string {
  return `${groupDigits(toDecimal(minor, currency))} ${currency}`;
}

/** Amount without the currency, for a sentence that already names it. */
export function amount(minor: number, currency: string): string {
  return groupDigits(toDecimal(minor, currency));
}

export function listNumbers(numbers: readonly string[]): string {
  if (numbers.length <= 1) return numbers[0] ?? '';
  if (numbers.length <= 6) return `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
  return `${numbers.slice(0, 5).join(', ')} and ${numbers.length - 5} more`;
}

export function quoteCustomer(id: string, name: string | undefined): string {
  return name ? `customer ${id} '${name}'` : `customer ${id}`;
}

const HOW: Record<NumberHit['kind'], string> = {
  prefixed: '',
  keyword: ', after a word that announces an invoice number',
  listed: ', listed after another invoice number',
  bare: ', a bare number: weak on its own',
};

export function numberSentence(hit: NumberHit, invoiceNumber: string, otherCustomers: number): string {
  const where = hit.source === 'structured' ? 'A structured reference' : 'Remittance';
  const shared =
    otherCustomers > 0 ? `; the same number also fits invoices of ${otherCustomers} other customer${otherCustomers > 1 ? 's' : ''}` : '';
  return `${where} names ${invoiceNumber} (found as '${hit.foundAs}'${HOW[hit.kind]})${shared}`;
}
