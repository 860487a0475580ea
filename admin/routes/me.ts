/** GET /api/me: who the token belongs to and what they may do (the page uses it to sign in). */
import { moneyOf } from '../deps';
import { can, PERMISSIONS } from '../roles';
import type { ApiRouter } from '../route';
import { errorOut, meOut } from '../schemas';

export function registerMeRoute(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/api/me',
    tag: 'users',
    summary: 'The signed-in user, their role, approval limit and permissions',
    permission: 'read',
    responses: { 200: { description: 'The user', schema: meOut }, 401: { description: 'Bad token', schema: errorOut } },
    handler: async ({ user }) => ({
      name: user.name,
      role: user.role,
      limit: user.limit ? moneyOf(user.limit.minor, user.limit.currency) : null,
      permissions: PERMISSIONS.filter((p) => can(user, p)),
    }),
  });
}
