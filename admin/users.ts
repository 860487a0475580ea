/**
 * Users and their bearer tokens. A token is 32 random bytes shown once; only its SHA-256 is
 * stored, so a database leak does not leak usable tokens. Looking a token up by its hash needs
 * no constant-time compare: the hash of a guess reveals nothing about other hashes.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import { schema } from '../db/client';
import { ROLES, type Role } from '../db/schema';
import type { AuthUser } from './roles';

const { users, apiTokens } = schema;

export const TOKEN_PREFIX = 'ar_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export interface NewUser {
  name: string;
  role: Role;
  limit?: { currency: string; minor: number } | null;
}

function toAuthUser(r: typeof users.$inferSelect): AuthUser {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    limit: r.limitCurrency !== null && r.limitMinor !== null ? { currency: r.limitCurrency, minor: r.limitMinor } : null,
  };
}

/** Creates a user and their first token; returns the token (the only time it is visible). */
export async function createUser(db: Db, input: NewUser): Promise<{ user: AuthUser; token: string }> {
  if (!input.name.trim()) throw new Error('name: must not be empty');
  if (input.limit && input.role === 'viewer') throw new Error('limit: a viewer decides nothing, so a limit makes no sense');
  const token = newToken();
  const user = await db.transaction(async (tx) => {
    const existing = await tx.select({ id: users.id }).from(users).where(eq(users.name, input.name));
    if (existing.length) throw new Error(`user ${JSON.stringify(input.name)} already exists (use \`ar users token\` for a new token)`);
    const [row] = await tx
      .insert(users)
      .values({
        name: input.name,
        role: input.role,
        limitCurrency: input.limit?.currency ?? null,
        limitMinor: input.limit?.minor ?? null,
      })
      .returning();
    await tx.insert(apiTokens).values({ userId: row!.id, tokenHash: hashToken(token) });
    return toAuthUser(row!);
  });
  return { user, token };
}

/** Issues another token for an existing user (e.g. a lost one; revoke the old one separately). */
export async function issueToken(db: Db, name: string): Promise<string> {
  const [row] = await db.select().from(users).where(eq(users.name, name));
  if (!row) throw new Error(`user ${JSON.stringify(name)} not found`);
  const token = newToken();
  await db.insert(apiTokens).values({ userId: row.id, tokenHash: hashToken(token) });
  return token;
}

/** Revokes every live token of a user; returns how many. */
export async function revokeTokens(db: Db, name: string): Promise<number> {
  const [row] = await db.select().from(users).where(eq(users.name, name));
  if (!row) throw new Error(`user ${JSON.stringify(name)} not found`);
  const r = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.userId, row.id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return r.length;
}

export async function listUsers(db: Db): Promise<AuthUser[]> {
  const rows = await db.select().from(users).orderBy(asc(users.name));
  return rows.map(toAuthUser);
}

/** The user a bearer token belongs to, or null for an unknown or revoked token. */
export async function findUserByToken(db: Db, token: string): Promise<AuthUser | null> {
  const [row] = await db
    .select({ user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row ? toAuthUser(row.user) : null;
}
