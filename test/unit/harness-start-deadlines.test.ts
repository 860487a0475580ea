/**
 * Issue 13, defect 10: under load a suite failed in its hook with nothing but "Hook timed out".
 * Every harness start-up now fails on its own deadline, naming the service and where it waited.
 */
import { describe, expect, it } from 'vitest';
import { serverWentAway } from '../../dev/harness/stack';
import { ServiceDidNotStart, startedWithin } from '../../dev/harness/started';

const never = new Promise<never>(() => undefined);

describe('startedWithin', () => {
  it('names the service and the seconds waited when it does not answer in time', async () => {
    const err = await startedWithin('the Temporal dev server at 127.0.0.1:7233', 50, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceDidNotStart);
    expect((err as Error).message).toBe('the Temporal dev server at 127.0.0.1:7233 did not answer within 0 s');
  });

  it("names the service when its start fails, with the start's own error", async () => {
    const err = await startedWithin(
      'the PostgreSQL test database on 127.0.0.1:5432',
      5_000,
      Promise.reject(new Error('ECONNREFUSED')),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^the PostgreSQL test database on 127\.0\.0\.1:5432 did not answer within 5 s: Error: ECONNREFUSED$/,
    );
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('stops a service that comes up after its deadline instead of leaking it', async () => {
    let stopped = false;
    const late = new Promise<{ stop(): void }>((r) => setTimeout(() => r({ stop: () => (stopped = true) }), 80));
    await expect(startedWithin('the ar worker on task queue q', 20, late, (s) => s.stop())).rejects.toThrow(
      /the ar worker on task queue q/,
    );
    await new Promise((r) => setTimeout(r, 120));
    expect(stopped).toBe(true);
  });

  it('hands over a service that starts in time', async () => {
    await expect(startedWithin('x', 1_000, Promise.resolve(42))).resolves.toBe(42);
  });
});

describe('serverWentAway (the stack is started again once)', () => {
  const refused = new Error(
    'Namespace default was not found or otherwise could not be described: Status { code: Unavailable, message: "tcp connect error", source: ConnectError("tcp connect error", 127.0.0.1:42045, Os { code: 111, kind: ConnectionRefused }) }',
  );
  it("is the worker's connection refused by the server that had just answered", () => {
    expect(serverWentAway(new ServiceDidNotStart('the ar worker on task queue q (connecting to 127.0.0.1:42045)', 120_000, refused))).toBe(
      true,
    );
  });
  it('is not a worker that timed out, a server that never started, or another error', () => {
    expect(serverWentAway(new ServiceDidNotStart('the ar worker on task queue q', 120_000))).toBe(false);
    expect(serverWentAway(new ServiceDidNotStart('the Temporal dev server at 127.0.0.1:1', 120_000, refused))).toBe(false);
    expect(serverWentAway(refused)).toBe(false);
  });
});
