/**
 * Users and their bearer tokens. A token is 32 random bytes shown once; only its SHA-256 is
 * stored, so a database leak does not leak usable tokens. Looking a token up by its hash needs
 * no constant-time compare: the hash of a guess reveals nothing about other hashes.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/client';
import { schema } from '../db/client';
import { ROLES, type Role } from '../db/schema';
import { isCurrency } from '../domain/money';
import type { AuthUser, Limit } from './roles';
import { clipValue } from '../domain/text';

const { users, apiTokens, userLimits } = schema;

const TOKEN_PREFIX = 'ar_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export interface NewUser {
  name: string;
  role: Role;
  /** One limit per currency; null or absent = unlimited. */
  limits?: readonly Limit[] | null;
}

/**
 * Checks a set of limits: at least one, each an ISO 4217 currency at most once with a whole,
 * non-negative number of minor units; a viewer decides nothing, so has none. Returns them
 * ordered by currency, or null for unlimited.
 */
function checkLimits(role: Role, limits: readonly Limit[] | null | undefined): Limit[] | null {
  if (limits == null) return null;
  if (!limits.length) throw new Error('limits: an empty list would refuse every proposal; give at least one limit, or none for unlimited');
  if (role === 'viewer') throw new Error('limit: a viewer decides nothing, so a limit makes no sense');
  const seen = new Set<string>();
  for (const l of limits) {
    if (!isCurrency(l.currency))
      throw new Error(`limit currency: ${JSON.stringify(l.currency)} is not an ISO 4217 currency code (three capital letters, e.g. USD)`);
    if (seen.has(l.currency))
      throw new Error(`limit currency: ${JSON.stringify(l.currency)} is given more than once; a user has one limit per currency`);
    seen.add(l.currency);
    if (!Number.isSafeInteger(l.minor) || l.minor < 0) {
      throw new Error(`limit amount: ${JSON.stringify(l.minor)} must be a whole, non-negative number of ${l.currency} minor units`);
    }
  }
  return limits.map((l) => ({ currency: l.currency, minor: l.minor })).sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Each user's limits by user id (ordered by currency); a user without rows is unlimited. */
async function limitsByUser(db: Db | Tx, userIds: number[]): Promise<Map<number, Limit[]>> {
  const out = new Map<number, Limit[]>();
  if (!userIds.length) return out;
  const rows = await db
    .select()
    .from(userLimits)
    .where(inArray(userLimits.userId, userIds))
    .orderBy(asc(userLimits.userId), asc(userLimits.currency));
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ currency: r.currency, minor: r.limitMinor });
    out.set(r.userId, list);
  }
  return out;
}

function toAuthUser(r: typeof users.$inferSelect, limits: Limit[] | undefined): AuthUser {
  return { id: r.id, name: r.name, role: r.role, limits: limits?.length ? limits : null };
}

async function writeLimits(tx: Tx, userId: number, limits: Limit[] | null): Promise<void> {
  await tx.delete(userLimits).where(eq(userLimits.userId, userId));
  if (limits) await tx.insert(userLimits).values(limits.map((l) => ({ userId, currency: l.currency, limitMinor: l.minor })));
}

/** Creates a user and their first token; returns the token (the only time it is visible). */
export async function createUser(db: Db, input: NewUser): Promise<{ user: AuthUser; token: string }> {
  if (!input.name.trim()) throw new Error('name: must not be empty');
  const limits = checkLimits(input.role, input.limits);
  const token = newToken();
  const user = await db.transaction(async (tx) => {
    const existing = await tx.select({ id: users.id }).from(users).where(eq(users.name, input.name));
    if (existing.length)
      throw new Error(`user ${JSON.stringify(clipValue(input.name))} already exists (use \`ar users token\` for a new token)`);
    const [row] = await tx.insert(users).values({ name: input.name, role: input.role }).returning();
    await writeLimits(tx, row!.id, limits);
    await tx.insert(apiTokens).values({ userId: row!.id, tokenHash: hashToken(token) });
    return toAuthUser(row!, limits ?? undefined);
  });
  return { user, token };
}

/** Replaces a user's limits (null = unlimited); returns the user as now stored. */
export async function setLimits(db: Db, name: string, input: readonly Limit[] | null): Promise<AuthUser> {
  return db.transaction(async (tx) => {
    // FOR UPDATE: two concurrent changes of the same user's limits apply one after the other.
    const [row] = await tx.select().from(users).where(eq(users.name, name)).for('update');
    if (!row) throw new Error(`user ${JSON.stringify(clipValue(name))} not found`);
    const limits = checkLimits(row.role, input);
    await writeLimits(tx, row.id, limits);
    return toAuthUser(row, limits ?? undefined);
  });
}

/** Issues another token for an existing user (e.g. a lost one; revoke the old one separately). */
export async function issueToken(db: Db, name: string): Promise<string> {
  const [row] = await db.select().from(users).where(eq(users.name, name));
  if (!row) throw new Error(`user ${JSON.stringify(clipValue(name))} not found`);
  const token = newToken();
  await db.insert(apiTokens).values({ userId: row.id, tokenHash: hashToken(token) });
  return token;
}

/** Revokes every live token of a user; returns how many. */
export async function revokeTokens(db: Db, name: string): Promise<number> {
  const [row] = await db.select().from(users).where(eq(users.name, name));
  if (!row) throw new Error(`user ${JSON.stringify(clipValue(name))} not found`);
  const r = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.userId, row.id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return r.length;
}

export async function listUsers(db: Db): Promise<AuthUser[]> {
  const rows = await db.select().from(users).orderBy(asc(users.name));
  const limits = await limitsByUser(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toAuthUser(r, limits.get(r.id)));
}

/** The user a bearer token belongs to, or null for an unknown or revoked token. */
export async function findUserByToken(db: Db, token: string): Promise<AuthUser | null> {
  const [row] = await db
    .select({ user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  return toAuthUser(row.user, (await limitsByUser(db, [row.user.id])).get(row.user.id));
}
