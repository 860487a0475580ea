/**
 * Bytes to text. UTF-8 unless the caller names another encoding (or an XML declaration does);
 * invalid bytes are refused with their line, never turned into U+FFFD behind anyone's back.
 */
import iconv from 'iconv-lite';
import type { ParseContext } from './errors';
import { positionOf } from './text';

const UTF8_NAMES = new Set(['utf8', 'utf-8', 'unicode-1-1-utf-8']);

export function decodeInput(input: Buffer | string, encoding: string | undefined, ctx: ParseContext): string {
  if (typeof input === 'string') return stripBom(input);
  if (encoding !== undefined) return decodeWith(input, encoding, 'options.encoding', ctx);
  // An XML prolog may declare its encoding; honouring it is what any XML reader would do.
  const declared = declaredXmlEncoding(input);
  if (declared && !UTF8_NAMES.has(declared.toLowerCase())) return decodeWith(input, declared, 'line 1 (XML declaration)', ctx);
  return decodeUtf8(input, ctx);
}

function decodeWith(bytes: Buffer, encoding: string, where: string, ctx: ParseContext): string {
  if (!iconv.encodingExists(encoding)) {
    ctx.fail(where, encoding, 'is not a known character encoding (e.g. utf-8, latin1, windows-1252)');
  }
  if (UTF8_NAMES.has(encoding.toLowerCase())) return decodeUtf8(bytes, ctx);
  const text = iconv.decode(bytes, encoding);
  // iconv-lite maps bytes the encoding does not define to U+FFFD; that is data loss, so refuse.
  const bad = text.indexOf('\uFFFD');
  if (bad !== -1) {
    const { line, column } = positionOf(text, bad);
    ctx.fail(`line ${line}, column ${column}`, text.split(/\r\n|\n|\r/)[line - 1] ?? '', `has a byte that is not defined in ${encoding}`);
  }
  return stripBom(text);
}

function decodeUtf8(bytes: Buffer, ctx: ParseContext): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    let lineEnd = bytes.indexOf(0x0a, bad);
    if (lineEnd === -1) lineEnd = bytes.length;
    const shown = bytes.subarray(lineStart, lineEnd).toString('latin1').replace(/\r$/, '');
    const hex = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
    ctx.fail(
      `line ${line}, column ${bad - lineStart + 1}`,
      shown,
      `is not valid UTF-8 (byte 0x${hex}); if the bank sends another encoding, pass it as the encoding option (e.g. latin1, windows-1252)`,
    );
  }
  return stripBom(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
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
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

function declaredXmlEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 256).toString('latin1');
  return /^(?:\u00ef\u00bb\u00bf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
