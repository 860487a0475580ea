/**
 * Text that may be stored and sent: no control characters but tab, line feed and carriage return.
 * PostgreSQL refuses U+0000 in text outright (and a workflow holding one could never record it),
 * and the other C0/C1 controls are never meant in a name, a note or an email.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The first forbidden control character, or null when the text is clean. */
export function controlCharacterIn(text: string): { index: number; codePoint: string } | null {
  const m = CONTROL.exec(text);
  if (!m) return null;
  return { index: m.index, codePoint: `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` };
}

export const CONTROL_CHARACTER_RULE = 'must not contain control characters (only tab and line breaks are allowed)';

/** The rule with where the first offending character is, e.g. "… (U+0000 at position 12)". */
export function controlCharacterRule(text: string): string | null {
  const found = controlCharacterIn(text);
  return found ? `${CONTROL_CHARACTER_RULE.replace(/\)$/, '')}; ${found.codePoint} at position ${found.index + 1})` : null;
}
