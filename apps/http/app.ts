/**
 * The admin endpoint as a Hono app: testable with app.request(), served by admin/server.ts.
 *
 *   /               approvals page (static shell; signs in with a token)
 *   /healthz        liveness + PostgreSQL + Temporal (public)
 *   /openapi.json   the API description (public: static, holds no data)
 *   /api/...        JSON API, bearer token per user (see admin/roles.ts)
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AdminDeps } from './deps';
import { databaseUnavailable, errorResponse, forbidden, HttpError, notFound } from './errors';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { AccessError } from '../../access/errors';
import { buildOpenApi } from './openapi';
import { ApiRouter, type AdminEnv } from './route';
import { registerApprovalRoutes } from './routes/approvals';
import { registerCashRoutes } from './routes/cash';
import { registerCustomerRoutes } from './routes/customers';
import { registerDisputeRoutes } from './routes/disputes';
import { registerExplainRoute } from './routes/explain';
import { registerHealthRoute } from './routes/health';
import { registerInvoiceRoutes } from './routes/invoices';
import { registerMeRoute } from './routes/me';
import { registerMetricsRoutes } from './routes/metrics';
import { registerPageRoutes } from './routes/page';
import { registerPolicyRoutes } from './routes/policy';
import { registerRolloutRoutes } from './routes/rollout';
import { registerSendsRoutes } from './routes/sends';
import { registerWebhookRoutes } from './routes/webhooks';
import { clipText } from '../../domain/text';

export type { AdminDeps } from './deps';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function createAdminApp(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBody,
      onError: () =>
        errorResponse(new HttpError(413, { code: 'payload_too_large', message: `(body): larger than the limit of ${maxBody} bytes` })),
    }),
  );

  const api = new ApiRouter(app, deps.db);
  registerHealthRoute(api, deps);
  registerMeRoute(api);
  registerApprovalRoutes(api, deps);
  registerInvoiceRoutes(api, deps);
  registerExplainRoute(api, deps);
  registerDisputeRoutes(api, deps);
  registerCashRoutes(api, deps);
  registerCustomerRoutes(api, deps);
  registerPolicyRoutes(api, deps);
  registerSendsRoutes(api, deps);
  registerMetricsRoutes(api, deps);
  registerRolloutRoutes(api, deps);
  registerPageRoutes(app);
  registerWebhookRoutes(app, deps);

  const openapi = buildOpenApi(api.routes);
  app.get('/openapi.json', (c) => c.json(openapi));

  app.notFound((c) => errorResponse(notFound(`no route ${clipText(c.req.method, 20)} ${clipText(c.req.path)}`)));
  app.onError((err) => {
    if (err instanceof AccessError) return errorResponse(forbidden(err.message, err.details));
    if (err instanceof HttpError) {
      if (err.status >= 500) console.error(`[admin] ${err.body.message}`);
      return errorResponse(err);
    }
    if (isDatabaseUnavailable(err)) {
      console.error(`[admin] database unavailable: ${err.message}`);
      return errorResponse(databaseUnavailable());
    }
    console.error('[admin] unexpected error:', err);
    return errorResponse(new HttpError(500, { code: 'internal', message: 'internal error; see the server log' }));
  });
  return app;
}
