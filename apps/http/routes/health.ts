/** GET /healthz: is the endpoint up, and can it reach PostgreSQL and Temporal? No token needed. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
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
      const body = { ok: database && temporal, database: database ? 'up' : 'down', temporal: temporal ? 'up' : 'down' } as const;
      return c.json(body, body.ok ? 200 : 503);
    },
  });
}
