/**
 * The one error a statement parser throws for bad input. It names the file (as the caller
 * passed it), the place (line or element path), the offending value (clipped) and the rule,
 * so a person can open the file and fix it without reading parser code.
 */

import { clipText } from '../../domain/text';

const VALUE_LIMIT = 80;

/** Shortens a value for a message (the shared clipText); control characters are shown escaped, never raw. */
function clip(value: string, limit = VALUE_LIMIT): string {
  // Only the start is ever shown: escaping a whole file to show 80 characters of it would be waste.
  const head = clipText(value, limit);
  const visible = head.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clipText(visible, limit);
}

export class StatementError extends Error {
  readonly value: string;

  constructor(
    readonly fileName: string,
    readonly location: string,
    value: string,
    readonly rule: string,
  ) {
    const shown = clip(value);
    super(`${fileName}, ${location}: ${rule}${shown ? ` (value: "${shown}")` : ''}`);
    this.name = 'StatementError';
    this.value = shown;
  }
}

/** Per-file parsing state: who to blame in messages and whether bad entries are skipped. */
export class ParseContext {
  constructor(
    readonly fileName: string,
    readonly skipInvalid: boolean,
  ) {}

  fail(location: string, value: string, rule: string): never {
    throw new StatementError(this.fileName, location, value, rule);
  }

  /**
   * Runs the parsing of one entry. A StatementError either propagates (the default: one bad
   * entry refuses the file) or, under skipInvalid, lands in `rejected` and the entry is dropped.
   */
  entry<T>(rejected: { location: string; value: string; rule: string }[], build: () => T): T | undefined {
    try {
      return build();
    } catch (err) {
      if (this.skipInvalid && err instanceof StatementError) {
        rejected.push({ location: err.location, value: err.value, rule: err.rule });
        return undefined;
      }
      throw err;
    }
  }
}
