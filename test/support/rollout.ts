/**
 * Simulated rollout evidence for tests: decided proposals and reviewed autonomous sends written to
 * the real tables the evaluation reads (proposals, audit_log, autonomy_reviews), nothing mocked.
 */
import type { Db } from '../../db/client';
import { schema } from '../../db/client';
import { seedCustomer } from '../../dev/harness/seed';

let n = 0;

/** `count` reminder proposals on a small customer's small invoices, decided at `at`. */
export async function seedDecisions(
  db: Db,
  o: {
    count: number;
    at: Date;
    outcome: 'approved' | 'edited' | 'rejected';
    customerId?: string;
    tier?: 'small' | 'standard';
    amountMinor?: number;
    shadowScope?: string;
  },
): Promise<void> {
  const customerId = o.customerId ?? `SIM-${o.tier ?? 'small'}`;
  await seedCustomer(db, { id: customerId, tier: o.tier ?? 'small', email: null });
  const rows = Array.from({ length: o.count }, () => {
    const id = `sim-${++n}`;
    return {
      id,
      workflowId: `invoice-${id}`,
      invoiceNumber: id,
      customerId,
      actionKind: 'reminder',
      stepKey: 'overdue-1',
      tone: 'friendly',
      subject: 'Reminder',
      body: 'Please pay',
      reasoning: 'simulated',
      policyVersion: 1,
      currency: 'USD',
      amountMinor: o.amountMinor ?? 20_000,
      status: o.outcome === 'rejected' ? ('rejected' as const) : ('approved' as const),
      decidedBy: 'sim-approver',
      decidedAt: o.at,
      editedBody: o.outcome === 'edited' ? 'Please pay, kindly' : null,
      shadowScope: o.shadowScope ?? null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insert(schema.proposals).values(rows.slice(i, i + 500));
}

/** `count` autonomous reminder sends in scope `scopeId`, each sampled and reviewed with `verdict`. */
export async function seedReviewedSends(
  db: Db,
  o: { count: number; at: Date; verdict: 'right' | 'wrong'; scopeId?: string; customerId?: string; kind?: 'content' | 'bounce' },
): Promise<void> {
  const customerId = o.customerId ?? 'SIM-small';
  await seedCustomer(db, { id: customerId, tier: 'small', email: null });
  for (let i = 0; i < o.count; i++) {
    const id = `sim-send-${++n}`;
    await db.insert(schema.invoices).values({
      number: id,
      customerId,
      currency: 'USD',
      amountMinor: 20_000,
      openMinor: 20_000,
      issueDate: '2026-01-01',
      dueDate: '2026-02-01',
    });
    const key = `invoice-${id}/overdue-1/sent`;
    await db.insert(schema.auditLog).values({
      idempotencyKey: key,
      workflowId: `invoice-${id}`,
      invoiceNumber: id,
      customerId,
      action: 'reminder_sent',
      actor: 'system',
      reasoning: 'simulated',
      policyVersion: 1,
      approvedBy: `autonomy:policy-v1:phase-1:${o.scopeId ?? 'reminder-small'}:autonomous`,
      at: o.at,
    });
    await db.insert(schema.autonomyReviews).values({
      auditKey: key,
      invoiceNumber: id,
      customerId,
      scopeId: o.scopeId ?? 'reminder-small',
      sampledAt: o.at,
      verdict: o.verdict,
      kind: o.kind ?? 'content',
      reason: o.verdict === 'wrong' ? 'simulated: wrong contact' : 'fine',
      reviewedBy: 'sim-reviewer',
      reviewedAt: o.at,
    });
  }
}

export async function autonomyChanges(db: Db) {
  return (await db.select().from(schema.autonomyChanges)).sort((a, b) => a.id - b.id);
}
