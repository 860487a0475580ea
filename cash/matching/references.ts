/**
 * Structured creditor references we print on invoices: ISO 11649 RF references (mod 97-10 check
 * digits) and Swiss QR/ESR references (27 digits, mod 10 recursive check digit). A reference is
 * only evidence when its check digits hold; then it is matched exactly, never fuzzily.
 */
import { compactAlnum } from './text';

export type ReferenceKind = 'rf' | 'qr';

interface FoundReference {
  readonly kind: ReferenceKind;
  /** Compact upper-case form, as indexed. */
  readonly value: string;
  /** As written in the credit. */
  readonly raw: string;
}

/** Digits of an alphanumeric string mod 97, letters as 10..35 (ISO 7064 mod 97-10). */
function mod97(s: string): number {
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else rem = (rem * 100 + (c - 55)) % 97;
  }
  return rem;
}

const RF_SHAPE = /^RF\d{2}[A-Z0-9]{1,21}$/;

/** ISO 11649: "RF" + 2 check digits + 1..21 alphanumerics; body + "RF" + check ≡ 1 (mod 97). */
export function isValidRf(reference: string): boolean {
  const s = compactAlnum(reference);
  if (!RF_SHAPE.test(s)) return false;
  return mod97(s.slice(4) + s.slice(0, 4)) === 1;
}

/** Builds a valid RF reference for a creditor reference body (tests and generators). */
export function makeRf(body: string): string {
  const b = compactAlnum(body);
  if (!/^[A-Z0-9]{1,21}$/.test(b)) throw new RangeError(`RF body must be 1..21 letters or digits: ${body}`);
  const check = 98 - mod97(`${b}RF00`);
  return `RF${String(check).padStart(2, '0')}${b}`;
}

const MOD10_TABLE = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5] as const;

function mod10Carry(digits: string): number {
  let carry = 0;
  for (let i = 0; i < digits.length; i++) carry = MOD10_TABLE[(carry + digits.charCodeAt(i) - 48) % 10]!;
  return carry;
}

/** Swiss QR reference: 27 digits whose mod 10 recursive carry over all digits (check included) is 0. */
export function isValidQrReference(reference: string): boolean {
  const s = reference.replace(/\s+/g, '');
  return /^\d{27}$/.test(s) && mod10Carry(s) === 0;
}

/** Appends the check digit to 26 digits (tests and generators). */
export function makeQrReference(digits26: string): string {
  if (!/^\d{26}$/.test(digits26)) throw new RangeError('a QR reference body is 26 digits');
  return digits26 + String((10 - mod10Carry(digits26)) % 10);
}

/** The compact form an invoice's printed reference is indexed under, or null if it is not a valid one. */
export function indexableReference(reference: string | null): { kind: ReferenceKind; value: string } | null {
  if (!reference) return null;
  const s = compactAlnum(reference);
  if (s.startsWith('RF') && isValidRf(s)) return { kind: 'rf', value: s };
  if (isValidQrReference(s)) return { kind: 'qr', value: s };
  return null;
}

export interface ReferenceScan {
  readonly found: FoundReference[];
  /** RF-shaped strings whose check digits fail: reported, never matched. */
  readonly invalid: string[];
}

/**
 * Finds RF and QR references in free text. References are often printed in groups ("RF18 5390
 * 0754 7034", "21 00000 00003 13947 14300 09017"), so groups separated by single spaces are tried
 * as one reference; every grouping whose check digits hold is returned (the index decides).
 */
export function findReferences(text: string): ReferenceScan {
  const found: FoundReference[] = [];
  const invalid: string[] = [];
  // Both kinds carry digits; most free text without any needs no further look.
  if (!/\d/.test(text)) return { found, invalid };
  const seen = new Set<string>();
  // Same length as `text` (unlike toUpperCase on "ß"), so match offsets quote the original.
  // (ASCII text upper-cases letter for letter, so the built-in does it.)
  const upper = /^[\x00-\x7f]*$/.test(text) ? text.toUpperCase() : text.replace(/[a-z]/g, (c) => c.toUpperCase());
  const push = (kind: ReferenceKind, value: string, raw: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    found.push({ kind, value, raw });
  };

  // RF: "RF" + two digits at a word start, then groups of letters/digits joined by single spaces.
  for (const m of upper.matchAll(/(?<![A-Z0-9])RF ?\d{2}/g)) {
    // Overlapping starts are fine: each RF start is tried with the groups that follow it.
    const run = /^RF ?\d{2}[A-Z0-9]*(?: [A-Z0-9]+)*/.exec(upper.slice(m.index!, m.index! + 60))![0];
    const groups = run.replace(/^RF /, 'RF').split(' ');
    const lead = run.startsWith('RF ') ? 1 : 0;
    let compact = '';
    let used = 0;
    let valid = false;
    for (let k = 0; k < groups.length; k++) {
      if (compact.length + groups[k]!.length > 25) break;
      compact += groups[k];
      // For the report of an invalid one: a word of letters only likely ends it ("... 7034 INV").
      if (used === k && !(k > 1 && /^[A-Z]+$/.test(groups[k]!))) used = k + 1;
      if (compact.length >= 5 && isValidRf(compact)) {
        valid = true;
        push('rf', compact, text.substr(m.index!, lead + groups.slice(0, k + 1).join(' ').length));
      }
    }
    if (!valid && compact.length >= 8 && /\d/.test(compact.slice(4)))
      invalid.push(text.substr(m.index!, lead + groups.slice(0, used).join(' ').length));
  }

  // QR: digit groups separated by single spaces that add up to exactly 27 digits.
  for (const m of upper.matchAll(/(?<!\d)\d+(?: \d+)*(?!\d)/g)) {
    const groups = m[0].split(' ');
    let offset = 0;
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j < groups.length && digits.length < 27; j++) {
        digits += groups[j];
        if (digits.length === 27 && isValidQrReference(digits)) {
          push('qr', digits, text.substr(m.index! + offset, groups.slice(i, j + 1).join(' ').length));
        }
      }
      offset += groups[i]!.length + 1;
    }
  }
  return { found, invalid };
}
