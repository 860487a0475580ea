/**
 * Start-ups with a deadline that names the service: on a loaded machine a suite's hook time-out
 * said only "Hook timed out in 180000ms", not which server never came up. Each harness start-up
 * gets its own deadline, well inside the hook's, and fails with the service and its address.
 */

/** Deadlines for a loaded 2-core machine (the dev server and a worker's workflow bundle are the slow ones). */
export const START_DEADLINES_MS = { temporal: 120_000, database: 90_000, worker: 120_000 } as const;

export class ServiceDidNotStart extends Error {
  constructor(what: string, ms: number, cause?: unknown) {
    super(`${what} did not answer within ${Math.round(ms / 1000)} s${cause ? `: ${String(cause).slice(0, 300)}` : ''}`, { cause });
    this.name = 'ServiceDidNotStart';
  }
}

/**
 * Resolves with the started service, or rejects naming it: on its own error, or when the deadline
 * passes first. A service that comes up after its deadline is shut down by `dispose`, not leaked.
 */
export function startedWithin<T>(what: string, ms: number, start: Promise<T>, dispose?: (late: T) => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new ServiceDidNotStart(what, ms));
    }, ms);
  });
  const started = start.then(
    (service) => {
      if (late && dispose) void Promise.resolve(dispose(service)).catch(() => undefined);
      return service;
    },
    (err: unknown) => {
      throw new ServiceDidNotStart(what, ms, err);
    },
  );
  return Promise.race([started, deadline]).finally(() => clearTimeout(timer));
}
