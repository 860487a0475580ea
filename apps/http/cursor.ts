/**
 * Opaque keyset cursors over (timestamp, id). The timestamp travels as PostgreSQL's own text
 * with microseconds, so no row is skipped or repeated through a JS Date's milliseconds.
 */
import { sql, type SQL, type AnyColumn } from 'drizzle-orm';
import { badRequest } from './errors';

export interface CursorKey {
  at: string;
  id: string;
}

export function encodeCursor(k: CursorKey): string {
  return Buffer.from(JSON.stringify([k.at, k.id])).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'cursor'): CursorKey {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return { at: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  throw badRequest(field, cursor, 'is not a cursor returned by this endpoint (use nextCursor from the previous page)');
}

/** The column as exact UTC text, for a cursor. */
export function cursorText(col: AnyColumn): SQL<string> {
  return sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after the cursor in (timestamp, id) order. */
export function after(atCol: AnyColumn, idCol: AnyColumn, k: CursorKey): SQL {
  return sql`(${atCol}, ${idCol}) > (${k.at}::timestamptz, ${k.id})`;
}
