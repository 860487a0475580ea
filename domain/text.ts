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

/** How many characters of a value an error message echoes back: enough to recognise it, never a whole document. */
const ECHO_LIMIT = 120;

/**
 * A string cut to `max` characters with "..." when longer: what every error that echoes a value
 * shows. Never splits a surrogate pair.
 */
export function clipText(text: string, max = ECHO_LIMIT): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 3);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}...`;
}

/**
 * JSON text of a value, stopping once `max` characters are written: a whole document is never
 * serialised to show its first line, and nesting is walked with an explicit stack, so a deeply
 * nested value (60 KB of `[[[…]]]`) cannot overflow the call stack the way JSON.stringify does.
 */
export function jsonPreview(value: unknown, max = ECHO_LIMIT): string {
  let out = '';
  // Work items: a value to write, or literal text (closing brackets, commas, keys).
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: ({ text: string } | { value: unknown })[] = [{ text: '[' }];
      // Only as many elements as could show: the rest would be cut anyway.
      const shown = v.slice(0, max);
      shown.forEach((e, i) => {
        if (i > 0) parts.push({ text: ',' });
        parts.push({ value: e === undefined || typeof e === 'function' ? null : e });
      });
      if (v.length > shown.length) parts.push({ text: ',...' });
      parts.push({ text: ']' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
    } else if (v !== null && typeof v === 'object') {
      const parts: ({ text: string } | { value: unknown })[] = [{ text: '{' }];
      let n = 0;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const e = (v as Record<string, unknown>)[k];
        if (e === undefined || typeof e === 'function') continue;
        if (n > 0) parts.push({ text: ',' });
        parts.push({ text: `${JSON.stringify(clipText(k, max))}:` }, { value: e });
        if (++n >= max) {
          parts.push({ text: ',...' });
          break;
        }
      }
      parts.push({ text: '}' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
    } else if (typeof v === 'string') {
      out += JSON.stringify(clipText(v, max + 1));
    } else if (typeof v === 'bigint') {
      out += String(v);
    } else {
      out += JSON.stringify(v) ?? 'null';
    }
  }
  return clipText(stack.length > 0 ? `${out}...` : out, max);
}

/**
 * A value as an error echoes it: a string or a small value as it is, anything whose JSON is
 * longer than `max` as its clipped JSON text.
 */
export function clipValue(value: unknown, max = ECHO_LIMIT): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return clipText(value, max);
  if (typeof value !== 'object') return value;
  const preview = jsonPreview(value, max + 1);
  return preview.length > max ? clipText(preview, max) : value;
}
