/** The policy in force: the highest version in the policies table, seeded with the default on first use. */
import { asc, desc, lte, sql } from 'drizzle-orm';
import { DEFAULT_POLICY, parsePolicy, policySchema, type Policy } from '../domain/policy';
import { schema, type Db } from '../db/client';
import { checkHolidayCalendars } from './holidays';

export async function currentPolicy(db: Db): Promise<Policy> {
  const [row] = await db.select().from(schema.policies).orderBy(desc(schema.policies.version)).limit(1);
  if (row) return parsePolicy(row.version, row.body);
  await db
    .insert(schema.policies)
    .values({ version: 1, body: DEFAULT_POLICY, note: 'default policy', createdBy: 'system' })
    .onConflictDoNothing();
  return currentPolicy(db);
}

/**
 * Writes a new version; the body is validated before anything is stored: the schema (a ZodError),
 * then what only the activity side can check, holiday countries and regions (a PolicyError).
 */
export async function publishPolicy(db: Db, body: unknown, opts: { note: string; createdBy: string }): Promise<Policy> {
  const parsed = policySchema.parse(body);
  checkHolidayCalendars(parsed.holidays);
  const [row] = await db
    .insert(schema.policies)
    .values({
      version: sql`(select coalesce(max(version), 0) + 1 from ${schema.policies})`,
      body: parsed,
      note: opts.note,
      createdBy: opts.createdBy,
    })
    .returning();
  return parsePolicy(row!.version, row!.body);
}

/** Every stored version up to `version`, oldest first: what a fan-out compares its version with. */
export async function policiesUpTo(db: Db, version: number): Promise<Policy[]> {
  const rows = await db.select().from(schema.policies).where(lte(schema.policies.version, version)).orderBy(asc(schema.policies.version));
  return rows.map((r) => parsePolicy(r.version, r.body));
}
