/** The kill switch over HTTP: GET /api/sends (anyone signed in), POST /api/sends/pause and /resume (admin). */
import { z } from 'zod';
import { holdSends, readSendsSwitch, releaseSends, wakeHeldOutreach } from '../../../outreach/kill-switch';
import type { AdminDeps } from '../deps';
import type { ApiRouter } from '../route';
import { errorOut, pauseBody, resumeBody, sendsSwitchOut } from '../schemas';

export function registerSendsRoutes(api: ApiRouter, deps: AdminDeps): void {
  api.add({
    method: 'get',
    path: '/api/sends',
    tag: 'sends',
    summary: 'The kill switch: whether every outgoing message is held, since when, by whom and why',
    permission: 'read',
    responses: { 200: { description: 'The switch', schema: sendsSwitchOut } },
    handler: async () => readSendsSwitch(deps.db),
  });

  api.add({
    method: 'post',
    path: '/api/sends/pause',
    tag: 'sends',
    summary: 'Hold every outgoing message, all channels and customers (admin); workflows keep their schedules',
    description: 'Pausing again keeps the first reason and time. Held messages go out after resume, within caps and send windows.',
    permission: 'pause',
    body: pauseBody,
    responses: {
      200: { description: 'The switch, now holding', schema: sendsSwitchOut },
      400: { description: 'No reason', schema: errorOut },
      403: { description: 'Your role may not pause sends', schema: errorOut },
    },
    handler: async ({ user, body }) => holdSends(deps.db, { by: user.name, reason: body.reason }),
  });

  api.add({
    method: 'post',
    path: '/api/sends/resume',
    tag: 'sends',
    summary: 'Release the kill switch (admin): held messages go out, re-checked against caps and send windows',
    permission: 'pause',
    body: resumeBody,
    responses: {
      200: {
        description: 'The switch, released, and how many outreach workflows were woken',
        schema: sendsSwitchOut.extend({ woken: z.number().int() }),
      },
      403: { description: 'Your role may not resume sends', schema: errorOut },
    },
    handler: async ({ user }) => {
      const released = await releaseSends(deps.db, { by: user.name });
      // Outreach re-checks the switch every 10 minutes by itself; waking it makes the release immediate.
      return { ...released, woken: await wakeHeldOutreach(deps.temporal) };
    },
  });
}
