/**
 * Bytes of an import file to text, refusing what does not decode instead of storing U+FFFD.
 *
 * UTF-8 (the default) is decoded here, strictly: every byte that does not belong to a well-formed
 * sequence comes out as a pair of Unicode noncharacters (U+FDD8–U+FDDF for its high nibble,
 * U+FDE0–U+FDEF for its low one), which Unicode reserves for exactly this, internal use, and which
 * survive the CSV parser's own UTF-8 round trip (a lone surrogate would not). So the reader can
 * tell, cell by cell, which bytes were bad and name the row and column, while the parser reads
 * on. A noncharacter in the file itself is refused too: it is not meant for interchange. Another encoding
 * (`--encoding latin1`, `windows-1252`, …) is decoded by iconv-lite, which maps a byte the
 * encoding does not define to U+FFFD: in such a file U+FFFD can only mean that, so it is refused.
 */
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';

const UTF8 = new Set(['utf8', 'utf-8', 'unicode-1-1-utf-8']);

export const DEFAULT_ENCODING = 'utf-8';

/** Why an encoding cannot be used to read a CSV, or null when it can. */
export function encodingProblem(encoding: string): string | null {
  if (UTF8.has(encoding.toLowerCase())) return null;
  if (!iconv.encodingExists(encoding)) return 'is not a known character encoding (e.g. utf-8, latin1, windows-1252, iso-8859-15)';
  // The CSV syntax (comma, quote, line breaks) must be the ASCII bytes: UTF-16 and UTF-32 are not.
  const syntax = ',"\r\nA';
  if (!iconv.encode(syntax, encoding, { addBOM: false }).equals(Buffer.from(syntax, 'ascii')))
    return 'is not supported for CSV files: save the file as UTF-8 (or an encoding whose commas, quotes and line breaks are ASCII)';
  return null;
}

/** UTF-8 with invalid bytes escaped as lone surrogates; carries an incomplete sequence to the next chunk. */
class Utf8Escaping extends Transform {
  private rest: Buffer = Buffer.alloc(0);

  constructor() {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const bytes = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const { text, rest } = decodeUtf8Escaping(bytes, false);
    this.rest = rest;
    if (text) this.push(text);
    done();
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (this.rest.length) this.push(decodeUtf8Escaping(this.rest, true).text);
    done();
  }
}

/** The text of `bytes`; with `final` false, a sequence cut off at the end is returned as `rest`. */
function decodeUtf8Escaping(bytes: Buffer, final: boolean): { text: string; rest: Buffer } {
  let out = '';
  let runStart = 0;
  let i = 0;
  const escapeByte = (at: number) => {
    const b = bytes[at]!;
    out += bytes.toString('utf8', runStart, at) + String.fromCharCode(0xfdd0 + (b >> 4), 0xfde0 + (b & 0xf));
    runStart = at + 1;
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // beyond U+10FFFF
    }
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) {
        if (!final) {
          out += bytes.toString('utf8', runStart, i);
          return { text: out, rest: Buffer.from(bytes.subarray(i)) };
        }
        ok = false;
      } else if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) ok = false;
    }
    if (ok) i += need + 1;
    else {
      // Only the byte at fault: whatever follows is read again on its own.
      escapeByte(i);
      i++;
    }
  }
  out += bytes.toString('utf8', runStart, bytes.length);
  return { text: out, rest: Buffer.alloc(0) };
}

/** A stream from the file's bytes to text in `encoding` (checked with encodingProblem first). */
export function decoder(encoding: string): NodeJS.ReadWriteStream {
  return UTF8.has(encoding.toLowerCase()) ? new Utf8Escaping() : iconv.decodeStream(encoding, { stripBOM: false });
}

const ESCAPED = /[\ufdd8-\ufddf][\ufde0-\ufdef]/g;
const NONCHARACTER = /[\ufdd0-\ufdef]/;
const byteOf = (pair: string) => ((pair.charCodeAt(0) - 0xfdd0) << 4) | (pair.charCodeAt(1) - 0xfde0);
const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');

/**
 * Why a cell did not decode (its value shown with the bad bytes as \xE9, the rule naming the
 * first one), or null when it is clean text.
 */
export function undecodedCell(cell: string, encoding: string): { shown: string; rule: string } | null {
  if (UTF8.has(encoding.toLowerCase())) {
    if (!NONCHARACTER.test(cell)) return null;
    const first = new RegExp(ESCAPED.source).exec(cell);
    if (!first) return { shown: cell, rule: 'contains a Unicode noncharacter (U+FDD0 to U+FDEF), which is not meant for data' };
    // Positions as a person counts them in the cell: each bad byte is one character.
    const position = cell.slice(0, first.index).replace(ESCAPED, '.').length + 1;
    return {
      shown: cell.replace(ESCAPED, (pair) => `\\x${hex(byteOf(pair))}`),
      rule:
        `is not valid UTF-8 (byte 0x${hex(byteOf(first[0]))} at position ${position}); if the file was saved as Latin-1 or ` +
        'Windows-1252, import it with --encoding latin1 or --encoding windows-1252',
    };
  }
  if (!cell.includes('\ufffd')) return null;
  return { shown: cell, rule: `has a byte that is not defined in ${encoding} (read as U+FFFD); check the --encoding` };
}
