/**
 * Receivables metrics for finance leads (viewer role): the figures of `ar metrics --json`, as of
 * any date, from the ledger alone.
 */
import { utcDate } from '../../../domain/calendar';
import { metricsReport } from '../../../insights/metrics';
import { loadMetricFacts } from '../../../ledger/read-models/metric-facts';
import type { AdminDeps } from '../deps';
import { badRequest } from '../errors';
import type { ApiRouter } from '../route';
import { decisionReport, endOfUtcDay } from '../../../insights/decision-report';
import { listSnapshots } from '../../../insights/snapshots';
import {
  decisionMetricsOut,
  decisionMetricsQuery,
  errorOut,
  metricsHistoryOut,
  metricsHistoryQuery,
  metricsOut,
  metricsQuery,
} from '../schemas';

export function registerMetricsRoutes(api: ApiRouter, deps: AdminDeps): void {
  api.add({
    method: 'get',
    path: '/api/metrics',
    tag: 'metrics',
    summary: 'Aging, DSO (standard and countback), CEI and cash collected per currency, as of a date',
    description: 'asOf defaults to today (UTC), from to the first day of the as-of month, dsoDays to 90: the options of `ar metrics`.',
    permission: 'read',
    query: metricsQuery,
    responses: { 200: { description: 'The metrics', schema: metricsOut }, 400: { description: 'A bad option', schema: errorOut } },
    handler: async ({ query }) => {
      const asOf = query.asOf ?? utcDate(deps.now?.() ?? new Date());
      if (query.from !== undefined && query.from > asOf) throw badRequest('from', query.from, `must not be after asOf ${asOf}`);
      return metricsReport(await loadMetricFacts(deps.db, asOf), { asOf, from: query.from, dsoDays: query.dsoDays });
    },
  });

  api.add({
    method: 'get',
    path: '/api/metrics/decisions',
    tag: 'metrics',
    summary: 'Approval, edit, rejection and autonomous rates per scope, with Wilson 95% intervals, and the tuning table',
    description: 'The options of `ar metrics decisions`: asOf (a date; the window ends with it) and windowDays (default 30).',
    permission: 'read',
    query: decisionMetricsQuery,
    responses: {
      200: { description: 'The decision metrics', schema: decisionMetricsOut },
      400: { description: 'A bad option', schema: errorOut },
    },
    handler: async ({ query }) =>
      decisionReport(deps.db, {
        asOf: query.asOf ? endOfUtcDay(query.asOf) : (deps.now?.() ?? new Date()),
        windowDays: query.windowDays,
      }),
  });

  api.add({
    method: 'get',
    path: '/api/metrics/history',
    tag: 'metrics',
    summary: 'Stored snapshots (daily and baselines), newest first: the trend of DSO and CEI',
    permission: 'read',
    query: metricsHistoryQuery,
    responses: { 200: { description: 'The snapshots', schema: metricsHistoryOut }, 400: { description: 'A bad option', schema: errorOut } },
    handler: async ({ query }) => ({ items: await listSnapshots(deps.db, { kind: query.kind, limit: query.limit }) }),
  });
}
