/**
 * The fault harness (issue 13): a burst of approvals over the admin HTTP API, as approvers send
 * them (two racing for each proposal, repeating after a 503), while the worker process is killed
 * with SIGKILL, the Temporal dev server is killed and started again on the same database file,
 * and a PostgreSQL server of the test's own is restarted. Afterwards: no decision lost, no email
 * sent twice (by outbox key, by invoice × step, at the provider), no ledger write twice, no
 * workflow stuck. `npm test` runs the short version; `npm run test:faults` the long one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../apps/http/server';
import { WORKFLOWS_PATH } from '../../apps/worker/create-worker';
import { createUser } from '../../access/users';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { closeDb, createDb, migrateDb, type Db } from '../../db/client';
import { addDays } from '../../domain/calendar';
import { createBuiltinLedger } from '../../ledger/builtin';
import { startPrivatePostgres, type PrivatePostgres } from '../../dev/harness/private-postgres';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { startRestartableTemporal, type RestartableTemporal } from '../../dev/harness/temporal-process';
import { waitFor } from '../../dev/harness/wait';
import { startResendServer } from '../support/resend-server';
import { superviseWorker, type WorkerSupervisor } from '../support/worker-supervisor';
import { approveUntilAnswered, newTally } from './approver';
import { countOutcome } from './outcome';
import { faultPlan, type FaultKind } from './plan';

const plan = faultPlan();
const TASK_QUEUE = 'ar-faults';
// Send at any hour, one message per reminder, no caps: every approval becomes an email at once.
const IMMEDIATE_POLICY = {
  sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
  batchWindowMinutes: 0,
  contactCaps: { maxContacts: 100, perDays: 1, minHoursApart: 0 },
};

let postgres: PrivatePostgres;
let temporal: RestartableTemporal;
let resend: Awaited<ReturnType<typeof startResendServer>>;
let db: Db;
let client: Client;
let admin: AdminServer;
let worker: WorkerSupervisor;
let scratch: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'ar-faults-'));
  // One bundle for every worker process: a restart after a SIGKILL takes seconds, not a webpack run.
  const bundle = path.join(scratch, 'workflows.js');
  [postgres, temporal, resend] = await Promise.all([
    startPrivatePostgres(),
    startRestartableTemporal(),
    startResendServer(),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }).then((b) => writeFileSync(bundle, b.code)),
  ]);
  const setup = new pg.Client({ connectionString: postgres.adminUrl });
  await setup.connect();
  await setup.query('create database ar_faults');
  await setup.end();
  const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/ar_faults');
  db = createDb(databaseUrl);
  await migrateDb(db);
  await seedPolicy(db, IMMEDIATE_POLICY);
  for (const name of ['alice', 'bob']) tokens[name] = (await createUser(db, { name, role: 'approver', limits: null })).token;
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  admin = await startAdminServer({ db, temporal: client, config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' }, updateTimeoutMs: 20_000 });
  worker = superviseWorker({
    address: temporal.address,
    taskQueue: TASK_QUEUE,
    databaseUrl,
    resendBaseUrl: resend.baseUrl,
    bundlePath: bundle,
  });
  await worker.ready();
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await admin?.close();
  await client?.connection.close().catch(() => undefined);
  if (db) await closeDb(db).catch(() => undefined);
  await temporal?.stop();
  await postgres?.stop();
  await resend?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) } as never;

const invoiceNumbers = Array.from({ length: plan.invoices }, (_, i) => `FLT-${String(i + 1).padStart(3, '0')}`);
const customerOf = (n: string) => `C-${n}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (min: number, max: number) => min + Math.random() * (max - min);

describe(`approvals under faults (${plan.invoices} invoices, ${plan.faults.length} faults)`, () => {
  it('loses no decision, sends no email twice, writes the ledger once and leaves no workflow stuck', async () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const n of invoiceNumbers) {
      await seedCustomer(db, { id: customerOf(n), email: `ap@${n.toLowerCase()}.example` });
      await seedInvoice(db, { number: n, customerId: customerOf(n), amountMinor: 125_000, dueDate: addDays(today, -2) });
    }
    await syncInvoiceWorkflows(client, db, createBuiltinLedger(db), { taskQueue: TASK_QUEUE });
    const proposals = await waitFor(
      async () => {
        const r = (await db.execute(sql`select id from proposals where status = 'pending' order by id`)).rows as { id: string }[];
        return r.length >= plan.invoices ? r.map((x) => x.id) : null;
      },
      { tries: 3_000, what: `${plan.invoices} pending proposals` },
    );

    // The burst: two approvers race for each proposal at random moments; the faults land among them.
    const tally = newTally();
    const started = Date.now();
    const approvals = proposals.flatMap((id) =>
      ['alice', 'bob'].map(async (who) => {
        await sleep(jitter(0, plan.burstMs));
        return approveUntilAnswered(admin.url, tokens[who]!, id, tally, { giveUpAfterMs: 240_000 });
      }),
    );
    const injected: Record<FaultKind, number> = { 'worker-sigkill': 0, 'temporal-sigkill': 0, 'postgres-restart': 0 };
    const faults = (async () => {
      const gap = plan.burstMs / (plan.faults.length + 1);
      for (const kind of plan.faults) {
        await sleep(jitter(gap * 0.5, gap * 1.5));
        if (kind === 'worker-sigkill') await worker.kill();
        if (kind === 'temporal-sigkill') {
          await temporal.kill();
          await sleep(jitter(500, 3_000));
          await temporal.start();
        }
        if (kind === 'postgres-restart') await postgres.restart({ downMs: jitter(500, 3_000) });
        injected[kind]++;
        console.log(`[faults] ${kind} at +${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    })();
    const answers = await Promise.all(approvals);
    await faults;
    await worker.ready();

    // Settle: every approved reminder delivered (a delivery cut off by a SIGKILL waits out its 30 s timeout).
    await waitFor(
      async () => {
        const r = (await db.execute(sql`select count(*)::int as n from audit_log where action = 'reminder_sent'`)).rows as { n: number }[];
        return r[0]!.n >= plan.invoices;
      },
      { tries: 3_000, what: `${plan.invoices} reminders sent after the faults` },
    ).catch(() => undefined); // the counts below say what is missing

    // The last activity completions and confirmations can still be in flight (a retry after a
    // SIGKILL waits out its timeout): count again until nothing is missing, or three minutes pass.
    const expected = { proposalIds: proposals, invoiceNumbers, customerOf };
    let outcome = await countOutcome(db, client, resend.received, expected);
    for (const until = Date.now() + 180_000; (outcome.stuckWorkflows.length || outcome.lostDecisions.length) && Date.now() < until; ) {
      await sleep(2_000);
      outcome = await countOutcome(db, client, resend.received, expected);
    }
    const totalFaults = Object.values(injected).reduce((a, b) => a + b, 0);
    const report = [
      `[faults] injected ${totalFaults}: worker SIGKILL ${injected['worker-sigkill']}, Temporal SIGKILL + restart ${injected['temporal-sigkill']}, PostgreSQL restart ${injected['postgres-restart']} (worker processes started: ${worker.starts}, of which after an exit of its own: ${worker.ownExits})`,
      `[faults] approvals: ${tally.sent} sent for ${proposals.length} proposals by 2 racing approvers; ${tally.accepted} accepted (200), ${tally.alreadyDecided} already decided (409), ${tally.retried} repeated after a 503/504/no answer, ${tally.unexpected.length} unexpected, ${answers.filter((a) => a === 'gave_up').length} gave up`,
      `[faults] emails: ${outcome.emails} outbox rows, ${outcome.providerEmails} accepted by the provider (${outcome.providerCalls} provider calls; repeats carry the same Idempotency-Key)`,
      `[faults] lost decisions ${outcome.lostDecisions.length}; duplicate emails ${outcome.duplicateEmailsByKey} by outbox key, ${outcome.duplicateEmailsByInvoiceStep} by invoice × step, ${outcome.duplicateEmailsAtProvider} at the provider; duplicate ledger writes ${outcome.duplicateLedgerWrites}; stuck workflows ${outcome.stuckWorkflows.length}`,
      // What is missing or stuck, by name and why: a failing run says where to look.
      ...[...outcome.lostDecisions, ...outcome.stuckWorkflows].map((why) => `[faults]   ${why}`),
    ].join('\n');
    console.log(report);
    // .ci/run prints this file after the tests, so the counts stand in the CI log on their own.
    mkdirSync('.test-output', { recursive: true });
    writeFileSync(`.test-output/faults-${plan.long ? 'long' : 'short'}.txt`, `${report}\n`);

    expect(totalFaults).toBe(plan.faults.length);
    expect(tally.unexpected).toEqual([]);
    expect(answers.filter((a) => a === 'gave_up')).toEqual([]);
    // Exactly one approver's click decided each proposal (at most one 200; a lost 200 shows as a 409 on repeat).
    expect([...tally.winners.values()].filter((n) => n > 1)).toEqual([]);
    expect(outcome.lostDecisions).toEqual([]);
    expect(outcome.stuckWorkflows).toEqual([]);
    expect(outcome.emails).toBe(plan.invoices);
    expect(outcome.providerEmails).toBe(plan.invoices);
    expect(outcome.duplicateEmailsByKey).toBe(0);
    expect(outcome.duplicateEmailsByInvoiceStep).toBe(0);
    expect(outcome.duplicateEmailsAtProvider).toBe(0);
    expect(outcome.duplicateLedgerWrites).toBe(0);
  }, 1_800_000);
});
