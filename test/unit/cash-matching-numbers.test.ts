import { describe, expect, it } from 'vitest';
import { InvoiceNumberIndex, invoiceNumberForms } from '../../cash/matching/invoice-numbers';

const numbers = ['INV-01042', 'INV-1043', 'SI/2024/00042', '90001234', 'INV-2024', 'INV-000015', 'INV-7788'];
const index = new InvoiceNumberIndex(numbers);
const found = (text: string, amountMajor = '0', source: 'remittance' | 'structured' = 'remittance') =>
  index.scan(text, source, amountMajor).map((h) => ({ numbers: h.invoices.map((i) => numbers[i]), kind: h.kind, foundAs: h.foundAs }));

describe('cash matching: invoice numbers in remittance text', () => {
  it('indexes a prefix and a core with and without leading zeros', () => {
    expect(invoiceNumberForms('INV-01042')).toEqual({ prefix: 'INV', exact: '01042', zeroless: '1042' });
    expect(invoiceNumberForms('si/2024/00042')).toEqual({ prefix: 'SI', exact: '202400042', zeroless: '2024.42' });
    expect(invoiceNumberForms('90001234')).toEqual({ prefix: '', exact: '90001234', zeroless: '90001234' });
  });

  it('finds a number despite case, spaces, slashes, dashes and leading zeros', () => {
    for (const text of ['INV-01042', 'inv 1042', 'INV1042', 'inv/01042', 'INV.1042', 'Inv#1042', 'INV-001042']) {
      expect(found(`Payment ${text} thanks`), text).toEqual([{ numbers: ['INV-01042'], kind: 'prefixed', foundAs: text }]);
    }
    expect(found('si 2024 42')).toEqual([{ numbers: ['SI/2024/00042'], kind: 'prefixed', foundAs: 'si 2024 42' }]);
  });

  it('finds it without its prefix, weaker: after a keyword, listed after a prefixed one, or bare', () => {
    expect(found('Invoice no. 1042')).toEqual([{ numbers: ['INV-01042'], kind: 'keyword', foundAs: '1042' }]);
    expect(found('Facture n° 1042')).toEqual([{ numbers: ['INV-01042'], kind: 'keyword', foundAs: '1042' }]);
    expect(found('INV-1042, 1043')).toEqual([
      { numbers: ['INV-01042'], kind: 'prefixed', foundAs: 'INV-1042' },
      { numbers: ['INV-1043'], kind: 'listed', foundAs: '1043' },
    ]);
    expect(found('payment 1042 thank you')).toEqual([{ numbers: ['INV-01042'], kind: 'bare', foundAs: '1042' }]);
    // In a structured field a bare number counts as announced.
    expect(found('1042', '0', 'structured')).toEqual([{ numbers: ['INV-01042'], kind: 'keyword', foundAs: '1042' }]);
  });

  it('does not read dates, amounts or IBANs as invoice numbers', () => {
    expect(found('paid 2024-03-15')).toEqual([]);
    expect(found('paid 15.03.2024')).toEqual([]);
    expect(found('EUR 1.042,00')).toEqual([]);
    expect(found('1042.00 USD')).toEqual([]);
    expect(found('from DE89 3704 0044 0532 0130 00')).toEqual([]);
    expect(found('USD 7788')).toEqual([]);
    // ...but a prefixed number next to them still counts.
    expect(found('INV 7788 of 15.03.2024 EUR 1.250,00').map((h) => h.numbers)).toEqual([['INV-7788']]);
  });

  it('flags a bare number equal to the amount, and ignores numbers inside longer words', () => {
    const [hit] = index.scan('ref 1043 amount 1043.00', 'remittance', '1043');
    expect(hit?.looksLikeAmount).toBe(true);
    expect(found('X1042')).toEqual([]);
    expect(found('1042A')).toEqual([]);
  });

  it('looks up EndToEndIds exactly', () => {
    expect(index.lookupExact('INV-01042').map((i) => numbers[i])).toEqual(['INV-01042']);
    expect(index.lookupExact('inv01042').map((i) => numbers[i])).toEqual(['INV-01042']);
    expect(index.lookupExact('INV-1042')).toEqual([]);
  });
});
