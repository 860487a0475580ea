/**
 * The review queue: a sample of autonomous actions (the granting scope's reviewSampleRate) waits
 * for a person to mark it right or wrong with a reason. Sampling is a hash of the action's audit
 * key, so a retried delivery samples the same actions, and the share is the rate over many.
 */
import { and, desc, eq, isNull, isNotNull, type SQL } from 'drizzle-orm';
import { type Db, schema } from '../db/client';
import { parsePolicy } from '../domain/policy';

/** `autonomy:policy-v<version>:phase-<n>:<scope id>:autonomous` (collections/steps.ts). */
export function parseAutonomousApprover(approvedBy: string): { policyVersion: number; phase: number; scopeId: string } | null {
  const m = /^autonomy:policy-v(\d+):phase-(\d+):([^:]+):autonomous$/.exec(approvedBy);
  return m ? { policyVersion: Number(m[1]), phase: Number(m[2]), scopeId: m[3]! } : null;
}

/** FNV-1a of the key, as a fraction in [0, 1): below the rate means sampled. */
export function isSampled(key: string, rate: number): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000 < rate;
}

export interface AutonomousAction {
  auditKey: string;
  workflowId: string;
  invoiceNumber: string;
  customerId: string;
  approvedBy: string;
  subject: string;
  reasoning: string;
}

/** Enqueues the action when its scope samples it; idempotent per audit key. Returns whether it was sampled. */
export async function sampleForReview(db: Db, a: AutonomousAction): Promise<boolean> {
  const who = parseAutonomousApprover(a.approvedBy);
  if (!who) return false;
  const [row] = await db.select({ body: schema.policies.body }).from(schema.policies).where(eq(schema.policies.version, who.policyVersion));
  const scope = row ? parsePolicy(who.policyVersion, row.body).autonomy.find((s) => s.id === who.scopeId) : undefined;
  if (!isSampled(a.auditKey, scope?.reviewSampleRate ?? 0.1)) return false;
  await db
    .insert(schema.autonomyReviews)
    .values({
      auditKey: a.auditKey,
      workflowId: a.workflowId,
      invoiceNumber: a.invoiceNumber,
      customerId: a.customerId,
      scopeId: who.scopeId,
      policyVersion: who.policyVersion,
      subject: a.subject,
      reasoning: a.reasoning,
    })
    .onConflictDoNothing();
  return true;
}

export type ReviewRow = typeof schema.autonomyReviews.$inferSelect;

export async function listReviews(db: Db, opts: { status?: 'open' | 'reviewed' | 'all'; limit?: number } = {}): Promise<ReviewRow[]> {
  const t = schema.autonomyReviews;
  const where: SQL | undefined = opts.status === 'open' ? isNull(t.verdict) : opts.status === 'reviewed' ? isNotNull(t.verdict) : undefined;
  return db
    .select()
    .from(t)
    .where(where)
    .orderBy(desc(t.sampledAt), desc(t.id))
    .limit(opts.limit ?? 200);
}

export class ReviewError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_reviewed',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

/** Marks a sampled action right or wrong; a review stands once made (a second mark is refused). */
export async function markReview(
  db: Db,
  id: number,
  mark: { verdict: 'right' | 'wrong'; kind?: (typeof schema.REVIEW_KINDS)[number]; reason: string; by: string; at?: Date },
): Promise<ReviewRow> {
  const t = schema.autonomyReviews;
  const [row] = await db
    .update(t)
    .set({ verdict: mark.verdict, kind: mark.kind ?? null, reason: mark.reason, reviewedBy: mark.by, reviewedAt: mark.at ?? new Date() })
    .where(and(eq(t.id, id), isNull(t.verdict)))
    .returning();
  if (row) return row;
  const [existing] = await db.select().from(t).where(eq(t.id, id));
  if (!existing) throw new ReviewError('not_found', `review ${id} does not exist`);
  throw new ReviewError('already_reviewed', `review ${id} was already marked ${existing.verdict} by ${existing.reviewedBy}`);
}
