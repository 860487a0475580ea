/** Polls a condition, advancing the time-skipping server's clock between polls when given one. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  opts: { env?: TestWorkflowEnvironment; advance?: string | number; tries?: number; what?: string } = {},
): Promise<T> {
  const tries = opts.tries ?? 200;
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v) return v;
    if (opts.env && opts.advance !== undefined && opts.env.supportsTimeSkipping) await opts.env.sleep(opts.advance as never);
    else await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
}

/** The test server's calendar date (UTC): with time skipping it runs ahead of the test process clock. */
export async function serverToday(env: TestWorkflowEnvironment): Promise<string> {
  return new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
}
