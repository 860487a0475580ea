/**
 * The Temporal dev server as a child process: persistent SQLite file, Web UI, the project's
 * search attributes registered. Started in its own process group so Ctrl-C reaches us first and
 * the worker drains before the server stops. On Linux it also dies with us when we are killed
 * outright (SIGKILL, the OOM killer), instead of holding the ports until the next start reaps it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeCliArgs } from '../../temporal/search-attributes';

export interface DevServer {
  pid: number;
  address: string;
  uiPort: number;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * The server exited at start because one of its ports was taken: a port picked free a moment
 * earlier can be bound by someone else before the server binds it, so a caller that picked the
 * ports may pick again.
 */
export class DevServerPortTaken extends Error {
  constructor(
    readonly address: string,
    readonly logFile: string,
  ) {
    super(`the Temporal dev server for ${address} could not bind one of its ports (address already in use); see ${logFile}`);
    this.name = 'DevServerPortTaken';
  }
}

export async function startTemporalDevServer(opts: {
  binary: string;
  dataDir: string;
  address: string;
  uiPort: number;
  namespace: string;
}): Promise<DevServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  const [host, portText] = splitAddress(opts.address);
  const logFile = path.join(opts.dataDir, 'temporal.log');
  // The log is appended across restarts: only what this start writes can tell why it failed.
  const logOffset = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(opts.dataDir, 'temporal.sqlite'),
    '--ip',
    host,
    '--port',
    portText,
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...searchAttributeCliArgs().flatMap((a) => ['--search-attribute', a]),
  ];
  const [command, commandArgs] = dieWithParent(opts.binary, args);
  const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  // Two sources into one file: neither may end it (the first to end used to close the log before
  // the other's last lines, the "address already in use" among them, were written).
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const outputDone = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise<void>((r) => s.once('close', () => r()))));
  /** Ends the log once both streams have delivered what the process wrote (bounded: a grandchild may hold them). */
  const endLog = async () => {
    await Promise.race([outputDone, new Promise((r) => setTimeout(r, 2000))]);
    await new Promise<void>((resolve) => log.end(resolve));
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Its own process group means no signal of ours reaches it: if this process ends without stop()
  // (an uncaught error, process.exit mid-start), take it down rather than leave it holding the ports.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  try {
    await waitUntilServing(opts.address, child, exited, logFile);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    await endLog();
    if (readFileSync(logFile).subarray(logOffset).toString('utf8').includes('address already in use'))
      throw new DevServerPortTaken(opts.address, logFile);
    throw err;
  }
  return {
    pid: child.pid!,
    address: opts.address,
    uiPort: opts.uiPort,
    uiUrl: `http://${host === '0.0.0.0' ? 'localhost' : host}:${opts.uiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      await endLog();
    },
  };
}

/**
 * Linux: run the binary through util-linux's setpriv, which sets PR_SET_PDEATHSIG and then execs
 * it (same pid, no wrapper process): the kernel sends it SIGTERM when this process dies, however
 * it dies. Elsewhere, or without setpriv, the next start reaps a left-behind server (db/open.ts).
 */
function dieWithParent(binary: string, args: string[]): [string, string[]] {
  if (process.platform !== 'linux') return [binary, args];
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  return setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', binary, ...args]] : [binary, args];
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  if (i < 0) throw new Error(`TEMPORAL_ADDRESS=${JSON.stringify(address)} must be host:port`);
  const host = address.slice(0, i);
  return [host === 'localhost' ? '127.0.0.1' : host, address.slice(i + 1)];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

async function waitUntilServing(address: string, child: ChildProcess, exited: Promise<number | null>, logFile: string): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`the Temporal dev server exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within 60 s; see ${logFile}`);
}
