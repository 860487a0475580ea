/** Text hygiene shared by the parsers: control characters, whitespace, line positions. */
import type { ParseContext } from './errors';

/**
 * C0 controls except tab, LF and CR, plus DEL and the C1 block. A database must never get a
 * NUL, and C1 characters in "latin1" text almost always mean the file was really windows-1252.
 */
const CONTROL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function isControlCodePoint(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

/** Refuses the first control character in the whole text, naming its line and column. */
export function assertNoControlChars(text: string, ctx: ParseContext): void {
  const m = CONTROL_CHAR.exec(text);
  if (!m) return;
  const { line, column } = positionOf(text, m.index);
  ctx.fail(
    `line ${line}, column ${column}`,
    lineAt(text, line),
    `contains control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (only tab, line feed and carriage return are allowed)`,
  );
}

/** Refuses a control character in one extracted field (e.g. from an XML character reference). */
export function cleanField(value: string, location: string, ctx: ParseContext): string {
  const m = CONTROL_CHAR.exec(value);
  if (m) ctx.fail(location, value, `contains control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  return value;
}

/** Runs of whitespace (including line breaks) become one space; the ends are trimmed. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/** The text of a 1-based line, without its line ending. */
export function lineAt(text: string, line: number): string {
  return splitLines(text)[line - 1] ?? '';
}

/** Splits on LF, CRLF or lone CR; line i of the result is line i+1 of the file. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}
