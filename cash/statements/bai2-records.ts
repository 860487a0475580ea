/**
 * BAI2 physical lines to logical records. A record starts with its two-digit code and normally
 * ends with "/"; the "/" may be missing (then the line ends it), several records may share one
 * physical line, and an 88 record continues the one before it. The free-text field of a 16
 * record (and of the 88s continuing it) runs to the end of its line, since text may hold "/".
 */
import type { ParseContext } from './errors';
import { splitLines } from './text';

export interface Bai2Record {
  readonly code: string;
  /** The record's fields after the code, with the "/" terminator removed. */
  readonly body: string;
  readonly line: number;
  readonly text: string;
}

const RECORD_CODES = new Set(['01', '02', '03', '16', '49', '88', '98', '99']);

export function readRecords(text: string, ctx: ParseContext): Bai2Record[] {
  const records: Bai2Record[] = [];
  let inText = false; // whether an 88 here would continue a 16's text
  splitLines(text).forEach((physical, i) => {
    const lineNo = i + 1;
    let rest = physical.replace(/\s+$/, ''); // fixed-length records are blank-padded
    while (rest !== '') {
      const m = /^(\d{2}),/.exec(rest) ?? /^(99)$/.exec(rest);
      if (!m || !RECORD_CODES.has(m[1]!))
        ctx.fail(`line ${lineNo}`, rest, 'does not start with a BAI2 record code (01, 02, 03, 16, 88, 49, 98, 99 followed by a comma)');
      const code = m[1]!;
      const textRecord = code === '16' || (code === '88' && inText);
      let end: number;
      let next: number;
      if (textRecord) {
        // Only a record that may follow a transaction detail ends a text field early.
        const split = /\/(?=\s*(?:16|88|49),)/.exec(rest);
        end = split ? split.index : rest.length;
        next = split ? split.index + 1 : rest.length;
      } else {
        const slash = rest.indexOf('/');
        end = slash === -1 ? rest.length : slash;
        next = slash === -1 ? rest.length : slash + 1;
      }
      let body = rest.slice(code.length + 1, end);
      if (textRecord) body = body.replace(/\/$/, '');
      records.push({ code, body, line: lineNo, text: rest.slice(0, next) });
      if (code !== '88') inText = code === '16';
      rest = rest.slice(next).replace(/^\s+/, '');
    }
  });
  return records;
}

/** Reads comma-separated fields across a record and its 88 continuations, in order. */
export class FieldCursor {
  private segment = 0;
  private pos = 0;

  constructor(private readonly segments: readonly Bai2Record[]) {}

  /** The next field, or undefined when every segment is used up. */
  next(): string | undefined {
    while (this.segment < this.segments.length) {
      const body = this.segments[this.segment]!.body;
      if (this.pos <= body.length) {
        const comma = body.indexOf(',', this.pos);
        const end = comma === -1 ? body.length : comma;
        const value = body.slice(this.pos, end);
        this.pos = comma === -1 ? body.length + 1 : comma + 1;
        return value.trim();
      }
      this.segment++;
      this.pos = 0;
    }
    return undefined;
  }

  /** The rest of the current segment plus every later one: a 16 record's free text. */
  rest(): string[] {
    const out: string[] = [];
    for (; this.segment < this.segments.length; this.segment++, this.pos = 0) {
      const body = this.segments[this.segment]!.body;
      if (this.pos <= body.length) out.push(body.slice(this.pos));
    }
    return out;
  }

  /** The line of the segment being read, for messages. */
  get line(): number {
    return (this.segments[Math.min(this.segment, this.segments.length - 1)] ?? this.segments[0])!.line;
  }
}
