/**
 * Opaque keyset cursors over (timestamp, id) for the HTTP layer; the SQL side (exact timestamp
 * text, "rows after the key") is ledger/read-models/keyset.ts, used by the read models that page.
 */
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
