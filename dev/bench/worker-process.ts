/**
 * The production worker (apps/worker/main.ts) as a child process of a benchmark: its RSS and CPU
 * are its own, apart from the benchmark's client and data, and it can be stopped and started again
 * as a restart in production would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = fileURLToPath(new URL('../../apps/worker/main.ts', import.meta.url));

export interface WorkerProcess {
  pid: number;
  /** What the worker logged at start, e.g. the cache size it chose. */
  startupLog: string;
  /** Everything it has written to stdout so far (the dev email channel logs each send there). */
  output(): string;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const { RESEND_API_KEY: _noRealEmail, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: { ...inherited, AR_SYNC_INTERVAL_SECONDS: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A benchmark stopped with Ctrl-C or killed by a time-out takes its worker with it.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  void exited.then(() => process.off('exit', orphaned));
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  // main.ts prints the cache line right after it starts polling.
  while (!/caching up to/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the worker exited with code ${child.exitCode}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    startupLog: out.trim(),
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM'); // the SDK drains in-flight tasks, then the process exits
      await exited;
    },
  };
}
