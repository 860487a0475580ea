/**
 * Earned autonomy end to end on the Temporal dev server and PostgreSQL: proposals decided over
 * HTTP → an evaluation over HTTP promotes the small-reminder scope → a new policy version → a
 * reminder sent with no proposal, sampled into the review queue → a reviewer marks it wrong over
 * HTTP → the next evaluation demotes → a new version, and the next reminder is proposed again.
 */
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';
import { ensureRolloutWorkflow } from '../../rollout/start';

let s: AdminStack;

/** A short pilot plan: four decisions and one passing evaluation promote; one wrong review demotes. */
const PLAN = {
  phase: 0,
  phases: [
    { name: 'supervised', grants: [] },
    {
      name: 'small reminders on their own',
      grants: [{ id: 'reminder-small', action: 'reminder', tiers: ['small'], maxAmountMinor: { USD: 50_000 }, reviewSampleRate: 1 }],
    },
  ],
  promotion: { minSample: 4, consecutive: 1, minApprovedLowerBound: 0.5 },
  demotion: { minReviewed: 1 },
};

beforeAll(async () => {
  s = await startAdminStack();
});
afterAll(async () => {
  await s?.close();
});

async function sentFor(invoiceNumber: string) {
  return waitFor(
    async () =>
      (
        await s.stack.db
          .select()
          .from(schema.auditLog)
          .where(and(eq(schema.auditLog.invoiceNumber, invoiceNumber), eq(schema.auditLog.action, 'reminder_sent')))
      )[0],
    { tries: 600, what: `reminder_sent for ${invoiceNumber}` },
  );
}

describe('the rollout loop over HTTP', () => {
  it('promotes on approvals, sends autonomously, demotes on a wrong review, and proposes again', async () => {
    const { db } = s.stack;
    const read = await s.http('GET', '/api/policy', { as: 'ada' });
    const published = await s.http('POST', '/api/policy', {
      as: 'ada',
      body: { policy: { ...read.body.policy, rollout: PLAN }, note: 'pilot plan' },
    });
    expect(published.status).toBe(200);

    // Four small reminders proposed, approved as drafted over HTTP.
    const first = ['RO-1', 'RO-2', 'RO-3', 'RO-4'];
    await s.seedOverdueInvoices(first, { tier: 'small', amountMinor: 20_000 });
    await s.syncWorkflows();
    for (const n of first) {
      const p = await s.pendingProposal(n);
      expect((await s.http('POST', `/api/approvals/${encodeURIComponent(p.id)}/approve`, { as: 'alice', body: {} })).status).toBe(200);
    }
    await waitFor(async () => (await db.select().from(schema.proposals).where(eq(schema.proposals.status, 'approved'))).length === 4, {
      what: 'four approvals recorded',
    });

    await ensureRolloutWorkflow(s.stack.env.client, s.stack.taskQueue);
    expect((await s.http('POST', '/api/rollout/evaluate', { as: 'vic', body: {} })).status).toBe(403);
    const promote = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(promote.status, JSON.stringify(promote.body)).toBe(200);
    expect(promote.body).toMatchObject({ kind: 'promote', fromPhase: 0, toPhase: 1, by: 'ada' });
    const v1 = promote.body.policyVersion as number;
    const status = await s.http('GET', '/api/rollout', { as: 'vic' });
    expect(status.body).toMatchObject({ phase: 1, policyVersion: v1, workflow: { running: true } });
    expect(status.body.timeline[0]).toMatchObject({ kind: 'promote', toPhase: 1, policyVersion: v1 });
    expect(status.body.scopes).toContainEqual(expect.objectContaining({ id: 'reminder-small', mode: 'autonomous' }));

    // The next small reminder goes out on its own, recorded with the phase and "autonomous".
    await s.seedOverdueInvoices(['RO-AUTO'], { tier: 'small', amountMinor: 20_000 });
    await s.syncWorkflows();
    const sent = await sentFor('RO-AUTO');
    expect(sent.approvedBy).toBe(`autonomy:policy-v${v1}:phase-1:reminder-small:autonomous`);
    expect(sent.policyVersion).toBe(v1);
    expect(await db.select().from(schema.proposals).where(eq(schema.proposals.invoiceNumber, 'RO-AUTO'))).toHaveLength(0);

    // Sampled (the scope reviews every autonomous send): a reviewer marks it wrong.
    const queue = await waitFor(
      async () => {
        const r = await s.http('GET', '/api/rollout/reviews', { as: 'vic' });
        return r.body.items.find((i: { invoiceNumber: string }) => i.invoiceNumber === 'RO-AUTO');
      },
      { what: 'RO-AUTO in the review queue' },
    );
    expect(queue).toMatchObject({ scopeId: 'reminder-small', verdict: null, policyVersion: v1 });
    expect((await s.http('POST', `/api/rollout/reviews/${queue.id}`, { as: 'vic', body: { verdict: 'wrong', reason: 'x' } })).status).toBe(
      403,
    );
    const marked = await s.http('POST', `/api/rollout/reviews/${queue.id}`, {
      as: 'alice',
      body: { verdict: 'wrong', kind: 'recipient', reason: 'went to the old AP address' },
    });
    expect(marked.body).toMatchObject({ verdict: 'wrong', reviewedBy: 'alice' });
    expect((await s.http('POST', `/api/rollout/reviews/${queue.id}`, { as: 'bob', body: { verdict: 'right', reason: 'no' } })).status).toBe(
      409,
    );

    const demote = await s.http('POST', '/api/rollout/evaluate', { as: 'ada', body: {} });
    expect(demote.body).toMatchObject({ kind: 'demote', fromPhase: 1, toPhase: 0 });
    expect(demote.body.why).toMatch(/reviewed-correct lower bound 0\.0% < 50\.0% \(0\/1 right\)/);
    expect(demote.body.policyVersion).toBeGreaterThan(v1);
    const after = await s.http('GET', '/api/policy', { as: 'vic' });
    expect(after.body.version).toBe(demote.body.policyVersion);
    expect(after.body.policy.autonomy.filter((a: { mode: string }) => a.mode === 'autonomous')).toHaveLength(0);

    // Supervised again: the next small reminder waits for a person.
    await s.seedOverdueInvoices(['RO-AFTER'], { tier: 'small', amountMinor: 20_000 });
    await s.syncWorkflows();
    const p = await s.pendingProposal('RO-AFTER');
    expect(p.policyVersion).toBe(demote.body.policyVersion);
    const changes = await db.select().from(schema.autonomyChanges).where(like(schema.autonomyChanges.idempotencyKey, 'ar-rollout/%'));
    expect(changes.map((c) => [c.kind, c.decidedBy, c.policyVersion])).toEqual([
      ['promote', 'ada', v1],
      ['demote', 'ada', demote.body.policyVersion],
    ]);
  });
});
