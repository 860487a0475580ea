import { describe, expect, it } from 'vitest';
import { CACHED_WORKFLOW_BYTES, chooseMaxCachedWorkflows } from '../../apps/worker/cache-size';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('the worker cache size', () => {
  it('keeps WORKER_MAX_CACHED_WORKFLOWS when it is set, 0 (no cache) included', () => {
    const mem = { totalBytes: 64 * GiB, availableBytes: 60 * GiB, heapLimitBytes: 4 * GiB };
    expect(chooseMaxCachedWorkflows(mem, 250)).toEqual({ maxCachedWorkflows: 250, why: 'WORKER_MAX_CACHED_WORKFLOWS' });
    expect(chooseMaxCachedWorkflows(mem, 0).maxCachedWorkflows).toBe(0);
  });

  it('is bounded by the V8 heap on a big machine, where the cached workflows live', () => {
    const c = chooseMaxCachedWorkflows({ totalBytes: 64 * GiB, availableBytes: 60 * GiB, heapLimitBytes: 4 * GiB }, undefined, 1 * MiB);
    expect(c.maxCachedWorkflows).toBe(4096 - 512);
    expect(c.why).toContain('V8 heap limit');
  });

  it('leaves the rest of a small machine alone: half its memory, most of what is free', () => {
    const small = chooseMaxCachedWorkflows({ totalBytes: 2 * GiB, availableBytes: 1.9 * GiB, heapLimitBytes: 4 * GiB }, undefined, 1 * MiB);
    expect(small.maxCachedWorkflows).toBe(1024);
    expect(small.why).toContain('50% of 2.0 GiB total');
    const busy = chooseMaxCachedWorkflows({ totalBytes: 16 * GiB, availableBytes: 1 * GiB, heapLimitBytes: 4 * GiB }, undefined, 1 * MiB);
    expect(busy.maxCachedWorkflows).toBe(Math.floor(0.6 * 1024));
    expect(busy.why).toContain('available');
  });

  it('never goes below the SDK floor of 10, even with no memory to spare', () => {
    expect(
      chooseMaxCachedWorkflows({ totalBytes: 256 * MiB, availableBytes: 10 * MiB, heapLimitBytes: 256 * MiB }).maxCachedWorkflows,
    ).toBe(10);
  });

  it('grows with memory at the measured cost per cached workflow', () => {
    const at = (availableGiB: number) =>
      chooseMaxCachedWorkflows({ totalBytes: 64 * GiB, availableBytes: availableGiB * GiB, heapLimitBytes: 64 * GiB }).maxCachedWorkflows;
    expect(at(2)).toBe(Math.floor((0.6 * 2 * GiB) / CACHED_WORKFLOW_BYTES));
    expect(at(4)).toBeGreaterThan(at(2));
  });
});
