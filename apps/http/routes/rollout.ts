/**
 * Earned autonomy over HTTP: anyone signed in reads the rollout and the review queue; approvers
 * mark sampled autonomous actions right or wrong; admins evaluate, hold, resume, advance (with
 * force past unmet criteria) and roll back, through the ar-rollout workflow's Updates.
 */
import type { UpdateDefinition } from '@temporalio/common';
import {
  type AdvanceRequest,
  advanceRolloutUpdate,
  type ControlRequest,
  evaluateRolloutUpdate,
  holdRolloutUpdate,
  ROLLOUT_WORKFLOW_ID,
  type RolloutDecision,
  resumeRolloutUpdate,
  rollbackRolloutUpdate,
  rolloutStateQuery,
} from '../../../rollout/messages';
import { listReviews, markReview, ReviewError, type ReviewRow } from '../../../rollout/review-queue';
import { rolloutStatus } from '../../../rollout/status';
import type { AdminDeps } from '../deps';
import { conflict, HttpError, notFound } from '../errors';
import type { ApiRouter } from '../route';
import { errorOut } from '../schemas';
import {
  reviewMarkBody,
  reviewOut,
  reviewsOut,
  reviewsQuery,
  rolloutAdvanceBody,
  rolloutControlBody,
  rolloutDecisionOut,
  rolloutEvaluateBody,
  rolloutStatusOut,
} from '../rollout-schemas';
import { executeUpdate, queryIfRunning } from '../temporal';

const err = (description: string) => ({ description, schema: errorOut });
/** The rollout's refusals that say its state does not allow the request now (the rest: the request is wrong). */
const STATE_REFUSALS = new Set(['AlreadyHeld', 'NotHeld', 'LastPhase', 'FirstPhase', 'CriteriaUnmet']);

const reviewView = (r: ReviewRow) => ({
  id: r.id,
  auditKey: r.auditKey,
  invoiceNumber: r.invoiceNumber,
  customerId: r.customerId,
  scopeId: r.scopeId,
  policyVersion: r.policyVersion,
  subject: r.subject,
  reasoning: r.reasoning,
  sampledAt: r.sampledAt.toISOString(),
  verdict: r.verdict,
  kind: r.kind,
  reason: r.reason,
  reviewedBy: r.reviewedBy,
  reviewedAt: r.reviewedAt?.toISOString() ?? null,
});

export function registerRolloutRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { db, temporal } = deps;

  async function update<A>(def: UpdateDefinition<RolloutDecision, [A]>, arg: A): Promise<RolloutDecision> {
    try {
      return await executeUpdate(temporal, ROLLOUT_WORKFLOW_ID, def, [arg], { timeoutMs: deps.updateTimeoutMs });
    } catch (e) {
      const type = e instanceof HttpError ? (e.body as { failureType?: string }).failureType : undefined;
      if (type && STATE_REFUSALS.has(type)) throw conflict((e as HttpError).body.message, { failureType: type });
      throw e;
    }
  }

  api.add({
    method: 'get',
    path: '/api/rollout',
    tag: 'rollout',
    summary: 'The rollout: phase and scopes in force, evidence per scope against its criteria, the timeline of decisions, the review queue',
    permission: 'read',
    responses: { 200: { description: 'The rollout status', schema: rolloutStatusOut } },
    handler: async () => {
      const state = await queryIfRunning(temporal, ROLLOUT_WORKFLOW_ID, rolloutStateQuery);
      return rolloutStatus(db, { state, now: deps.now?.() ?? new Date() });
    },
  });

  const decided = {
    200: { description: 'The decision, as recorded in autonomy_changes', schema: rolloutDecisionOut },
    400: err('A bad request body'),
    403: err('Only admins control the rollout'),
    409: err('The rollout does not allow it now (held, last or first phase, criteria unmet without force), or ar-rollout is not running'),
    422: err('The workflow refused the request'),
  };

  api.add({
    method: 'post',
    path: '/api/rollout/evaluate',
    tag: 'rollout',
    summary: 'Evaluate now (admin): measure every scope and promote, demote or stay, as the daily evaluation does',
    permission: 'control_rollout',
    body: rolloutEvaluateBody,
    responses: decided,
    handler: async ({ user }) => update(evaluateRolloutUpdate, { by: user.name }),
  });

  const controls: [string, UpdateDefinition<RolloutDecision, [ControlRequest]>, string][] = [
    ['hold', holdRolloutUpdate, 'Hold the rollout (admin): no promotion until resumed; demotion still applies'],
    ['resume', resumeRolloutUpdate, 'Resume a held rollout (admin)'],
    ['rollback', rollbackRolloutUpdate, 'Roll back one phase (admin): a new policy version, invoices re-plan'],
  ];
  for (const [name, def, summary] of controls) {
    api.add({
      method: 'post',
      path: `/api/rollout/${name}`,
      tag: 'rollout',
      summary,
      permission: 'control_rollout',
      body: rolloutControlBody,
      responses: decided,
      handler: async ({ user, body }) => update(def, { by: user.name, note: body.note }),
    });
  }

  api.add({
    method: 'post',
    path: '/api/rollout/advance',
    tag: 'rollout',
    summary: 'Advance one phase by hand (admin); past unmet criteria it needs force: true and is recorded as forced',
    permission: 'control_rollout',
    body: rolloutAdvanceBody,
    responses: decided,
    handler: async ({ user, body }) => update<AdvanceRequest>(advanceRolloutUpdate, { by: user.name, note: body.note, force: body.force }),
  });

  api.add({
    method: 'get',
    path: '/api/rollout/reviews',
    tag: 'rollout',
    summary: 'The review queue: sampled autonomous actions, open (default), reviewed or all',
    permission: 'read',
    query: reviewsQuery,
    responses: { 200: { description: 'Newest first', schema: reviewsOut }, 400: err('A bad option') },
    handler: async ({ query }) => ({ items: (await listReviews(db, { status: query.status })).map(reviewView) }),
  });

  api.add({
    method: 'post',
    path: '/api/rollout/reviews/:id',
    tag: 'rollout',
    summary: 'Mark a sampled autonomous action right or wrong, with a reason (approver); wrong marks feed demotion',
    permission: 'review',
    params: { id: 'The review id' },
    body: reviewMarkBody,
    responses: {
      200: { description: 'The review, marked', schema: reviewOut },
      400: err('A bad body'),
      404: err('No such review'),
      409: err('Already reviewed'),
    },
    handler: async ({ user, params, body }) => {
      const id = Number(params.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw notFound(`review ${params.id} does not exist`);
      try {
        return reviewView(await markReview(db, id, { ...body, by: user.name }));
      } catch (e) {
        if (e instanceof ReviewError) throw e.code === 'not_found' ? notFound(e.message) : conflict(e.message);
        throw e;
      }
    },
  });
}
