/**
 * Replays every checked-in history through the current workflow code. A change that would break
 * running workflows fails here; put it behind patched() and record new histories beside the old.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHistoryFile, replay } from '../../temporal/replay';
import { WORKFLOWS_PATH } from '../../apps/worker/create-worker';

const DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/** `invoice-R-100.json` and an older recording kept beside it, `invoice-R-100.v1.json`, are both `invoice-R-100`. */
const workflowIdOf = (file: string) => file.replace(/(\.v\d+)?\.json$/, '');

const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never;
let current: { code: string };
beforeAll(async () => {
  // One bundle of today's workflow code for every history (bundling is the slow part).
  current = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
});

describe('replay of recorded histories', () => {
  it('has histories of each workflow type', () => {
    expect(files.some((f) => f.startsWith('invoice-'))).toBe(true);
    expect(files.some((f) => f.startsWith('outreach-'))).toBe(true);
  });

  for (const file of files) {
    it(`${file} replays deterministically and tells its story`, async () => {
      // The workflow id shapes ids the workflow derives (proposals, outbox keys): replay under the real one.
      const report = await replay(loadHistoryFile(`${DIR}${file}`), workflowIdOf(file), { workflowBundle: current });
      expect(report.error).toBeUndefined();
      expect(report.deterministic).toBe(true);
      expect(report.steps.length).toBeGreaterThan(5);
    });
  }

  it('catches an incompatible change (the check can fail)', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./changed-workflows.ts', import.meta.url)),
      logger: quiet,
    });
    const report = await replay(loadHistoryFile(`${DIR}invoice-R-100.json`), 'invoice-R-100', { workflowBundle: bundle });
    expect(report.deterministic).toBe(false);
    expect(report.error).toMatch(/non-deterministic|Nondeterminism|does not match/i);
  });

  it('explains the decisions in the full lifecycle', async () => {
    const report = await replay(loadHistoryFile(`${DIR}invoice-R-100.json`), 'invoice-R-100', { workflowBundle: current });
    const story = report.steps.map((s) => s.what).join('\n');
    expect(story).toMatch(
      /proposed "Upcoming: Invoice R-100" \(friendly, policy v1\) — because: due in \d+ days?; standard tier; step 1 of 6 \(heads-up, friendly\)/,
    );
    expect(story).toMatch(/proposal invoice-R-100\/overdue-1 rejected by carol: customer called yesterday/);
    expect(story).toMatch(
      /hand-over of "Reminder: Invoice R-100" \(approved by alice, edited\): sent at once, or through outreach-R1 if it must wait/,
    );
    expect(story).toMatch(/completed: .*"status":"paid"/);
  });
});
