/**
 * Activities of the rollout room: measure the evidence for an evaluation, and record a decision
 * (publishing a new policy version when the phase moves, and starting its fan-out, so running
 * invoice workflows re-plan within moments). Both are idempotent: a retry records and publishes nothing twice.
 */
import type { Client } from '@temporalio/client';
import { desc, eq, like } from 'drizzle-orm';
import { type Db, schema } from '../db/client';
import { autonomyAtPhase } from '../domain/rollout-plan';
import { log } from '@temporalio/activity';
import { startPolicyFanOut } from '../policy/fanout-start';
import { currentPolicy, publishPolicy } from '../policy/store';
import { measureNow } from './evaluation';
import type { Measurement, RolloutDecision } from './messages';

export function createRolloutActivities(deps: { db: Db; temporal: () => Promise<Client>; taskQueue: string }) {
  const { db } = deps;
  return {
    async measureRollout(input: { asOf: string }): Promise<Measurement> {
      return measureNow(db, new Date(input.asOf));
    },

    /** Stores the decision; a phase change first publishes the policy at the new phase. Returns the version in force. */
    async recordRolloutDecision(input: {
      workflowId: string;
      /** The first run of the workflow's chain: a restarted ar-rollout numbers its decisions from 1 again. */
      chainId?: string;
      decision: RolloutDecision;
      measurement: Measurement | null;
    }): Promise<{ policyVersion: number }> {
      const d = input.decision;
      const key = `${input.workflowId}/${input.chainId ? `${input.chainId}/` : ''}${d.seq}`;
      const [done] = await db.select().from(schema.autonomyChanges).where(eq(schema.autonomyChanges.idempotencyKey, key));
      if (done) return { policyVersion: done.policyVersion };
      let policy = await currentPolicy(db);
      if (d.toPhase !== d.fromPhase) {
        // The note carries the key: a retry after a publish that was not yet recorded finds its version.
        const marker = `[${key}]`;
        const [published] = await db
          .select({ version: schema.policies.version })
          .from(schema.policies)
          .where(like(schema.policies.note, `%${marker}`))
          .orderBy(desc(schema.policies.version))
          .limit(1);
        if (published) policy = { ...policy, version: published.version };
        else {
          const { version: _v, ...body } = policy;
          const next = {
            ...body,
            rollout: { ...body.rollout, phase: d.toPhase },
            autonomy: autonomyAtPhase(body.rollout, d.toPhase, body.autonomy),
          };
          const note = `rollout ${d.kind} to phase ${d.toPhase} by ${d.by}${d.forced ? ' (forced)' : ''}: ${d.note ?? d.why} ${marker}`;
          policy = await publishPolicy(db, next, { note: note.slice(0, 4000), createdBy: `ar-rollout:${d.by}` });
        }
        // Running invoice workflows re-plan now rather than at their next step, told in the background by the
        // version's fan-out; a retry finds it started. One that cannot start only delays that.
        const fanOut = await startPolicyFanOut(await deps.temporal(), db, policy.version, { taskQueue: deps.taskQueue });
        if (fanOut.error)
          log.warn('policy published; running workflows not signalled (they read it at their next step)', { error: fanOut.error });
      }
      await db
        .insert(schema.autonomyChanges)
        .values({
          policyVersion: policy.version,
          change: { ...d, policyVersion: policy.version },
          metrics: input.measurement,
          decidedBy: d.by,
          at: new Date(d.at),
          idempotencyKey: key,
          kind: d.kind,
          fromPhase: d.fromPhase,
          toPhase: d.toPhase,
          forced: d.forced,
          note: d.note ?? null,
        })
        .onConflictDoNothing();
      return { policyVersion: policy.version };
    },
  };
}

export type RolloutActivities = ReturnType<typeof createRolloutActivities>;
