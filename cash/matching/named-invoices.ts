/**
 * What a credit names: verified RF/QR references printed on our invoices, EndToEndIds we issued,
 * invoice and purchase order numbers in structured fields and free remittance text. Each named
 * invoice gets the log-odds weight of its strongest mention; invoices named in another currency
 * are kept apart, as contradicting evidence only.
 */
import { currencyExponent } from '../../domain/money';
import type { OpenBook } from './book';
import { numberHitWeight, WEIGHTS } from './confidence';
import { numberSentence } from './evidence';
import { findReferences } from './references';
import { fold } from './text';
import type { CreditToMatch, MatchPolicy } from './types';

export interface Named {
  weight: number;
  sentences: string[];
  basis: string;
}

export interface NamedInvoices {
  /** Invoice index → what names it, same currency as the credit only. */
  readonly named: Map<number, Named>;
  /** Invoices named but in another currency → weight of the mention. */
  readonly otherCurrency: Map<number, number>;
  readonly notes: string[];
}

export function readNamedInvoices(book: OpenBook, policy: MatchPolicy, credit: CreditToMatch, texts: readonly string[]): NamedInvoices {
  const inv = book.invoices;
  const n = inv.length;
  const cur = credit.currency;
  const named = new Map<number, Named>();
  const otherCurrency = new Map<number, number>();
  const notes: string[] = [];
  const name = (idx: number, weight: number, sentence: string, basis: string) => {
    if (inv[idx]!.currency !== cur) {
      otherCurrency.set(idx, Math.max(otherCurrency.get(idx) ?? 0, weight));
      return;
    }
    const had = named.get(idx);
    if (!had) named.set(idx, { weight, sentences: [sentence], basis });
    else {
      if (!had.sentences.includes(sentence)) had.sentences.push(sentence);
      if (weight > had.weight) {
        had.weight = weight;
        had.basis = basis;
      }
    }
  };

  // Reference digits are not invoice numbers: their spans are blanked before the number scan.
  const blanked = new Map<string, string>();
  for (const text of texts) {
    const scan = findReferences(text);
    let rest = text;
    for (const r of [...scan.found.map((f) => f.raw), ...scan.invalid]) rest = rest.split(r).join(' '.repeat(r.length));
    blanked.set(text, rest);
    for (const ref of scan.found) {
      const hits = book.byReference(ref.value);
      const label = ref.kind === 'rf' ? `RF reference ${ref.raw} (check digits valid)` : `QR reference ${ref.raw} (check digit valid)`;
      if (!hits) {
        notes.push(`${label} is not printed on any open invoice`);
        continue;
      }
      for (const idx of hits) name(idx, WEIGHTS.reference, `${label} is printed on ${inv[idx]!.number}`, 'reference');
    }
    for (const bad of scan.invalid) notes.push(`'${bad}' looks like an RF reference but its check digits fail: ignored`);
  }

  const prefix = policy.issuedEndToEndPrefix;
  if (prefix && credit.endToEndId && fold(credit.endToEndId).startsWith(fold(prefix))) {
    for (const idx of book.numbers.lookupExact(credit.endToEndId.slice(prefix.length))) {
      if (idx < n)
        name(idx, WEIGHTS.endToEnd, `End-to-end id ${credit.endToEndId} is one we issued for ${inv[idx]!.number}`, 'end-to-end id');
    }
  }

  const amountMajor = String(Math.trunc(credit.amountMinor / 10 ** currencyExponent(cur)));
  const hits = [
    ...credit.structuredRefs.flatMap((s) => book.numbers.scan(blanked.get(s) ?? s, 'structured', amountMajor)),
    ...book.numbers.scan(blanked.get(credit.remittance) ?? credit.remittance, 'remittance', amountMajor),
  ];
  for (const hit of hits) {
    // How many customers the written number fits, among invoice numbers and among purchase orders.
    const fitting = (po: boolean) =>
      new Set(
        hit.invoices.filter((e) => e >= n === po && inv[po ? e - n : e]!.currency === cur).map((e) => inv[po ? e - n : e]!.customerId),
      ).size;
    const numbersFitting = fitting(false);
    const ordersFitting = hit.invoices.some((e) => e >= n) ? fitting(true) : 0;
    for (const e of hit.invoices) {
      if (e < n) {
        const basis = hit.kind === 'bare' ? 'bare number' : 'invoice number';
        name(e, numberHitWeight(hit, numbersFitting), numberSentence(hit, inv[e]!.number, Math.max(0, numbersFitting - 1)), basis);
      } else {
        // The customer's own number, and one order may be invoiced several times: a little weaker.
        const i = inv[e - n]!;
        const weight = Math.max(0, numberHitWeight(hit, ordersFitting) - WEIGHTS.purchaseOrderDiscount);
        name(
          e - n,
          weight,
          numberSentence(hit, `purchase order ${i.poNumber} of ${i.number}`, Math.max(0, ordersFitting - 1)),
          'purchase order',
        );
      }
    }
  }
  for (const [idx] of otherCurrency) {
    const i = inv[idx]!;
    notes.push(`${i.number} is named but is in ${i.currency}, not ${cur}: invoices in another currency are never candidates`);
  }
  return { named, otherCurrency, notes };
}
