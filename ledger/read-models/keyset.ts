/**
 * Keyset paging over (timestamp, id) for the read models. The timestamp travels as PostgreSQL's
 * own text with microseconds, so no row is skipped or repeated through a JS Date's milliseconds.
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

export interface KeysetKey {
  at: string;
  id: string;
}

/** The column as exact UTC text, for a cursor. */
export function cursorText(col: AnyColumn): SQL<string> {
  return sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after the key in (timestamp, id) order. */
export function after(atCol: AnyColumn, idCol: AnyColumn, k: KeysetKey): SQL {
  return sql`(${atCol}, ${idCol}) > (${k.at}::timestamptz, ${k.id})`;
}
