/**
 * What the Temporal dev server did for a pool of requests, from its Prometheus metrics: the frontend
 * and history requests it served, the tasks it ran and the persistence and visibility operations
 * they cost, by operation. The dev server's CPU is a third of a decision's; this says which calls
 * and writes it went to.
 */

/** Counter totals by `metric operation`, summed over every other label. */
export type ServerCounts = Map<string, number>;

const COUNTERS = new Set(['service_requests', 'persistence_requests', 'visibility_persistence_requests', 'task_requests']);

/** The server reports its counters about once a second: a reading waits that long, so it holds what came before it. */
const REPORT_INTERVAL_MS = 1500;

export async function readServerCounts(metricsUrl: string): Promise<ServerCounts> {
  await new Promise((resolve) => setTimeout(resolve, REPORT_INTERVAL_MS));
  const text = await (await fetch(metricsUrl)).text();
  const counts: ServerCounts = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    // e.g. service_requests{operation="RespondWorkflowTaskCompleted",service_name="frontend",...} 42
    const m = /^([a-z_]+)\{([^}]*)\}\s+([0-9.e+]+)$/.exec(line);
    if (!m || !COUNTERS.has(m[1]!)) continue;
    const labels = m[2]!;
    const operation = /(?:^|,)operation="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const service = /(?:^|,)service_name="([^"]*)"/.exec(labels)?.[1] ?? '';
    const key = `${m[1]} ${service ? `${service} ` : ''}${operation}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[3]));
  }
  return counts;
}

/** The counts per request between two readings, largest first, the ones under 0.05 a request left out. */
export function perRequest(before: ServerCounts, after: ServerCounts, requests: number): [string, number][] {
  const rows: [string, number][] = [];
  for (const [key, n] of after) {
    const d = (n - (before.get(key) ?? 0)) / Math.max(1, requests);
    if (d >= 0.05) rows.push([key, d]);
  }
  return rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
