/**
 * Opaque keyset cursors over (timestamp, id) for the HTTP layer; the SQL side (exact timestamp
 * text, "rows after the key") is ledger/read-models/keyset.ts, used by the read models that page.
 *
 * A cursor comes back from the client, so it is input like any other: decoded, it must hold the
 * exact timestamp text this endpoint writes (a real calendar date in years 1–9999, UTC, at most
 * microseconds) and an id of clean text. Anything else is a 400 here, never a query PostgreSQL
 * refuses (2026-02-31, year 275760, a NUL in the id).
 */
import { isIsoDate } from '../../domain/calendar';
import { controlCharacterIn } from '../../domain/text';
import { badRequest } from './errors';

export interface CursorKey {
  at: string;
  id: string;
}

/** What cursorText (SQL) and Date#toISOString write: 2026-02-07T09:00:00.000000Z or …00.000Z. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;

export function encodeCursor(k: CursorKey): string {
  return Buffer.from(JSON.stringify([k.at, k.id])).toString('base64url');
}

function isCursorTimestamp(at: string): boolean {
  const m = TIMESTAMP.exec(at);
  return m !== null && !m[1]!.startsWith('0000') && isIsoDate(m[1]!);
}

const isCursorId = (id: string): boolean => id.length > 0 && id.length <= 500 && controlCharacterIn(id) === null;

export function decodeCursor(cursor: string, field = 'cursor'): CursorKey {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
    if (isCursorTimestamp(v[0]) && isCursorId(v[1])) return { at: v[0], id: v[1] };
  }
  throw badRequest(field, cursor, 'is not a cursor returned by this endpoint (use nextCursor from the previous page)');
}
