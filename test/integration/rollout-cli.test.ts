/**
 * `ar rollout` as an operator runs it, against the Temporal dev server, a running worker and
 * PostgreSQL: status (text and --json), evaluate, hold (and a refused second hold), resume, a
 * refused advance without --force, a forced advance and a rollback, each recorded in autonomy_changes.
 */
import { runAr, type CliResult } from '../support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startTestStack, type TestStack } from '../../dev/harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

function ar(...args: string[]): Promise<CliResult> {
  return runAr(
    { DATABASE_URL: stack.database.url, TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: stack.taskQueue, USER: 'olga' },
    ['rollout', ...args],
  );
}

describe('ar rollout', () => {
  it('prints the status, evaluates, and records hold, resume, forced advance and rollback', async () => {
    const before = await ar('status');
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('Rollout: phase 0 (supervised: every action proposed)');
    expect(before.stdout).toContain('ar-rollout not running');
    expect(before.stdout).toMatch(/✗ decisions 0 < 50/);

    const evaluated = await ar('evaluate');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/^none: phase 0 → 0/);
    expect(evaluated.stdout).toContain('reminder-small: decisions 0 < 50');

    expect((await ar('hold', '--note', 'quarter end')).stdout).toMatch(/^hold: phase 0 → 0/);
    const twice = await ar('hold', '--note', 'again');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('the rollout is already held by olga: quarter end');
    expect((await ar('resume', '--note', 'books closed')).stdout).toMatch(/^resume/);
    const noNote = await ar('advance');
    expect(noNote.code).toBe(1);
    expect(noNote.stderr).toContain("required option '--note <why>' not specified");
    const unforced = await ar('advance', '--note', 'pilot');
    expect(unforced.code).toBe(1);
    expect(unforced.stderr).toMatch(/criteria for phase 1 are not met .*advance with force to override/);
    const forced = await ar('advance', '--note', 'pilot', '--force');
    expect(forced.stdout).toMatch(/^advance \(forced\): phase 0 → 1, policy v\d+/);
    expect((await ar('rollback', '--note', 'too early')).stdout).toMatch(/^rollback: phase 1 → 0, policy v\d+/);

    const json = await ar('status', '--json');
    const s = JSON.parse(json.stdout);
    expect(s).toMatchObject({ phase: 0, workflow: { running: true, held: null } });
    expect(s.timeline.map((t: { kind: string; forced: boolean; decidedBy: string }) => [t.kind, t.forced, t.decidedBy])).toEqual([
      ['rollback', false, 'olga'],
      ['advance', true, 'olga'],
      ['resume', false, 'olga'],
      ['hold', false, 'olga'],
      ['none', false, 'olga'],
    ]);
    const rows = await stack.db.select().from(schema.autonomyChanges);
    expect(rows.filter((r) => r.forced).map((r) => r.note)).toEqual(['pilot']);
  });
});
