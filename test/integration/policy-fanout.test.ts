/**
 * Publishing a policy at scale, against the Temporal dev server, a running worker and PostgreSQL:
 * POST /api/policy answers once the version is stored, the policy-fanout-v<N> workflow signals in
 * the background the running invoice workflows whose plan the version changes (every one for a
 * calendar rule, one tier's for its ladder, none for a limit), each of them ends on the new version,
 * and the progress reads the same from GET /api/policy/status, `ar policy status --json` and the
 * workflow's query. A repeated start of the same version's fan-out starts nothing and counts each
 * workflow once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { addDays } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitForPolicyFanOut } from '../../dev/harness/policy-fanout';
import { waitFor } from '../../dev/harness/wait';
import { startPolicyFanOut } from '../../policy/fanout-start';
import { fanOutRow } from '../../policy/fanout-store';
import { policyFanOutQuery } from '../../policy/messages';
import { publishPolicy } from '../../policy/store';
import { SA } from '../../temporal/search-attributes';
import { workflowBacklog } from '../../temporal/task-queue';
import { policyFanOutWorkflowId } from '../../temporal/workflow-ids';

const N = 12;
const numbers = Array.from({ length: N }, (_, i) => `PF-${i + 1}`);
// The last four are small customers: a change of the small ladder wakes those alone.
const SMALL = 4;
const tierOf = (i: number) => (i >= N - SMALL ? 'small' : 'standard');
let s: AdminStack;

beforeAll(async () => {
  s = await startAdminStack();
  const { db } = s.stack;
  // Due in three weeks: every workflow sleeps until its first step, as most of 100,000 would.
  const due = addDays(new Date().toISOString().slice(0, 10), 21);
  for (const [i, n] of numbers.entries()) {
    await s.stack.seed.customer(db, { id: `C-${n}`, email: `ap@${n.toLowerCase()}.example`, tier: tierOf(i) });
    await s.stack.seed.invoice(db, { number: n, customerId: `C-${n}`, amountMinor: 50_000, dueDate: due });
  }
  await s.syncWorkflows();
  const { version } = (await s.http('GET', '/api/policy', { as: 'vic' })).body;
  for (const n of numbers) await waitFor(async () => (await versionOf(n)) === version, { tries: 600, what: `${n} on v${version}` });
});
afterAll(async () => {
  await s?.close();
});

const versionOf = async (n: string) => (await s.stack.env.client.workflow.getHandle(`invoice-${n}`).query(invoiceStateQuery)).policyVersion;

function ar(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'apps/cli/main.ts', 'policy', ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: s.stack.database.url,
          TEMPORAL_ADDRESS: s.stack.env.address,
          TEMPORAL_TASK_QUEUE: s.stack.taskQueue,
          USER: 'pat',
          FORCE_COLOR: '0',
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function runsOf(workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _ of s.stack.env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs++;
  return runs;
}

describe('policy publish at scale', () => {
  it('answers before telling anyone; the fan-out then signals every running invoice workflow, and says so', async () => {
    const read = await s.http('GET', '/api/policy', { as: 'ada' });
    const v = (read.body.version as number) + 1;
    const published = await s.http('POST', '/api/policy', {
      as: 'ada',
      // A calendar rule: every tier's plan changes, so every invoice is told.
      body: { policy: { ...read.body.policy, handoffGraceDays: read.body.policy.handoffGraceDays + 1 }, note: 'fan-out test' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ version: v, fanOut: { workflowId: `policy-fanout-v${v}`, status: 'running' } });
    expect(published.body.notified).toBeGreaterThanOrEqual(0);

    // Readable at once, from the database.
    const early = await s.http('GET', '/api/policy/status', { as: 'vic' });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({
      version: v,
      publishedBy: 'ada',
      note: 'fan-out test',
      fanOut: { version: v, workflowId: `policy-fanout-v${v}` },
    });
    expect(['running', 'done']).toContain(early.body.fanOut.status);

    const progress = await waitForPolicyFanOut(s.stack.env.client, v);
    expect(progress).toMatchObject({ version: v, status: 'done', total: N, counts: { invoices: N, outreach: 0, notFound: 0, failed: 0 } });
    expect(progress.finishedAt).not.toBeNull();
    expect(progress.pacing).toEqual({ heldMs: expect.any(Number), peakBacklog: expect.any(Number) });
    // The finished workflow still answers its query (the Web UI's view of the same numbers).
    const handle = s.stack.env.client.workflow.getHandle(`policy-fanout-v${v}`);
    expect(await handle.query(policyFanOutQuery)).toEqual(progress);
    // Filterable in the Web UI: ArPolicyVersion = v AND ArStatus = "fanout-done".
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(SA.status)).toBe('fanout-done');
    expect(described.typedSearchAttributes.get(SA.policyVersion)).toBe(v);

    for (const n of numbers) await waitFor(async () => (await versionOf(n)) === v, { tries: 600, what: `${n} on v${v}` });

    const done = await s.http('GET', '/api/policy/status', { as: 'vic' });
    expect(done.body.fanOut).toMatchObject({
      status: 'done',
      total: N,
      scope: `re-plan v${v - 1}: all tiers`,
      signalled: { invoices: N, outreach: 0, total: N },
      notFound: 0,
      failed: 0,
      pages: 2,
      errors: [],
      finishedAt: expect.any(String),
    });
    expect(Date.parse(done.body.fanOut.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.body.fanOut.startedAt));

    const json = await ar('status', '--json');
    expect(json.code, json.stderr).toBe(0);
    const cli = JSON.parse(json.stdout);
    expect(cli).toEqual(done.body);
    const text = await ar('status');
    expect(text.stdout).toContain(`Policy v${v} in force`);
    expect(text.stdout).toContain(`  re-plan v${v - 1}: all tiers`);
    expect(text.stdout).toContain(
      `Fan-out policy-fanout-v${v}: done, ${N} of ${N} signalled (${N} invoice, 0 outreach; 0 gone, 0 failed; 2 pages)`,
    );
  });

  it('a repeated start of the same fan-out starts nothing more, and each workflow is counted once across pages and runs', async () => {
    const { db, env, taskQueue } = s.stack;
    const { version: v } = await publishPolicy(db, { ...DEFAULT_POLICY, handoffGraceDays: 9 }, { note: 'retried', createdBy: 'test' });
    // Pages of 5 and one page per run: paging and continue-as-new are exercised on a dozen workflows.
    const opts = { taskQueue, pageSize: 5, pagesPerRun: 1 };
    const [a, b] = await Promise.all([startPolicyFanOut(env.client, db, v, opts), startPolicyFanOut(env.client, db, v, opts)]);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    expect(a.workflowId).toBe(policyFanOutWorkflowId(v));

    const progress = await waitForPolicyFanOut(env.client, v);
    expect(progress).toMatchObject({ status: 'done', total: N, counts: { invoices: N, outreach: 0, notFound: 0, failed: 0, pages: 4 } });
    // A publish retried after the fan-out finished finds it done and runs nothing again.
    const again = await startPolicyFanOut(env.client, db, v, opts);
    expect(again).toMatchObject({ started: false, status: 'done', signalled: N });
    expect(await runsOf(policyFanOutWorkflowId(v))).toBe(4);
    expect(await fanOutRow(db, v)).toMatchObject({ status: 'done', invoicesSignalled: N, pages: 4, total: N });
    for (const n of numbers) await waitFor(async () => (await versionOf(n)) === v, { tries: 600, what: `${n} on v${v}` });
  });

  it('`ar policy publish` prints the version and how to follow its fan-out', async () => {
    const shown = await ar('show');
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ar-policy-')), 'policy.json');
    await writeFile(file, JSON.stringify({ ...JSON.parse(shown.stdout), promiseGraceDays: 4 }));
    const r = await ar('publish', file, '--note', 'from the command line');
    expect(r.code, r.stderr).toBe(0);
    const v = Number(/^Published policy v(\d+)\.$/m.exec(r.stdout)?.[1]);
    expect(r.stdout).toContain(`told in the background by policy-fanout-v${v}: follow it with \`ar policy status\``);
    // Only the promise grace changed, which no sleeping plan reads: nobody is woken; each reads it at its next step.
    const before = await Promise.all(numbers.map(versionOf));
    expect(await waitForPolicyFanOut(s.stack.env.client, v)).toMatchObject({ status: 'done', total: 0, counts: { invoices: 0 } });
    expect(JSON.parse((await ar('status', '--json')).stdout)).toMatchObject({
      version: v,
      publishedBy: 'pat',
      fanOut: { status: 'done', total: 0, signalled: { invoices: 0 } },
    });
    expect(await Promise.all(numbers.map(versionOf))).toEqual(before);
  });

  it('a change of one ladder wakes that tier alone; the others keep the version they planned with', async () => {
    const { db, env, taskQueue } = s.stack;
    const before = await Promise.all(numbers.map(versionOf));
    const small = DEFAULT_POLICY.ladders.small.map((step) => ({ ...step, offsetDays: step.offsetDays + 3 }));
    const current = (await s.http('GET', '/api/policy', { as: 'vic' })).body.policy;
    const { version: v } = await publishPolicy(
      db,
      { ...current, ladders: { ...current.ladders, small } },
      { note: 'small ladder', createdBy: 'test' },
    );
    await startPolicyFanOut(env.client, db, v, { taskQueue });
    const progress = await waitForPolicyFanOut(env.client, v);
    expect(progress).toMatchObject({ status: 'done', total: SMALL, counts: { invoices: SMALL, failed: 0 } });
    expect(progress.scope).toContain(': small');
    for (const [i, n] of numbers.entries()) {
      if (tierOf(i) === 'small') await waitFor(async () => (await versionOf(n)) === v, { tries: 600, what: `${n} on v${v}` });
    }
    // The standard invoices were not woken: still on their version (and ArPolicyVersion says so).
    const after = await Promise.all(numbers.map(versionOf));
    expect(after.filter((_, i) => tierOf(i) === 'standard')).toEqual(before.filter((_, i) => tierOf(i) === 'standard'));
    expect(after.filter((_, i) => tierOf(i) === 'small')).toEqual(Array(SMALL).fill(v));
    const described = await env.client.workflow.getHandle(`invoice-${numbers[0]}`).describe();
    expect(described.typedSearchAttributes.get(SA.policyVersion)).toBe(before[0]);
  });

  it('reads the backlog it paces by from the server: the workflow tasks waiting on a queue', async () => {
    const { env } = s.stack;
    const queue = `pace-probe-${Date.now()}`;
    // No worker polls this queue: each start leaves its first workflow task waiting.
    const handles = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => env.client.workflow.start('paceProbe', { workflowId: `${queue}-${i}`, taskQueue: queue, args: [] })),
    );
    try {
      expect(await waitFor(async () => ((await workflowBacklog(env.client, queue)) === 5 ? 5 : null), { what: 'a backlog of 5' })).toBe(5);
      expect(await workflowBacklog(env.client, `${queue}-empty`)).toBe(0);
    } finally {
      await Promise.all(handles.map((h) => h.terminate('probe done')));
    }
  });

  it('a fan-out overtaken by a newer version stops: the newer one tells everyone', async () => {
    const { db, env, taskQueue } = s.stack;
    const older = await publishPolicy(db, { ...DEFAULT_POLICY, promiseGraceDays: 10 }, { note: 'older', createdBy: 'test' });
    // A calendar rule: the newer one wakes every invoice.
    const newer = await publishPolicy(db, { ...DEFAULT_POLICY, handoffGraceDays: 11 }, { note: 'newer', createdBy: 'test' });
    await startPolicyFanOut(env.client, db, older.version, { taskQueue });
    await startPolicyFanOut(env.client, db, newer.version, { taskQueue });
    expect(await waitForPolicyFanOut(env.client, older.version)).toMatchObject({ status: 'superseded', counts: { invoices: 0 } });
    expect((await waitForPolicyFanOut(env.client, newer.version)).counts.invoices).toBe(N);
    expect((await fanOutRow(db, older.version))?.status).toBe('superseded');
    const status = await s.http('GET', '/api/policy/status', { as: 'vic' });
    expect(status.body).toMatchObject({ version: newer.version, fanOut: { version: newer.version, status: 'done' } });
  });
});
