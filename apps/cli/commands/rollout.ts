/**
 * `ar rollout status [--json] | evaluate | hold | resume | advance [--force] | rollback --note "why"`:
 * earned autonomy from the command line, through the ar-rollout workflow's Updates (started if it
 * is not running). Every change is recorded with who made it and why.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../db/open';
import type { RolloutDecision } from '../../../rollout/messages';
import type { RolloutStatus } from '../../../rollout/status';

type Control = 'hold' | 'resume' | 'advance' | 'rollback';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function printStatus(s: RolloutStatus): void {
  console.log(
    `Rollout: phase ${s.phase} (${s.phases[s.phase]?.name ?? '?'}), policy v${s.policyVersion}${s.workflow.held ? `, HELD by ${s.workflow.held.by}: ${s.workflow.held.note}` : ''}`,
  );
  console.log(`ar-rollout ${s.workflow.running ? `running; next evaluation ${s.workflow.nextEvaluationAt ?? '?'}` : 'not running'}`);
  console.log('\nPhases:');
  for (const p of s.phases)
    console.log(`  ${p.index === s.phase ? '▶' : ' '} ${p.index}. ${p.name}${p.grants.length ? ` [${p.grants.join(', ')}]` : ''}`);
  console.log('\nScopes in the policy:');
  for (const sc of s.scopes)
    console.log(`  ${sc.id ?? '(hand-written)'}: ${sc.action} ${sc.tiers.join('/')} ${sc.mode}, review ${pct(sc.reviewSampleRate)}`);
  const m = s.measurement;
  console.log(`\nEvidence (window ${m.windowDays} days to ${m.asOf}; ${m.consecutive} consecutive passes promote):`);
  for (const c of m.candidates) {
    const e = c.evidence;
    console.log(
      `  candidate ${c.verdict.scopeId}: ${c.verdict.pass ? 'PASS' : 'not yet'} — ${e.approvedAsDrafted}/${e.decided} approved as drafted, shadow agreement ${e.shadowAgreed}/${e.shadowDecided}`,
    );
    for (const k of c.verdict.checks) console.log(`      ${k.pass ? '✓' : '✗'} ${k.detail}`);
  }
  for (const g of m.granted) {
    console.log(
      `  granted ${g.verdict.scopeId}: ${g.verdict.pass ? 'healthy' : 'DEMOTE'} — ${g.evidence.autonomous} autonomous, ${g.evidence.reviewed} reviewed`,
    );
    for (const k of g.verdict.checks) console.log(`      ${k.pass ? '✓' : '✗'} ${k.detail}`);
  }
  console.log(`\nReview queue: ${s.reviews.open} open, ${s.reviews.reviewed} reviewed`);
  console.log('\nTimeline (newest first):');
  for (const t of s.timeline.slice(0, 20))
    console.log(
      `  ${t.at} ${t.kind}${t.forced ? ' (forced)' : ''} ${t.fromPhase}→${t.toPhase} by ${t.decidedBy} v${t.policyVersion}: ${t.note ? `"${t.note}" ` : ''}${t.why}`,
    );
}

function printDecision(d: RolloutDecision): void {
  console.log(
    `${d.kind}${d.forced ? ' (forced)' : ''}: phase ${d.fromPhase} → ${d.toPhase}${d.policyVersion ? `, policy v${d.policyVersion}` : ''}`,
  );
  console.log(`  ${d.why}`);
  for (const s of d.seen) console.log(`  ${s.role} ${s.scopeId}: ${s.pass ? 'pass' : `failing ${s.failing.join(', ')}`}`);
}

async function withRollout<T>(
  fn: (ctx: { client: import('@temporalio/client').Client; db: import('../../../db/client').Db }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config);
  const { connectClient } = await import('../../../temporal/client');
  const client = await connectClient(config);
  try {
    return await fn({ client, db: database.db });
  } finally {
    await client.connection.close();
    await database.close();
  }
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('Earned autonomy: the rollout phase, the evidence per scope, and admin control of the ar-rollout workflow.');

  rollout
    .command('status')
    .description('The phase and scopes in force, the evidence against the criteria, the review queue and the timeline.')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) =>
      withRollout(async ({ client, db }) => {
        const { rolloutStatus } = await import('../../../rollout/status');
        const { ROLLOUT_WORKFLOW_ID, rolloutStateQuery } = await import('../../../rollout/messages');
        let state = null;
        try {
          const h = client.workflow.getHandle(ROLLOUT_WORKFLOW_ID);
          if ((await h.describe()).status.name === 'RUNNING') state = await h.query(rolloutStateQuery);
        } catch (err) {
          if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        }
        const s = await rolloutStatus(db, { state, now: new Date() });
        if (opts.json) console.log(JSON.stringify(s, null, 2));
        else printStatus(s);
      }),
    );

  const update = async (name: 'evaluate' | Control, arg: Record<string, unknown>) =>
    withRollout(async ({ client }) => {
      const config = loadConfig();
      const m = await import('../../../rollout/messages');
      const { ensureRolloutWorkflow } = await import('../../../rollout/start');
      await ensureRolloutWorkflow(client, config.TEMPORAL_TASK_QUEUE);
      const defs = {
        evaluate: m.evaluateRolloutUpdate,
        hold: m.holdRolloutUpdate,
        resume: m.resumeRolloutUpdate,
        advance: m.advanceRolloutUpdate,
        rollback: m.rollbackRolloutUpdate,
      };
      try {
        const d = await client.workflow
          .getHandle(m.ROLLOUT_WORKFLOW_ID)
          .executeUpdate(defs[name] as typeof m.advanceRolloutUpdate, { args: [arg as never] });
        printDecision(d);
      } catch (err) {
        // The workflow's refusal (held already, criteria unmet without --force) in its own words.
        const cause = (err as { cause?: { message?: string } }).cause;
        throw new Error(cause?.message ?? (err as Error).message);
      }
    });

  rollout
    .command('evaluate')
    .description('Evaluate now and print the decision (promote, demote or stay), as the daily evaluation does.')
    .option('--by <name>', 'who asks', process.env.USER ?? 'cli')
    .action(async (opts: { by: string }) => update('evaluate', { by: opts.by }));

  const controls: [Control, string][] = [
    ['hold', 'Hold the rollout: no promotion until resumed (demotion still applies).'],
    ['resume', 'Resume a held rollout.'],
    ['advance', 'Advance one phase by hand; past unmet criteria it needs --force, and is recorded as forced.'],
    ['rollback', 'Roll back one phase: a new policy version, running invoices re-plan.'],
  ];
  for (const [name, description] of controls) {
    const cmd = rollout
      .command(name)
      .description(description)
      .requiredOption('--note <why>', 'why: recorded with the decision')
      .option('--by <name>', 'who acts', process.env.USER ?? 'cli');
    if (name === 'advance') cmd.option('--force', 'advance even though the promotion criteria are not met');
    cmd.action(async (opts: { note: string; by: string; force?: boolean }) =>
      update(name, { by: opts.by, note: opts.note, ...(name === 'advance' ? { force: opts.force === true } : {}) }),
    );
  }
}
