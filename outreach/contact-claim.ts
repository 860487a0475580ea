/**
 * An outbox row claimed under the contact caps. Under a per-customer advisory lock the customer's
 * earlier messages are counted from the outbox, and the row is written only if one more contact
 * keeps within the caps. Both ways a reminder reaches a customer claim this way: the invoice's
 * hand-over sending at once (outreach/at-once.ts) and the outreach workflow's delivery. So two
 * messages decided apart never pass the caps together, whichever path sent them.
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { earliestContactTime, type ContactCaps } from './contact-caps';

type OutboxRow = typeof schema.emailOutbox.$inferSelect;
type NewOutboxRow = typeof schema.emailOutbox.$inferInsert & { contactAt: Date };

export type Claim =
  /** row is undefined when another attempt wrote the key in between: read it by key. */
  | { kind: 'claimed'; row: OutboxRow | undefined }
  /** One more contact would break the caps until `until`; contactTimes are what the outbox counts. */
  | { kind: 'capped'; until: number; contactTimes: number[] };

/** The instant a row counts at: when it was claimed on the sender's clock, else when it was written. */
const countedAt = sql<Date | string>`coalesce(${schema.emailOutbox.contactAt}, ${schema.emailOutbox.createdAt})`;

export async function claimUnderCaps(db: Db, row: NewOutboxRow, caps: ContactCaps): Promise<Claim> {
  const now = row.contactAt.getTime();
  // Nothing older than the longer of the two cap windows can hold the next contact back.
  const horizon = new Date(now - Math.max(caps.perDays * 86_400_000, caps.minHoursApart * 3_600_000));
  return db.transaction(async (tx) => {
    // Held until commit: the count and the insert are one step for this customer.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`outreach:${row.customerId}`}))`);
    // A failed row never reached the customer; every other one (queued, sent, logged) counts.
    const earlier = await tx
      .select({ at: countedAt })
      .from(schema.emailOutbox)
      .where(and(eq(schema.emailOutbox.customerId, row.customerId), ne(schema.emailOutbox.status, 'failed'), gt(countedAt, horizon)));
    const contactTimes = earlier.map((r) => new Date(r.at).getTime()).sort((a, b) => a - b);
    const until = earliestContactTime(contactTimes, now, caps);
    if (until > now) return { kind: 'capped' as const, until, contactTimes };
    const [written] = await tx.insert(schema.emailOutbox).values(row).onConflictDoNothing().returning();
    return { kind: 'claimed' as const, row: written };
  });
}
