/**
 * Recognises a statement format from the decoded text alone (file names and extensions lie:
 * banks send MT940 as .txt, .sta, .940 or nothing at all).
 */
import type { StatementFormat } from './types';

const CAMT_NAMESPACE = /xmlns(?::[\w.-]+)?\s*=\s*["']urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.\d{3}\.\d{2}["']/;

export function looksLikeXml(text: string): boolean {
  return /^\s*</.test(text);
}

/** The format, or null when the text is none of them (an XML file of another kind included). */
export function detectFormat(text: string): StatementFormat | null {
  const body = text.replace(/^\uFEFF/, '');
  if (looksLikeXml(body)) {
    const m = CAMT_NAMESPACE.exec(body.slice(0, 4096));
    if (m) return m[1] === '053' ? 'camt053' : 'camt054';
    return null;
  }
  const firstLine =
    body
      .split(/\r\n|\n|\r/)
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  // BAI2 always opens with the 01 file header.
  if (/^01,/.test(firstLine)) return 'bai2';
  // MT940: a transaction reference (:20:) and an account or opening balance tag, possibly inside
  // a SWIFT {1:}{2:}{4: envelope or after a bank's own header lines.
  if (/^:20:/m.test(body) && /^:(25|28C?|60[FM]):/m.test(body)) return 'mt940';
  if (looksLikeCsv(body)) return 'csv';
  return null;
}

/**
 * Many of the first lines share one non-zero count of a candidate delimiter. Not all: exports
 * open with preambles ("Account;DE89…") and quoted cells may hold the delimiter.
 */
function looksLikeCsv(text: string): boolean {
  const lines = text
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '')
    .slice(0, 10);
  if (lines.length < 2) return false;
  return [',', ';', '\t', '|'].some((d) => {
    const frequency = new Map<number, number>();
    for (const l of lines) {
      const count = l.split(d).length - 1;
      if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    }
    const common = Math.max(0, ...frequency.values());
    return common >= 2 && common >= lines.length * 0.4;
  });
}
