/**
 * A process's resident memory and CPU time from /proc (Linux): what `ps` shows, read without
 * spawning it, so a benchmark can sample a child process (the worker, the dev server) cheaply.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK)

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(line[1]) * 1024;
}

/** User + system CPU time consumed so far, in seconds (all threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU% (of one core) and RSS of each pid over one window of `seconds`. */
export async function sampleWindow(pids: number[], seconds: number): Promise<{ cpuPercent: number; rssBytes: number }[]> {
  const before = pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => ({ cpuPercent: (100 * (cpuSeconds(pid) - before[i]!)) / wall, rssBytes: rssBytes(pid) }));
}

/**
 * CPU seconds of every process whose command name starts with `name`, living ones plus the reaped
 * children each has counted (PostgreSQL's backends: not this process's children, but they take the
 * same cores as the worker and the dev server).
 */
export function cpuSecondsOfAll(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

/** The pids of this process's descendants whose command name starts with `name` (the dev server a harness spawned). */
export function descendantPids(name: string, root = process.pid): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    } catch {
      /* gone meanwhile */
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...names].filter(([pid, comm]) => comm.startsWith(name) && descends(pid)).map(([pid]) => pid);
}
