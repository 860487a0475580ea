/**
 * How many workflows the worker keeps cached. A cached workflow answers its next task without a
 * replay; an evicted one is replayed from history when it wakes, so the cache trades memory for
 * CPU. The SDK's default follows only the V8 heap limit; this one also leaves room for the rest of
 * the machine, from a measured cost per cached invoice workflow (npm run bench:worker-memory).
 * WORKER_MAX_CACHED_WORKFLOWS overrides it.
 */
import os from 'node:os';
import v8 from 'node:v8';

const MiB = 1024 * 1024;

/**
 * RSS per cached invoice workflow, from `npm run bench:worker-memory` with the worker's shared
 * modules (BENCH_INVOICES=1000, all cached: 263 KiB of RSS, 135 KiB of it workflow-thread heap;
 * bench:scale 252 KiB with 2,000), doubled for workflows further along their lifecycle than a
 * first sleep (README, Capacity). It was 1.6 MiB while every workflow evaluated zod for itself.
 */
export const CACHED_WORKFLOW_BYTES = 0.5 * MiB;

export interface MemoryFacts {
  /** Physical memory, or the cgroup limit when one is set (a container). */
  totalBytes: number;
  /** What the OS could give us now without swapping (MemAvailable). */
  availableBytes: number;
  /** The V8 heap limit: the workflow thread, where cached workflows live, has the same one. */
  heapLimitBytes: number;
}

export interface CacheChoice {
  maxCachedWorkflows: number;
  /** One line for the worker's start-up log: the value and where it came from. */
  why: string;
}

// Half the machine, most of what is free, and the heap less what the workflow code itself needs.
const TOTAL_SHARE = 0.5;
const AVAILABLE_SHARE = 0.6;
const HEAP_RESERVE_BYTES = 512 * MiB;
// The SDK's own floor: below it a burst of tasks would evict what it is about to reuse.
const MIN_CACHED = 10;

export function chooseMaxCachedWorkflows(mem: MemoryFacts, override?: number, perWorkflowBytes = CACHED_WORKFLOW_BYTES): CacheChoice {
  if (override !== undefined) return { maxCachedWorkflows: override, why: 'WORKER_MAX_CACHED_WORKFLOWS' };
  const limits = [
    { name: `${TOTAL_SHARE * 100}% of ${gib(mem.totalBytes)} total`, bytes: mem.totalBytes * TOTAL_SHARE },
    { name: `${AVAILABLE_SHARE * 100}% of ${gib(mem.availableBytes)} available`, bytes: mem.availableBytes * AVAILABLE_SHARE },
    {
      name: `the ${gib(mem.heapLimitBytes)} V8 heap limit less ${HEAP_RESERVE_BYTES / MiB} MiB`,
      bytes: mem.heapLimitBytes - HEAP_RESERVE_BYTES,
    },
  ];
  const tightest = limits.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  const value = Math.max(MIN_CACHED, Math.floor(tightest.bytes / perWorkflowBytes));
  return {
    maxCachedWorkflows: value,
    why: `${tightest.name} at ${(perWorkflowBytes / MiB).toFixed(2)} MiB per cached workflow`,
  };
}

/** This machine's (or container's) memory, as chooseMaxCachedWorkflows reads it. */
export function machineMemory(): MemoryFacts {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = os.totalmem();
  return {
    // constrainedMemory() is 0, or a huge number, when no cgroup limit is set.
    totalBytes: constrained > 0 && constrained < total ? constrained : total,
    availableBytes: os.freemem(),
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
  };
}

function gib(bytes: number): string {
  return `${(bytes / 1024 / MiB).toFixed(1)} GiB`;
}
