/** Runs fn over items, `concurrency` at a time, timing each call: throughput and latency percentiles. */
import { performance } from 'node:perf_hooks';
import { forEachBounded } from '../../policy/fanout-page';

export interface PoolResult {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** The p-th percentile (nearest rank) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function timedPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<PoolResult> {
  const ms: number[] = [];
  const start = performance.now();
  await forEachBounded(items, concurrency, async (item) => {
    const t = performance.now();
    await fn(item);
    ms.push(performance.now() - t);
  });
  const seconds = (performance.now() - start) / 1000;
  ms.sort((a, b) => a - b);
  return { count: ms.length, seconds, perSecond: ms.length / seconds, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}
