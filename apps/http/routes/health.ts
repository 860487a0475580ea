/** GET /healthz: is the endpoint up, can it reach PostgreSQL and Temporal, and is the kill switch holding sends? No token needed. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { readSendsSwitch } from '../../../outreach/kill-switch';
import type { AdminDeps } from '../deps';
import type { ApiRouter } from '../route';
import { healthOut } from '../schemas';
import { temporalUp } from '../temporal';

async function databaseUp(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db.execute(sql`select 1`).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoute(api: ApiRouter, deps: AdminDeps): void {
  api.add({
    method: 'get',
    path: '/healthz',
    tag: 'health',
    summary: 'Liveness and dependencies: 200 when PostgreSQL and Temporal answer, 503 otherwise',
    permission: 'public',
    responses: { 200: { description: 'All up', schema: healthOut }, 503: { description: 'A dependency is down', schema: healthOut } },
    handler: async ({ c }) => {
      const [database, temporal] = await Promise.all([databaseUp(deps.db), temporalUp(deps.temporal)]);
      // The kill switch is a deliberate hold, not an outage: it is reported, and health stays 200.
      const switched = database ? await readSendsSwitch(deps.db).catch(() => null) : null;
      const body = {
        ok: database && temporal,
        database: database ? 'up' : 'down',
        temporal: temporal ? 'up' : 'down',
        sends: switched ? (switched.held ? 'held' : 'flowing') : 'unknown',
        ...(switched?.held ? { sendsHeld: { reason: switched.reason ?? '', by: switched.by ?? '', since: switched.since ?? '' } } : {}),
      } as const;
      return c.json(body, body.ok ? 200 : 503);
    },
  });
}
