/** Bearer-token authentication: `Authorization: Bearer ar_…` → the user it was issued to. */
import type { Db } from '../../db/client';
import { unauthorized } from './errors';
import type { AuthUser } from '../../access/roles';
import { findUserByToken } from '../../access/users';

export async function authenticate(db: Db, header: string | undefined): Promise<AuthUser> {
  if (!header) throw unauthorized('authorization: missing; send "Authorization: Bearer <token>" (create one with `ar users add`)');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('authorization: is not of the form "Bearer <token>"');
  const token = m[1]!;
  // Tokens are short; a huge header is not a token and is not worth hashing.
  if (token.length > 200) throw unauthorized('authorization: the token is not valid');
  const user = await findUserByToken(db, token);
  if (!user) throw unauthorized('authorization: the token is unknown or revoked');
  return user;
}
