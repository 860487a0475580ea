/**
 * `npm run bench:workers`: do more workers on the task queue share the load, and does every effect
 * still happen once?
 *
 * One Temporal dev server on its SQLite file and a fresh PostgreSQL database (as bench:scale), then
 * two phases in the same run, each on BENCH_INVOICES new overdue invoices (default 300, a customer
 * each): first with one production worker (apps/worker/main.ts as a child process), then with
 * BENCH_WORKERS of them (default 2) on the same task queue. Each phase syncs its invoices, waits
 * until all have proposed, approves every proposal through the decideProposal Update
 * (BENCH_CONCURRENCY at a time, default 8) and waits until every reminder is sent. It then reads:
 *
 *   share       from the histories of the phase's invoice and outreach workflows, how many
 *               workflow tasks and activities each worker ran (the identity the server records on
 *               WorkflowTaskStarted and ActivityTaskStarted; the SDK's default is pid@host);
 *   effects     outbox rows, distinct idempotency keys, reminder_sent audit rows, and the sends
 *               the workers' email channel made (the dev channel logs each to the worker's stdout):
 *               each must be one per invoice, and the bench exits 1 if one is not;
 *   throughput  proposals/s from the sync, decisions/s with p50/p99, and CPU per invoice of the
 *               workers together and of the dev server; the second phase as a ratio of the first.
 *
 * On one 2-core box the workers compete for the same cores as the dev server, so the ratio shows
 * the sharing and its overhead rather than the gain a second machine would bring.
 */
import type { Client } from '@temporalio/client';
import { and, eq, inArray, like } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decideProposalUpdate } from '../../collections/messages';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { type Db, schema } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { connectClient } from '../../temporal/client';
import { invoiceWorkflowId, outreachWorkflowId } from '../../temporal/workflow-ids';
import { historyOrNone } from '../harness/history-or-none';
import { IMMEDIATE_POLICY } from '../harness/admin-stack';
import { createTestDatabase } from '../harness/database';
import { startDevServerOnFreePorts } from '../harness/dev-server-on-free-ports';
import { seedCustomer, seedInvoice, seedPolicy } from '../harness/seed';
import { waitFor } from '../harness/wait';
import { timedPool, type PoolResult } from './pool';
import { cpuSeconds } from './proc-stats';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const N = Number(process.env.BENCH_INVOICES ?? 300);
const WORKERS = Math.max(2, Number(process.env.BENCH_WORKERS ?? 2));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TASK_QUEUE = 'ar-bench-workers';

const since = (t0: number) => (performance.now() - t0) / 1000;
const log = (line: string) => console.log(`[bench:workers] ${line}`);

interface Phase {
  workers: number;
  proposalsPerSecond: number;
  decisions: PoolResult;
  allSentSeconds: number;
  cpuMsPerInvoice: { workers: number; server: number };
  /** Per worker, in start order: workflow tasks and activities it ran. */
  share: { workflowTasks: number; activities: number }[];
  effects: { invoices: number; outboxRows: number; outboxKeys: number; reminderSentAudit: number; sends: number; distinctSends: number };
}

async function seedPhase(db: Db, prefix: string): Promise<string[]> {
  const today = new Date().toISOString().slice(0, 10);
  const numbers = Array.from({ length: N }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
  for (const n of numbers) {
    await seedCustomer(db, { id: `C-${n}` });
    await seedInvoice(db, { number: n, customerId: `C-${n}`, amountMinor: 90_000, dueDate: addDays(today, -2) });
  }
  return numbers;
}

/**
 * Workflow tasks and activities per worker, over the phase's invoice and outreach histories. A
 * worker is known by its identity's "pid@" prefix: the SDK's default identity is pid@host.
 */
async function shareOf(client: Client, numbers: string[], pidPrefixes: string[]): Promise<Phase['share']> {
  const share = pidPrefixes.map(() => ({ workflowTasks: 0, activities: 0 }));
  const workerOf = (identity: string | null | undefined) => (identity ? pidPrefixes.findIndex((p) => identity.startsWith(p)) : -1);
  const ids = numbers.flatMap((n) => [invoiceWorkflowId(n), outreachWorkflowId(`C-${n}`)]);
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map(async (id) => {
        for (const e of (await historyOrNone(client, id))?.events ?? []) {
          const task = workerOf(e.workflowTaskStartedEventAttributes?.identity);
          if (task >= 0) share[task]!.workflowTasks++;
          const activity = workerOf(e.activityTaskStartedEventAttributes?.identity);
          if (activity >= 0) share[activity]!.activities++;
        }
      }),
    );
  }
  return share;
}

async function runPhase(client: Client, db: Db, env: Record<string, string>, serverPid: number, count: number): Promise<Phase> {
  const prefix = `W${count}`;
  const numbers = await seedPhase(db, prefix);
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) workers.push(await startWorkerProcess(env));
  const identities = workers.map((w) => `${w.pid}@`);
  const cpu = () => [workers.reduce((s, w) => s + cpuSeconds(w.pid), 0), cpuSeconds(serverPid)] as const;
  try {
    const cpu0 = cpu();
    let t0 = performance.now();
    await syncInvoiceWorkflows(client, db, createBuiltinLedger(db), { taskQueue: TASK_QUEUE });
    const pendingOfPhase = () =>
      db
        .select({ id: schema.proposals.id, workflowId: schema.proposals.workflowId })
        .from(schema.proposals)
        .where(and(eq(schema.proposals.status, 'pending'), like(schema.proposals.invoiceNumber, `${prefix}-%`)));
    // 100 ms a try: up to 20 minutes, for a large BENCH_INVOICES on a loaded box.
    const pending = await waitFor(async () => ((await pendingOfPhase()).length === N ? pendingOfPhase() : null), {
      tries: 12_000,
      what: `${N} pending proposals with ${count} worker(s)`,
    });
    const proposalsPerSecond = N / since(t0);
    log(`${count} worker(s): ${N} proposals at ${proposalsPerSecond.toFixed(1)}/s; deciding, ${CONCURRENCY} at a time…`);
    const decisions = await timedPool(pending, CONCURRENCY, (p) =>
      client.workflow
        .getHandle(p.workflowId)
        .executeUpdate(decideProposalUpdate, { args: [{ proposalId: p.id, decision: 'approve', by: 'bench' }] }),
    );
    t0 = performance.now();
    const sentAudit = () =>
      db
        .select({ invoice: schema.auditLog.invoiceNumber })
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.action, 'reminder_sent'), like(schema.auditLog.invoiceNumber, `${prefix}-%`)));
    await waitFor(async () => (await sentAudit()).length >= N, { tries: 12_000, what: `${N} reminders sent` });
    const allSentSeconds = since(t0);
    const cpu1 = cpu();
    // Time for a duplicate to show, were one on its way (a retried activity, a second worker's task).
    await new Promise((r) => setTimeout(r, 3000));
    const outbox = await db
      .select({ key: schema.emailOutbox.idempotencyKey })
      .from(schema.emailOutbox)
      .where(
        inArray(
          schema.emailOutbox.customerId,
          numbers.map((n) => `C-${n}`),
        ),
      );
    // The phase's workers are new processes: every send they logged belongs to this phase.
    const sends = workers.flatMap((w) => [...w.output().matchAll(/\[email:dev\].* key=(\S+)/g)].map((m) => m[1]!));
    const share = await shareOf(client, numbers, identities);
    return {
      workers: count,
      proposalsPerSecond,
      decisions,
      allSentSeconds,
      cpuMsPerInvoice: { workers: (1000 * (cpu1[0] - cpu0[0])) / N, server: (1000 * (cpu1[1] - cpu0[1])) / N },
      share,
      effects: {
        invoices: N,
        outboxRows: outbox.length,
        outboxKeys: new Set(outbox.map((o) => o.key)).size,
        reminderSentAudit: (await sentAudit()).length,
        sends: sends.length,
        distinctSends: new Set(sends).size,
      },
    };
  } finally {
    for (const w of workers) await w.stop();
  }
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'ar-workers-temporal-'));
const server = await startDevServerOnFreePorts(dataDir);
const database = await createTestDatabase();
const client = await connectClient({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' });
const env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, DATABASE_URL: database.url };
let failed = false;
try {
  log(`${N} invoices per phase; 1 worker, then ${WORKERS}; database ${database.kind}, Temporal ${server.address}`);
  await seedPolicy(database.db, IMMEDIATE_POLICY);
  const phases = [await runPhase(client, database.db, env, server.pid, 1), await runPhase(client, database.db, env, server.pid, WORKERS)];
  const [one, many] = phases as [Phase, Phase];
  const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(0)} %`;
  const rows: string[][] = [
    [
      'workers',
      'proposals/s',
      'decisions/s',
      'p50',
      'p99',
      'CPU/invoice (workers + server)',
      'workflow tasks per worker',
      'activities per worker',
      'outbox rows / keys / sent audit / sends',
    ],
  ];
  for (const p of phases) {
    const tasks = p.share.reduce((s, w) => s + w.workflowTasks, 0);
    const acts = p.share.reduce((s, w) => s + w.activities, 0);
    rows.push([
      String(p.workers),
      p.proposalsPerSecond.toFixed(1),
      p.decisions.perSecond.toFixed(1),
      `${p.decisions.p50.toFixed(0)} ms`,
      `${p.decisions.p99.toFixed(0)} ms`,
      `${p.cpuMsPerInvoice.workers.toFixed(0)} + ${p.cpuMsPerInvoice.server.toFixed(0)} ms`,
      p.share.map((w) => `${w.workflowTasks} (${pct(w.workflowTasks, tasks)})`).join(' / '),
      p.share.map((w) => `${w.activities} (${pct(w.activities, acts)})`).join(' / '),
      `${p.effects.outboxRows} / ${p.effects.outboxKeys} / ${p.effects.reminderSentAudit} / ${p.effects.sends} for ${p.effects.invoices} invoices`,
    ]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${rows.map((r) => `  ${r.map((c, i) => c.padEnd(w[i]!)).join('  ')}`).join('\n')}\n`);
  log(
    `${WORKERS} workers ÷ 1: proposals ${(many.proposalsPerSecond / one.proposalsPerSecond).toFixed(2)}×, decisions ${(many.decisions.perSecond / one.decisions.perSecond).toFixed(2)}×, p99 ${(many.decisions.p99 / one.decisions.p99).toFixed(2)}×`,
  );
  for (const p of phases) {
    const e = p.effects;
    const once = [e.outboxRows, e.outboxKeys, e.reminderSentAudit, e.sends, e.distinctSends].every((n) => n === e.invoices);
    const idle = p.share.filter((s) => s.workflowTasks === 0 || s.activities === 0).length;
    if (!once) log(`DUPLICATED OR LOST EFFECTS with ${p.workers} worker(s): ${JSON.stringify(e)}`);
    if (idle) log(`${idle} of ${p.workers} workers ran no workflow task or no activity`);
    failed ||= !once || idle > 0;
  }
  if (!failed) log('every effect once in both phases, and every worker did part of the work');
} finally {
  await client.connection.close();
  await database.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
