/**
 * Records the ar-rollout replay fixture (test/fixtures/histories/ar-rollout.json), apart from the
 * invoice and outreach recordings so recording it rewrites none of theirs: `npm run
 * record:rollout-history` after a deliberate, patched() change of rollout/workflow.ts (keep the old
 * recording beside the new one as ar-rollout.vN.json). The scenario: three daily evaluations on
 * enough approvals promote, a hold and a resume, an evaluation on demand, a forced advance.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import {
  advanceRolloutUpdate,
  evaluateRolloutUpdate,
  holdRolloutUpdate,
  resumeRolloutUpdate,
  rolloutStateQuery,
} from '../../rollout/messages';
import { seedDecisions } from '../support/rollout';

const OUT = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

const stack = await startTestStack({ timeSkipping: true });
try {
  const { db, env, taskQueue } = stack;
  await seedDecisions(db, { count: 100, at: new Date(await env.currentTimeMs()), outcome: 'approved' });
  const h = await env.client.workflow.start('rolloutWorkflow', { workflowId: 'ar-rollout', taskQueue, args: [{}] });
  await waitFor(async () => (await h.query(rolloutStateQuery)).phase === 1, { env, advance: '12 hours', what: 'promotion' });
  await h.executeUpdate(holdRolloutUpdate, { args: [{ by: 'recorder', note: 'quarter end' }] });
  await h.executeUpdate(resumeRolloutUpdate, { args: [{ by: 'recorder', note: 'books closed' }] });
  await h.executeUpdate(evaluateRolloutUpdate, { args: [{ by: 'recorder' }] });
  await h.executeUpdate(advanceRolloutUpdate, { args: [{ by: 'recorder', note: 'pilot', force: true }] });
  const history = await h.fetchHistory();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}ar-rollout.json`, historyToJSON(history));
  console.log(`ar-rollout: ${history.events?.length ?? 0} events → test/fixtures/histories/ar-rollout.json`);
  await h.terminate('recorded');
} finally {
  await stack.close();
}
