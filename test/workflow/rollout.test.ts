import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { currentPolicy } from '../../policy/store';
import {
  advanceRolloutUpdate,
  evaluateRolloutUpdate,
  holdRolloutUpdate,
  resumeRolloutUpdate,
  rollbackRolloutUpdate,
  rolloutStateQuery,
} from '../../rollout/messages';
import type { rolloutWorkflow } from '../../rollout/workflow';
import { decideProposalUpdate } from '../../collections/messages';
import { auditFor, nextProposal, proposalRow, proposalsFor, refusal, startInvoice } from '../support/invoice';
import { autonomyChanges, seedDecisions, seedReviewedSends } from '../support/rollout';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
  // Reminders may go out at any hour, so the autonomous send happens within the test's skipped hours.
  await stack.seed.policy(stack.db, { batchWindowMinutes: 0, sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false } });
});
afterAll(async () => {
  await stack?.close();
});

const serverNow = async () => new Date(await stack.env.currentTimeMs());

function startRollout(workflowId: string, args: Parameters<typeof rolloutWorkflow>[0] = {}) {
  return stack.env.client.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
    workflowId,
    taskQueue: stack.taskQueue,
    args: [args],
  });
}

describe('ar-rollout: earned autonomy over weeks of simulated decisions', () => {
  it('promotes small reminders after 3 passing daily evaluations, sends without a proposal, and demotes on reviewed-wrong actions', async () => {
    const { db } = stack;
    // 60 small-invoice reminders, 58 approved as drafted: the lower bound (88.6%) is short of 90%.
    await seedDecisions(db, { count: 58, at: await serverNow(), outcome: 'approved' });
    await seedDecisions(db, { count: 2, at: await serverNow(), outcome: 'edited' });
    const h = await startRollout('ar-rollout');
    const short = await waitFor(async () => (await h.query(rolloutStateQuery)).history[0], {
      env: stack.env,
      advance: '12 hours',
      what: 'first evaluation',
    });
    expect(short.why).toMatch(/approved-as-drafted lower bound 88\.6% < 90\.0%/);
    // The next days bring 40 more approved as drafted: 98 of 100, lower bound 93.0%.
    await seedDecisions(db, { count: 40, at: await serverNow(), outcome: 'approved' });
    // Three daily evaluations must pass in a row before the scope is granted.
    const promoted = await waitFor(
      async () => {
        const s = await h.query(rolloutStateQuery);
        return s.phase === 1 ? s : null;
      },
      { env: stack.env, advance: '12 hours', what: 'promotion to phase 1' },
    );
    const promotion = promoted.history.find((d) => d.kind === 'promote')!;
    const passing = promoted.history.filter((d) => d.kind === 'none' && d.seen[0]?.pass);
    expect(passing).toHaveLength(2);
    expect(promotion.why).toContain('3 consecutive');
    expect(promotion.policyVersion).not.toBeNull();
    const policy = await currentPolicy(db);
    expect(policy.version).toBe(promotion.policyVersion);
    expect(policy.rollout.phase).toBe(1);
    expect(policy.autonomy.find((s) => s.id === 'reminder-small')?.mode).toBe('autonomous');
    // The next phase's scopes run in shadow.
    expect(policy.autonomy.filter((s) => s.mode === 'shadow').map((s) => s.id)).toContain('reminder-standard');
    const [row] = await db.select().from(schema.autonomyChanges).where(eq(schema.autonomyChanges.kind, 'promote'));
    expect(row!.policyVersion).toBe(policy.version);
    expect((row!.metrics as { candidates: { evidence: { decided: number } }[] }).candidates[0]!.evidence.decided).toBe(100);

    // A small reminder now goes out on its own: no proposal, recorded as autonomous with phase and version.
    await stack.seed.customer(db, { id: 'RS1', tier: 'small' });
    const inv = await startInvoice(stack, { number: 'RS-1', customerId: 'RS1', amountMinor: 30_000, dueInDays: -2 });
    const sent = await waitFor(async () => (await auditFor(stack, 'RS-1', 'reminder_sent'))[0], {
      env: stack.env,
      advance: '1 hour',
      what: 'autonomous reminder',
    });
    expect(sent.approvedBy).toBe(`autonomy:policy-v${policy.version}:phase-1:reminder-small:autonomous`);
    expect(sent.policyVersion).toBe(policy.version);
    expect(sent.reasoning).toMatch(/overdue/i);
    expect(await proposalsFor(stack, 'RS-1')).toHaveLength(0);
    await inv.terminate('test done');

    // Shadow mode: above phase 1's ceiling the reminder is proposed, and the proposal records that
    // phase 2's wider scope would have sent it on its own; approving it as drafted counts as agreement.
    const inv2 = await startInvoice(stack, { number: 'RS-2', customerId: 'RS1', amountMinor: 60_000, dueInDays: -2 });
    const p2 = await nextProposal(stack, inv2);
    expect((await proposalRow(stack, p2.id)).shadowScope).toBe('reminder-small');
    await inv2.executeUpdate(decideProposalUpdate, { args: [{ proposalId: p2.id, decision: 'approve', by: 'alice' }] });
    await waitFor(async () => (await proposalRow(stack, p2.id)).status === 'approved', { what: 'RS-2 approved' });
    const shadowSeen = await h.executeUpdate(evaluateRolloutUpdate, { args: [{ by: 'alice' }] });
    expect(shadowSeen.kind).toBe('none');
    const seen = (await h.query(rolloutStateQuery)).lastMeasurement!.candidates.find((c) => c.verdict.scopeId === 'reminder-small')!;
    expect(seen.evidence).toMatchObject({ shadowDecided: 1, shadowAgreed: 1 });
    await inv2.terminate('test done');

    // Reviewers mark 12 autonomous sends wrong: the next evaluation demotes, supervised again.
    await seedReviewedSends(db, { count: 12, at: await serverNow(), verdict: 'wrong' });
    const demotion = await h.executeUpdate(evaluateRolloutUpdate, { args: [{ by: 'alice' }] });
    expect(demotion.kind).toBe('demote');
    expect(demotion.toPhase).toBe(0);
    expect(demotion.why).toMatch(/reviewed-correct lower bound/);
    const after = await currentPolicy(db);
    expect(after.version).toBeGreaterThan(policy.version);
    expect(after.rollout.phase).toBe(0);
    expect(after.autonomy.filter((s) => s.mode === 'autonomous')).toHaveLength(0);
    const kinds = (await autonomyChanges(db)).map((c) => c.kind);
    expect(kinds.filter((k) => k === 'none').length).toBeGreaterThanOrEqual(3);
    // After the promotion only evaluations that changed nothing, then the demotion.
    const sincePromotion = kinds.slice(kinds.indexOf('promote'));
    expect(sincePromotion.at(-1)).toBe('demote');
    expect(new Set(sincePromotion.slice(1, -1))).toEqual(new Set(['none']));
    await h.terminate('test done');
  });

  it('records hold, resume, refused and forced advance and rollback, and keeps its history across continue-as-new', async () => {
    const { db } = stack;
    await db.delete(schema.autonomyReviews);
    await db.delete(schema.auditLog).where(like(schema.auditLog.approvedBy, 'autonomy:%'));
    await db.delete(schema.proposals);
    const h = await startRollout('ar-rollout-admin', { continueAsNewAfter: 4, evaluateEveryHours: 24 * 30 });
    const firstRun = h.firstExecutionRunId;
    const hold = await h.executeUpdate(holdRolloutUpdate, { args: [{ by: 'bob', note: 'quarter end' }] });
    expect(hold.kind).toBe('hold');
    // Holding twice, and resuming without a note, are refused by the validators.
    expect((await refusal(h.executeUpdate(holdRolloutUpdate, { args: [{ by: 'bob', note: 'again' }] }))).type).toBe('AlreadyHeld');
    expect((await refusal(h.executeUpdate(resumeRolloutUpdate, { args: [{ by: 'bob', note: ' ' }] }))).message).toMatch(/note/);
    expect((await h.executeUpdate(resumeRolloutUpdate, { args: [{ by: 'bob', note: 'books closed' }] })).kind).toBe('resume');
    // No evidence: advancing needs force, and is recorded as forced.
    const unforced = await refusal(h.executeUpdate(advanceRolloutUpdate, { args: [{ by: 'carol', note: 'pilot customer asked' }] }));
    expect(unforced.type).toBe('CriteriaUnmet');
    const forced = await h.executeUpdate(advanceRolloutUpdate, { args: [{ by: 'carol', note: 'pilot customer asked', force: true }] });
    expect(forced).toMatchObject({ kind: 'advance', forced: true, fromPhase: 0, toPhase: 1 });
    expect((await currentPolicy(db)).rollout.phase).toBe(1);
    const back = await h.executeUpdate(rollbackRolloutUpdate, { args: [{ by: 'carol', note: 'too early' }] });
    expect(back).toMatchObject({ kind: 'rollback', fromPhase: 1, toPhase: 0 });
    expect((await currentPolicy(db)).rollout.phase).toBe(0);
    // Four decisions: the run continues as new, carrying the history.
    const s = await waitFor(
      async () => {
        const d = await h.describe();
        if (d.runId === firstRun) return null;
        return h.query(rolloutStateQuery);
      },
      { env: stack.env, what: 'continue-as-new' },
    );
    expect(s.history.map((d) => d.kind)).toEqual(['hold', 'resume', 'advance', 'rollback']);
    expect(s.history[2]!.forced).toBe(true);
    expect((await refusal(h.executeUpdate(rollbackRolloutUpdate, { args: [{ by: 'carol', note: 'again' }] }))).type).toBe('FirstPhase');
    const next = await h.executeUpdate(evaluateRolloutUpdate, { args: [{ by: 'dave' }] });
    expect(next.seq).toBe(5);
    const stored = (await autonomyChanges(db)).filter((c) => c.idempotencyKey?.startsWith('ar-rollout-admin/'));
    expect(stored.map((c) => [c.kind, c.forced, c.note])).toEqual([
      ['hold', false, 'quarter end'],
      ['resume', false, 'books closed'],
      ['advance', true, 'pilot customer asked'],
      ['rollback', false, 'too early'],
      ['none', false, null],
    ]);
    // A new ar-rollout (after a terminate) numbers from 1 again: its decisions are recorded all the same.
    await h.terminate('restarted by an operator');
    const again = await startRollout('ar-rollout-admin', { evaluateEveryHours: 24 * 30 });
    expect((await again.executeUpdate(evaluateRolloutUpdate, { args: [{ by: 'erin' }] })).seq).toBe(1);
    const all = (await autonomyChanges(db)).filter((c) => c.idempotencyKey?.startsWith('ar-rollout-admin/'));
    expect(all.map((c) => [c.kind, c.decidedBy]).at(-1)).toEqual(['none', 'erin']);
    expect(all).toHaveLength(6);
    await again.terminate('test done');
  });
});
