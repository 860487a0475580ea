/** Account numbers and payment references: IBAN validation and ISO 11649 (RF) creditor references. */
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

export interface AccountId {
  readonly account: string;
  readonly isIban: boolean;
}

/**
 * An account as the file gives it. A valid IBAN is stored in electronic format; anything else
 * (a US account number, a mistyped IBAN) is kept exactly as given and flagged not-an-IBAN.
 */
export function accountId(value: string | null | undefined): AccountId | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  const electronic = electronicFormatIBAN(trimmed) ?? '';
  return isValidIBAN(electronic) ? { account: electronic, isIban: true } : { account: trimmed, isIban: false };
}

const RF_CANDIDATE = /\bRF\d{2}[A-Z0-9]{1,21}\b/gi;

/** RF creditor references found in free text, kept only when their ISO 11649 check digits hold. */
export function creditorReferencesIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(RF_CANDIDATE)) {
    const ref = m[0].toUpperCase();
    if (isValidCreditorReference(ref) && !found.includes(ref)) found.push(ref);
  }
  return found;
}

function isValidCreditorReference(ref: string): boolean {
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(ref)) return false;
  const rearranged = ref.slice(4) + ref.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/** Adds references in order, skipping blanks, placeholders and repeats. */
export function addRefs(into: string[], ...refs: (string | null | undefined)[]): string[] {
  for (const ref of refs) {
    const r = ref?.trim();
    if (r && !isPlaceholderRef(r) && !into.includes(r)) into.push(r);
  }
  return into;
}

/** Banks write these where a reference field is mandatory but the payer gave none. */
export function isPlaceholderRef(ref: string): boolean {
  return /^(NOTPROVIDED|NONREF|NONE|NOREF)$/i.test(ref.trim());
}
