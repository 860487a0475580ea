/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl on a free port, a data dir under the OS
 * temp dir), so a fault test can restart it without touching the shared cluster other suites and
 * other people use. PostgreSQL refuses to run as root: under root the binaries run as the
 * `postgres` user (runuser), which owns the data dir.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth: a loopback server for one test run). */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** An immediate stop (what a crash does: no checkpoint, clients cut off), a pause, and a start. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server's bin dir: PG_BIN, else /usr/lib/postgresql/<version>/bin (Debian). */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error(`no PostgreSQL server binaries under ${root}; install postgresql or set PG_BIN to the dir holding initdb and pg_ctl`);
  return path.join(root, versions[0]!, 'bin');
}

/** Runs a server binary as a user PostgreSQL accepts: ourselves, or `postgres` when we are root. */
function asServerUser(): { wrap(bin: string, args: string[]): [string, string[]]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { wrap: (bin, args) => [bin, args] };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid)
    throw new Error('running as root, and there is no `postgres` user to run initdb and pg_ctl as (PostgreSQL refuses root)');
  return { wrap: (bin, args) => ['runuser', ['-u', 'postgres', '--', bin, ...args]], uid: Number(uid), gid: Number(gid) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const user = asServerUser();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ar-private-pg-'));
  if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
  const port = await freePort();
  const exec = async (name: string, args: string[], timeoutMs: number) => {
    const [cmd, cmdArgs] = user.wrap(path.join(bin, name), args);
    try {
      await run(cmd, cmdArgs, { timeout: timeoutMs });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(
        `${name} ${args.join(' ')} failed: ${(e.stderr || e.message).trim().slice(0, 600)}; server log: ${path.join(dataDir, 'server.log')}`,
      );
    }
  };
  // fsync off: the faults are process crashes, not power cuts; the OS page cache survives them.
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = () =>
    exec('pg_ctl', ['-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-w', '-t', '120', '-o', options, 'start'], 150_000);
  const stopNow = (mode: 'immediate' | 'fast') => exec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);

  await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'], 120_000);
  await start();
  let stopped = false;
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async restart(opts = {}) {
      await stopNow('immediate');
      await new Promise((r) => setTimeout(r, opts.downMs ?? 1_000));
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopNow('fast').catch(() => stopNow('immediate').catch(() => undefined));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
