/**
 * Keeps one fault-worker process running, as a process manager (systemd, Kubernetes) would: when
 * it dies, killed by the test or on its own, a new one starts. kill() is the SIGKILL fault.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FAULT_WORKER = fileURLToPath(new URL('./fault-worker.ts', import.meta.url));

export interface WorkerSupervisor {
  /** Worker processes started so far, the first included. */
  readonly starts: number;
  /** Exits nobody asked for (e.g. the worker gave up while Temporal was down). */
  readonly ownExits: number;
  /** Resolves once the current process has connected and polls. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL to the running worker; the supervisor starts a new one. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function superviseWorker(args: {
  address: string;
  taskQueue: string;
  databaseUrl: string;
  resendBaseUrl: string;
  bundlePath: string;
}): WorkerSupervisor {
  let child: ChildProcess | null = null;
  let isReady = false;
  let stopping = false;
  let killing = false;
  let starts = 0;
  let ownExits = 0;

  const launch = () => {
    starts++;
    isReady = false;
    const c = spawn(
      process.execPath,
      ['--import', 'tsx', FAULT_WORKER, args.address, args.taskQueue, args.databaseUrl, args.resendBaseUrl, args.bundlePath],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = c;
    c.stdout!.on('data', (d) => {
      if (String(d).includes('READY')) isReady = true;
    });
    c.once('exit', () => {
      if (child !== c) return;
      child = null;
      if (stopping) return;
      if (!killing) ownExits++;
      killing = false;
      setTimeout(() => stopping || launch(), 300);
    });
  };
  launch();

  return {
    get starts() {
      return starts;
    },
    get ownExits() {
      return ownExits;
    },
    async ready(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(isReady && child)) {
        if (Date.now() > deadline) throw new Error(`the worker process did not start polling within ${Math.round(timeoutMs / 1000)} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      const c = child;
      if (!c) return;
      killing = true;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
    async stop() {
      stopping = true;
      const c = child;
      if (!c) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
  };
}
