/**
 * The policy_fanouts rows: written at publish, by each page and at the end of a fan-out, read by
 * `ar policy status` and GET /api/policy/status (which therefore never wait on Temporal).
 * Counts are written as totals, not increments, so a retried page writes the same numbers again.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import type { FanOutCounts, FanOutProgress } from './messages';

export type FanOutRow = typeof schema.policyFanouts.$inferSelect;

/** The row of a version's fan-out, created if absent (a retried publish finds the first). */
export async function recordFanOutStart(db: Db, version: number, workflowId: string): Promise<void> {
  await db.insert(schema.policyFanouts).values({ version, workflowId }).onConflictDoNothing();
}

/** A fan-out that failed is about to be started again: running once more, counting from its start. */
export async function recordFanOutRestart(db: Db, version: number): Promise<void> {
  await db
    .update(schema.policyFanouts)
    .set({ status: 'running', finishedAt: null, errors: [], updatedAt: new Date() })
    .where(and(eq(schema.policyFanouts.version, version), eq(schema.policyFanouts.status, 'failed')));
}

export async function recordFanOutTotal(db: Db, version: number, total: number | null, scope: string): Promise<void> {
  await db.update(schema.policyFanouts).set({ total, scope, updatedAt: new Date() }).where(eq(schema.policyFanouts.version, version));
}

export async function recordFanOutCounts(db: Db, version: number, c: FanOutCounts): Promise<void> {
  await db
    .update(schema.policyFanouts)
    .set({
      invoicesSignalled: c.invoices,
      outreachSignalled: c.outreach,
      notFound: c.notFound,
      failed: c.failed,
      pages: c.pages,
      updatedAt: new Date(),
    })
    .where(and(eq(schema.policyFanouts.version, version), eq(schema.policyFanouts.status, 'running')));
}

export async function recordFanOutEnd(db: Db, p: FanOutProgress): Promise<void> {
  const c = p.counts;
  const finishedAt = new Date(p.finishedAt ?? Date.now());
  await db
    .update(schema.policyFanouts)
    .set({
      status: p.status,
      invoicesSignalled: c.invoices,
      outreachSignalled: c.outreach,
      notFound: c.notFound,
      failed: c.failed,
      pages: c.pages,
      errors: p.errors,
      updatedAt: finishedAt,
      finishedAt,
    })
    .where(eq(schema.policyFanouts.version, p.version));
}

/** A fan-out that could not even start (Temporal unreachable): failed, with why. */
export async function recordFanOutNotStarted(db: Db, version: number, error: string): Promise<void> {
  await db
    .update(schema.policyFanouts)
    .set({ status: 'failed', errors: [error.slice(0, 500)], updatedAt: new Date(), finishedAt: new Date() })
    .where(eq(schema.policyFanouts.version, version));
}

export async function fanOutRow(db: Db, version: number): Promise<FanOutRow | undefined> {
  const [row] = await db.select().from(schema.policyFanouts).where(eq(schema.policyFanouts.version, version));
  return row;
}

export async function latestFanOutRow(db: Db): Promise<FanOutRow | undefined> {
  const [row] = await db.select().from(schema.policyFanouts).orderBy(desc(schema.policyFanouts.version)).limit(1);
  return row;
}

/** True once a version above `version` is stored: that one's fan-out tells everyone. */
export async function newerPolicyPublished(db: Db, version: number): Promise<boolean> {
  const [row] = await db.select({ max: sql<number>`max(${schema.policies.version})` }).from(schema.policies);
  return Number(row?.max ?? 0) > version;
}
