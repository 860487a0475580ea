/** GET /api/me: who the token belongs to and what they may do (the page uses it to sign in). */
import { moneyOf } from '../deps';
import { can, PERMISSIONS } from '../../../access/roles';
import type { ApiRouter } from '../route';
import { errorOut, meOut } from '../schemas';

export function registerMeRoute(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/api/me',
    tag: 'users',
    summary: 'The signed-in user, their role, approval limits and permissions',
    permission: 'read',
    responses: { 200: { description: 'The user', schema: meOut }, 401: { description: 'Bad token', schema: errorOut } },
    handler: async ({ user }) => ({
      name: user.name,
      role: user.role,
      limits: user.limits ? user.limits.map((l) => moneyOf(l.minor, l.currency)) : null,
      limit: user.limits ? moneyOf(user.limits[0]!.minor, user.limits[0]!.currency) : null,
      permissions: PERMISSIONS.filter((p) => can(user, p)),
    }),
  });
}
