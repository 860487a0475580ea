/**
 * `npm start` as a user runs it: the start script spawned in its own process group (as a terminal
 * runs it), with a fresh data folder, free ports and no DATABASE_URL, so the embedded PGlite path is
 * exercised. It must come up, run one invoice workflow per open invoice (filterable by the custom
 * search attributes), let `npx ar readiness` reach its database through the stack file, stop on
 * Ctrl-C with exit code 0 leaving no process, port or stack file behind, and resume the same
 * workflow runs on a second start. Killed outright (SIGKILL of npm, or of the start script), it
 * must not leave the dev server holding the ports either.
 */
import { Client, Connection } from '@temporalio/client';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../insights/readiness';
import type { StackFile } from '../../db/open';
import { invoiceStateQuery } from '../../collections/messages';
import { waitFor } from '../../dev/harness/wait';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT = 300_000;
const DEMO_CUSTOMERS = 20;
/** The ar-ledger-sync schedule's interval in this run (the default is 180 s). */
const SYNC_INTERVAL_SECONDS = 10;
const RUNNING_INVOICES = 'WorkflowType = "invoiceWorkflow" AND ExecutionStatus = "Running"';

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on the port any more: we can listen on it ourselves. */
async function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Exited, though not reaped: a zombie whose parent is gone waits for a reaper (PID 1 of a container may never reap). */
function zombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Every live process whose environment names this data folder: the stack and all its descendants (Linux only). */
function processesOf(dataDir: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const marker = `AR_DATA_DIR=${dataDir}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(marker)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile, or not ours */
    }
  }
  return pids.filter((pid) => !gone(pid));
}

function stackEnv(dataDir: string, ports: { temporal: number; ui: number; admin: number }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AR_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_PORT: String(ports.ui),
    ADMIN_PORT: String(ports.admin),
    AR_DEMO_CUSTOMERS: String(DEMO_CUSTOMERS),
    AR_SYNC_INTERVAL_SECONDS: String(SYNC_INTERVAL_SECONDS),
    FORCE_COLOR: '0',
  };
  // Whatever the developer's shell sets, this run uses the embedded database and the defaults.
  for (const k of [
    'DATABASE_URL',
    'AR_START_TEMPORAL',
    'AR_DEMO_LEDGER',
    'AR_SYNC_ON_START',
    'TEMPORAL_NAMESPACE',
    'TEMPORAL_TASK_QUEUE',
    'ADMIN_HOST',
    'RESEND_API_KEY',
  ])
    delete env[k];
  return env;
}

function startStack(env: NodeJS.ProcessEnv, via: 'node' | 'npm' = 'node'): Started {
  // Detached: its own process group, like a shell job; Ctrl-C is SIGINT to that group.
  const [command, args] = via === 'npm' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'dev/start.ts']];
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForOutput(s: Started, pattern: RegExp, ms = 120_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = s.output().match(pattern);
    if (m) return m;
    if (s.child.exitCode !== null)
      throw new Error(`npm start exited with code ${s.child.exitCode} before printing ${pattern}:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`npm start did not print ${pattern} within ${ms / 1000} s:\n${s.output()}`);
}

/** Ctrl-C in the terminal: SIGINT to the whole foreground process group. */
async function ctrlC(s: Started, ms = 120_000): Promise<number | null> {
  process.kill(-s.child.pid!, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([s.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)))]);
  clearTimeout(timer);
  if (code === 'hung') throw new Error(`npm start did not exit within ${ms / 1000} s of Ctrl-C:\n${s.output()}`);
  return code;
}

function ar(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['ar', ...args], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const SYNC_LINE = /invoice sync: (\d+) open invoices, (\d+) workflows started, (\d+) already running, (\d+) ended/;
const DEMO_LINE = /loaded the demo ledger: (\d+) customers, (\d+) invoices \((\d+) partly paid, (\d+) disputed\)/;

async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

async function runIds(client: Client, ids: string[]): Promise<Record<string, { runId: string; status: string }>> {
  const out: Record<string, { runId: string; status: string }> = {};
  for (const id of ids) {
    const d = await client.workflow.getHandle(id).describe();
    out[id] = { runId: d.runId, status: d.status.name };
  }
  return out;
}

/** After Ctrl-C: exit code 0, no process of the stack, every port free again, no stack file. */
async function expectStoppedCleanly(s: Started, dataDir: string, ports: number[], temporalPid: number | undefined): Promise<void> {
  const code = await ctrlC(s);
  expect(code, s.output()).toBe(0);
  expect(s.output()).toMatch(/stopped Temporal dev server/);
  expect(s.output()).not.toMatch(/\[ar\] (stopping .* failed|could not start)/);
  expect(gone(s.child.pid!), 'the start script').toBe(true);
  expect(gone(-s.child.pid!), 'its process group').toBe(true);
  if (temporalPid !== undefined) {
    expect(gone(temporalPid), 'the Temporal dev server').toBe(true);
    expect(gone(-temporalPid), "the Temporal dev server's process group").toBe(true);
  }
  expect(processesOf(dataDir), 'processes still running with this AR_DATA_DIR').toEqual([]);
  for (const port of ports) expect(await canListen(port), `port ${port} is still in use`).toBe(true);
  expect(existsSync(path.join(dataDir, 'stack.json')), 'the stack file').toBe(false);
}

afterAll(async () => {
  // A failed assertion must not leave servers behind: kill what is still alive, then the folders.
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (const dir of dirs) {
    for (const pid of processesOf(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
});

describe('npm start', () => {
  let dataDir: string;
  let ports: { temporal: number; ui: number; admin: number };
  let env: NodeJS.ProcessEnv;
  let address: string;
  let first: { scanned: number; sample: Record<string, { runId: string; status: string }> };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ar-stack-'));
    dirs.push(dataDir);
    ports = { temporal: await freePort(), ui: await freePort(), admin: await freePort() };
    env = stackEnv(dataDir, ports);
    address = `127.0.0.1:${ports.temporal}`;
  }, TIMEOUT);

  it(
    'starts everything, runs one workflow per open invoice, serves ar readiness, and stops cleanly on Ctrl-C',
    async () => {
      const s = startStack(env);
      await waitForOutput(s, /AR automation is running/);
      const out = s.output();
      expect(out).toMatch(/database ready \(embedded PGlite in /);
      const demo = out.match(DEMO_LINE);
      expect(demo, out).not.toBeNull();
      const [customers, invoices, , disputed] = demo!.slice(1).map(Number) as [number, number, number, number];
      expect(customers).toBe(DEMO_CUSTOMERS);
      const sync = out.match(SYNC_LINE)!.slice(1).map(Number) as [number, number, number, number];
      const [scanned, started, alreadyRunning, ended] = sync;
      // Every demo invoice is open or disputed; a fresh stack starts a workflow for each.
      expect(scanned).toBe(invoices);
      expect([started, alreadyRunning, ended]).toEqual([scanned, 0, 0]);

      const stack = JSON.parse(readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackFile;
      expect(stack).toMatchObject({
        pid: s.child.pid,
        embedded: true,
        temporalAddress: address,
        adminUrl: `http://127.0.0.1:${ports.admin}`,
      });
      expect(stack.temporalPid).toBeGreaterThan(0);
      const dbPort = Number(new URL(stack.databaseUrl).port);

      // The admin endpoint is up and sees both the database and Temporal.
      const health = await fetch(`${stack.adminUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });

      const sample = await withClient(address, async (client) => {
        // One running invoice workflow per open (or disputed) invoice.
        await waitFor(async () => (await client.workflow.count(RUNNING_INVOICES)).count === scanned, {
          tries: 300,
          what: `${scanned} running invoice workflows`,
        });

        // Filterable by the custom search attributes: by customer…
        const c1: string[] = [];
        for await (const w of client.workflow.list({ query: `WorkflowType = "invoiceWorkflow" AND ArCustomerId = "C0001"` }))
          c1.push(w.workflowId);
        expect(c1.length).toBeGreaterThan(0);
        for (const id of c1) expect(id).toMatch(/^invoice-INV-0001-\d\d$/);
        expect((await client.workflow.count(`ArCustomerId = "C0001"`)).count).toBe(c1.length);

        // …by status, set by the workflows themselves: disputed invoices wait on their dispute.
        const disputedIds = await waitFor(
          async () => {
            const ids: string[] = [];
            for await (const w of client.workflow.list({ query: `WorkflowType = "invoiceWorkflow" AND ArStatus = "disputed"` }))
              ids.push(w.workflowId);
            return ids.length === disputed ? ids : null;
          },
          { tries: 300, what: `${disputed} workflows with ArStatus = "disputed"` },
        );
        for (const id of disputedIds.slice(0, 2))
          expect((await client.workflow.getHandle(id).query(invoiceStateQuery)).status).toBe('disputed');

        // …and awaiting approval (how many depends on the hour: reminders wait for the send window).
        const awaiting = (await client.workflow.count(`ArStatus = "awaiting_approval"`)).count;
        if (awaiting > 0) {
          for await (const w of client.workflow.list({ query: `ArStatus = "awaiting_approval"`, pageSize: 1 })) {
            const st = await client.workflow.getHandle(w.workflowId).query(invoiceStateQuery);
            expect(st.status).toBe('awaiting_approval');
            expect(st.pendingProposal).not.toBeNull();
            break;
          }
        }
        return runIds(client, [...c1.slice(0, 3), ...disputedIds.slice(0, 2)]);
      });
      for (const v of Object.values(sample)) expect(v.status).toBe('RUNNING');
      first = { scanned, sample };

      // `npx ar readiness` while the stack runs: no DATABASE_URL, so it must use the stack file.
      const readiness = await ar(env, 'readiness', '--json');
      expect(readiness.code, readiness.stderr).toBe(0);
      const report = JSON.parse(readiness.stdout) as ReadinessReport;
      expect(report.totals).toMatchObject({ customers: DEMO_CUSTOMERS, openInvoices: invoices });
      // Proof that it went through the stack file: a folder holding only that file (no PGlite of its
      // own, which would be empty) still reports the stack's ledger.
      const onlyStackFile = await mkdtemp(path.join(tmpdir(), 'ar-stack-file-'));
      dirs.push(onlyStackFile);
      copyFileSync(path.join(dataDir, 'stack.json'), path.join(onlyStackFile, 'stack.json'));
      const viaFile = await ar({ ...env, AR_DATA_DIR: onlyStackFile }, 'readiness', '--json');
      expect(viaFile.code, viaFile.stderr).toBe(0);
      expect((JSON.parse(viaFile.stdout) as ReadinessReport).totals).toMatchObject({ customers: DEMO_CUSTOMERS, openInvoices: invoices });
      expect(existsSync(path.join(onlyStackFile, 'pglite')), 'ar opened a database of its own').toBe(false);

      // The stack notices the ledger by itself: an invoice imported now gets its workflow from the
      // ar-ledger-sync schedule within the interval, with no `ar sync`.
      expect(out).toContain(`ledger sync schedule ar-ledger-sync: registered (every ${SYNC_INTERVAL_SECONDS} s)`);
      const customersCsv = path.join(dataDir, 'sync-customers.csv');
      const invoicesCsv = path.join(dataDir, 'sync-invoices.csv');
      writeFileSync(customersCsv, 'customer_id,name,tier,email\nC-SYNC-1,Sync Test Ltd,standard,ap@sync.example\n');
      const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      writeFileSync(
        invoicesCsv,
        `invoice_number,customer_id,issue_date,due_date,currency,amount\nINV-SYNC-1,C-SYNC-1,2026-01-05,${due},USD,410.00\n`,
      );
      for (const [kind, file] of [
        ['customers', customersCsv],
        ['invoices', invoicesCsv],
      ] as const) {
        const imported = await ar(env, 'import', kind, file);
        expect(imported.code, imported.stderr).toBe(0);
      }
      const importedAt = Date.now();
      await withClient(address, async (client) => {
        await waitFor(
          async () => {
            try {
              return (await client.workflow.getHandle('invoice-INV-SYNC-1').describe()).status.name === 'RUNNING';
            } catch {
              return false;
            }
          },
          { tries: 10 * (SYNC_INTERVAL_SECONDS + 20), what: 'the workflow of an invoice imported while the stack runs' },
        );
      });
      const tookSeconds = (Date.now() - importedAt) / 1000;
      // One interval, plus the time a sync itself takes and the schedule's own jitter.
      expect(tookSeconds, `the new invoice waited ${tookSeconds} s for its workflow`).toBeLessThan(SYNC_INTERVAL_SECONDS + 15);
      first.scanned += 1; // the second start finds it running too

      // The Web UI address it prints is the one the README shows (127.0.0.1, as the server binds it).
      expect(out).toContain(`Temporal Web UI   http://127.0.0.1:${ports.ui}/namespaces/default/workflows`);
      const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      expect(readme).toContain('http://127.0.0.1:8233/namespaces/default/workflows');
      expect(readme).not.toMatch(/localhost:8233/);

      // `ar replay` of a workflow that does not exist: a plain message and exit 1, not a TypeError.
      const nope = await ar(env, 'replay', 'invoice-NOPE');
      expect(nope.code, nope.stderr).toBe(1);
      expect(nope.stderr.trim()).toBe(`ar: no such workflow: invoice-NOPE (namespace default at ${address})`);

      await expectStoppedCleanly(s, dataDir, [ports.temporal, ports.ui, ports.admin, dbPort], stack.temporalPid);
      // The shutdown order: stack file, admin, worker, database, Temporal last.
      const order = [...s.output().matchAll(/\[ar\] stopped (.+)/g)].map((m) => m[1]);
      expect(order).toEqual(['stack file', 'admin endpoint', 'worker', 'database pool', 'embedded database', 'Temporal dev server']);
    },
    TIMEOUT,
  );

  it(
    'a second start with the same data folder resumes the same workflow runs',
    async () => {
      expect(first, 'the first start must have passed').toBeDefined();
      const s = startStack(env);
      await waitForOutput(s, /AR automation is running/);
      const out = s.output();
      expect(out).not.toMatch(/loaded the demo ledger/);
      const [scanned, started, alreadyRunning, ended] = out.match(SYNC_LINE)!.slice(1).map(Number);
      expect({ scanned, started, alreadyRunning, ended }).toEqual({
        scanned: first.scanned,
        started: 0,
        alreadyRunning: first.scanned,
        ended: 0,
      });
      expect(out).toContain(`0 workflows started, ${first.scanned} already running`);
      expect(out).toContain(`ledger sync schedule ar-ledger-sync: kept (every ${SYNC_INTERVAL_SECONDS} s)`);

      const stack = JSON.parse(readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackFile;
      expect((await fetch(`${stack.adminUrl}/healthz`)).status).toBe(200);
      await withClient(address, async (client) => {
        expect((await client.workflow.count(RUNNING_INVOICES)).count).toBe(first.scanned);
        // The same executions, not new ones: the run ids survived the restart.
        expect(await runIds(client, Object.keys(first.sample))).toEqual(first.sample);
      });

      await expectStoppedCleanly(
        s,
        dataDir,
        [ports.temporal, ports.ui, ports.admin, Number(new URL(stack.databaseUrl).port)],
        stack.temporalPid,
      );
    },
    TIMEOUT,
  );

  it(
    'npm start killed with SIGKILL: the stack stops itself cleanly, leaving no process, port or stack file',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ar-stack-npm-'));
      dirs.push(dir);
      const p = { temporal: await freePort(), ui: await freePort(), admin: await freePort() };
      const s = startStack(stackEnv(dir, p), 'npm');
      await waitForOutput(s, /AR automation is running/);
      const stack = JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8')) as StackFile;
      expect(stack.pid, 'npm runs the start script as its child').not.toBe(s.child.pid);
      process.kill(s.child.pid!, 'SIGKILL'); // npm only: its child, the start script, is not signalled
      await waitFor(async () => !existsSync(path.join(dir, 'stack.json')) && processesOf(dir).length === 0, {
        tries: 600,
        what: 'the stack to stop after npm was killed',
      });
      expect(s.output()).toMatch(/\[ar\] the launcher \(pid \d+\) exited: stopping…/);
      expect(s.output()).toMatch(/stopped Temporal dev server/);
      expect(s.output()).not.toMatch(/\[ar\] stopping .* failed/);
      for (const port of [p.temporal, p.ui, p.admin, Number(new URL(stack.databaseUrl).port)])
        expect(await canListen(port), `port ${port} is still in use`).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'the start script killed with SIGKILL takes the Temporal dev server with it; the next start comes up',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ar-stack-kill-'));
      dirs.push(dir);
      const p = { temporal: await freePort(), ui: await freePort(), admin: await freePort() };
      const env = stackEnv(dir, p);
      const s = startStack(env);
      await waitForOutput(s, /AR automation is running/);
      const stack = JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8')) as StackFile;
      process.kill(s.child.pid!, 'SIGKILL'); // the start script alone: no handler runs, nothing is stopped in order
      expect(await s.exited).toBeNull();
      // The kernel tells the dev server (PR_SET_PDEATHSIG): it exits and frees its ports without waiting for a next start.
      const since = Date.now();
      await waitFor(async () => gone(stack.temporalPid!) || zombie(stack.temporalPid!), {
        tries: 300,
        what: 'the Temporal dev server to exit',
      });
      for (const port of [p.temporal, p.ui, p.admin]) await waitFor(() => canListen(port), { tries: 100, what: `port ${port} to be free` });
      expect(Date.now() - since).toBeLessThan(30_000);
      expect(processesOf(dir), 'processes still running with this AR_DATA_DIR').toEqual([]);

      // The stale stack file does not stop a new start; the same ledger comes back.
      const again = startStack(env);
      await waitForOutput(again, /AR automation is running/);
      expect(again.output()).not.toMatch(/loaded the demo ledger/);
      const next = JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8')) as StackFile;
      await expectStoppedCleanly(again, dir, [p.temporal, p.ui, p.admin, Number(new URL(next.databaseUrl).port)], next.temporalPid);
    },
    TIMEOUT,
  );

  it(
    'Ctrl-C while it is still starting stops the Temporal dev server too',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ar-stack-early-'));
      dirs.push(dir);
      const p = { temporal: await freePort(), ui: await freePort(), admin: await freePort() };
      const s = startStack(stackEnv(dir, p));
      // The dev server's log file appears when it is spawned, before it answers.
      await waitFor(async () => existsSync(path.join(dir, 'temporal', 'temporal.log')) || s.child.exitCode !== null, {
        tries: 600,
        what: 'the dev server spawned',
      });
      expect(s.output()).not.toMatch(/AR automation is running/);
      await expectStoppedCleanly(s, dir, [p.temporal, p.ui, p.admin], undefined);
      expect(s.output()).not.toMatch(/AR automation is running/);
    },
    TIMEOUT,
  );
});
