/**
 * Text folding shared by reference, invoice-number and payer matching: bank files and ledgers
 * disagree on case, diacritics and punctuation, so both sides are compared folded.
 */

/** Letters NFKD does not decompose into ASCII. */
const SPECIAL: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  ø: 'o',
  Ø: 'O',
  œ: 'oe',
  Œ: 'OE',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
};

function foldChar(ch: string): string {
  const special = SPECIAL[ch];
  if (special !== undefined) return special;
  return ch.normalize('NFKD').replace(/\p{M}+/gu, '');
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Upper-case ASCII-ish fold, e.g. "Müller-Straße" → "MULLER-STRASSE". */
export function fold(text: string): string {
  // Most bank text is ASCII: skip the per-character Unicode work for it.
  if (!NON_ASCII.test(text)) return text.toUpperCase();
  let out = '';
  for (const ch of text) out += ch.charCodeAt(0) < 128 ? ch : foldChar(ch);
  return out.toUpperCase();
}

export interface FoldedText {
  /** Upper-cased and diacritic-free. */
  readonly text: string;
  /** For each index of `text`, the index of the original character it came from; null when 1:1. */
  readonly origin: readonly number[] | null;
  readonly original: string;
}

/** Folds and remembers where each folded character came from, so evidence can quote the original. */
export function foldWithOrigin(original: string): FoldedText {
  if (!NON_ASCII.test(original)) return { text: original.toUpperCase(), origin: null, original };
  let text = '';
  const origin: number[] = [];
  let i = 0;
  for (const ch of original) {
    const f = (ch.charCodeAt(0) < 128 ? ch : foldChar(ch)).toUpperCase();
    for (let k = 0; k < f.length; k++) origin.push(i);
    text += f;
    i += ch.length;
  }
  return { text, origin, original };
}

/** The original text behind folded[start, end). */
export function originalSlice(f: FoldedText, start: number, end: number): string {
  if (start >= end) return '';
  if (!f.origin) return f.original.slice(start, end);
  const from = f.origin[start] ?? 0;
  const lastOrigin = f.origin[end - 1] ?? from;
  // The last original character may be a surrogate pair.
  const cp = f.original.codePointAt(lastOrigin) ?? 0;
  return f.original.slice(from, lastOrigin + (cp > 0xffff ? 2 : 1));
}

/** Upper-case letters and digits only: "rf18 5390-0754" → "RF1853900754". */
export function compactAlnum(text: string): string {
  return fold(text).replace(/[^A-Z0-9]/g, '');
}

/** "12500.00" → "12,500.00": thousands separators in the whole part of a decimal string. */
export function groupDigits(decimal: string): string {
  const neg = decimal.charCodeAt(0) === 45;
  const start = neg ? 1 : 0;
  const dot = decimal.indexOf('.', start);
  const end = dot < 0 ? decimal.length : dot;
  const len = end - start;
  if (len <= 3) return decimal;
  let out = neg ? '-' : '';
  const head = len % 3 || 3;
  out += decimal.slice(start, start + head);
  for (let k = start + head; k < end; k += 3) out += `,${decimal.slice(k, k + 3)}`;
  return out + decimal.slice(end);
}
