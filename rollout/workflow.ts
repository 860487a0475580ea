/**
 * rolloutWorkflow (`ar-rollout`, one per namespace): evaluates the rollout on a durable daily timer
 * and on demand, and takes admin hold/resume/advance/rollback. The rules are RolloutCase's; this
 * file wires them to Temporal: the timer, the Updates with their validators, one activity at a time
 * (a lock keeps an admin Update and the timer from deciding at once), the Web UI's summary and
 * details, and continue-as-new carrying the decision history.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RolloutActivities } from './activities';
import { rolloutRequestSchemas } from './message-schemas';
import {
  advanceRolloutUpdate,
  evaluateRolloutUpdate,
  holdRolloutUpdate,
  type Measurement,
  type RolloutDecision,
  type RolloutInput,
  resumeRolloutUpdate,
  rollbackRolloutUpdate,
  rolloutStateQuery,
} from './messages';
import { RolloutCase, RolloutRefusal } from './rollout-case';
import { SA } from '../temporal/search-attributes';

const acts = proxyActivities<RolloutActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 30 },
});

const now = () => new Date(Date.now());

export async function rolloutWorkflow(input: RolloutInput = {}): Promise<void> {
  const everyMs = (input.evaluateEveryHours ?? 24) * 3_600_000;
  const limit = input.continueAsNewAfter ?? 100;
  const rc = new RolloutCase(workflowInfo().workflowId, input.carried);

  // One decision at a time: updates and the timer queue here, in arrival order (deterministic).
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const show = () => {
    const last = rc.history.at(-1);
    setCurrentDetails(
      [
        `**${rc.summary()}**`,
        `next evaluation: ${rc.nextEvaluationAt ?? 'not planned'}`,
        `streaks: ${
          Object.entries(rc.streaks)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'none'
        }`,
        last ? `last decision: ${last.kind} (${last.why})` : 'no decision yet',
      ].join('\n\n'),
    );
    upsertSearchAttributes([
      { key: SA.status, value: rc.held ? 'held' : `phase-${rc.phase ?? 0}` },
      ...(last?.policyVersion ? [{ key: SA.policyVersion, value: last.policyVersion }] : []),
    ]);
  };

  const commit = async (d: RolloutDecision, m: Measurement | null): Promise<RolloutDecision> => {
    const { policyVersion } = await acts.recordRolloutDecision({
      workflowId: rc.workflowId,
      chainId: workflowInfo().firstExecutionRunId,
      decision: d,
      measurement: m,
    });
    const done = rc.applied(d, policyVersion);
    show();
    return done;
  };

  const measureNow = () => acts.measureRollout({ asOf: now().toISOString() });

  const refuse = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof RolloutRefusal) throw ApplicationFailure.nonRetryable(err.message, err.type);
      throw err;
    }
  };
  const parse = <T>(
    schema: {
      safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
    },
    v: unknown,
  ): T => {
    const r = schema.safeParse(v);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw ApplicationFailure.nonRetryable(`${issue.path.join('.') || 'request'}: ${issue.message}`, 'InvalidRequest');
    }
    return r.data;
  };

  const evaluate = (trigger: 'schedule' | 'on_demand', by: string) =>
    serial(async () => {
      const m = await measureNow();
      return commit(rc.evaluate(m, now(), trigger, by), m);
    });

  setHandler(rolloutStateQuery, () => rc.view());
  setHandler(evaluateRolloutUpdate, (req) => evaluate('on_demand', parse(rolloutRequestSchemas().evaluate, req ?? {}).by), {
    validator: (req) => void parse(rolloutRequestSchemas().evaluate, req ?? {}),
  });
  setHandler(
    holdRolloutUpdate,
    (req) => {
      const r = parse(rolloutRequestSchemas().control, req);
      return serial(async () => {
        refuse(() => rc.validateHold());
        return commit(rc.hold(now(), r.by, r.note), null);
      });
    },
    { validator: (req) => (parse(rolloutRequestSchemas().control, req), refuse(() => rc.validateHold())) },
  );
  setHandler(
    resumeRolloutUpdate,
    (req) => {
      const r = parse(rolloutRequestSchemas().control, req);
      return serial(async () => {
        refuse(() => rc.validateResume());
        return commit(rc.resume(now(), r.by, r.note), null);
      });
    },
    { validator: (req) => (parse(rolloutRequestSchemas().control, req), refuse(() => rc.validateResume())) },
  );
  setHandler(
    advanceRolloutUpdate,
    (req) => {
      const r = parse(rolloutRequestSchemas().advance, req);
      return serial(async () => {
        const m = await measureNow();
        let d: RolloutDecision | undefined;
        refuse(() => {
          d = rc.advance(m, now(), r.by, r.note, r.force);
        });
        return commit(d!, m);
      });
    },
    {
      validator: (req) => (
        parse(rolloutRequestSchemas().advance, req), refuse(() => rc.validateAdvance(rc.lastMeasurement?.phaseNames.length ?? null))
      ),
    },
  );
  setHandler(
    rollbackRolloutUpdate,
    (req) => {
      const r = parse(rolloutRequestSchemas().control, req);
      return serial(async () => {
        const m = await measureNow();
        let d: RolloutDecision | undefined;
        refuse(() => {
          d = rc.rollback(m, now(), r.by, r.note);
        });
        return commit(d!, m);
      });
    },
    { validator: (req) => (parse(rolloutRequestSchemas().control, req), refuse(() => rc.validateRollback())) },
  );

  show();
  for (;;) {
    if (!rc.nextEvaluationAt) rc.nextEvaluationAt = new Date(Date.now() + everyMs).toISOString();
    const waitMs = Math.max(0, new Date(rc.nextEvaluationAt).getTime() - Date.now());
    show();
    await condition(() => rc.decisionsThisRun >= limit || workflowInfo().continueAsNewSuggested, waitMs, {
      summary: `next scheduled evaluation at ${rc.nextEvaluationAt}`,
    });
    if (Date.now() >= new Date(rc.nextEvaluationAt).getTime()) {
      rc.nextEvaluationAt = new Date(Date.now() + everyMs).toISOString();
      await evaluate('schedule', 'ar-rollout');
    }
    if (rc.decisionsThisRun >= limit || workflowInfo().continueAsNewSuggested) {
      await chain;
      await condition(allHandlersFinished);
      await continueAsNew<typeof rolloutWorkflow>({ ...input, carried: rc.carry() });
    }
  }
}
