/**
 * The collection policy (ladders, caps, send window, no-touch lists, autonomy): read by anyone
 * signed in, published by an admin. Publishing writes a new version (the old ones stay, so every
 * recorded decision still names what it knew) and answers at once; the version's fan-out workflow
 * tells the running invoice and outreach workflows in the background (GET /api/policy/status).
 */
import { desc } from 'drizzle-orm';
import { publishAndFanOut } from '../../../policy/publishing';
import { readPolicyStatus } from '../../../policy/status';
import { schema } from '../../../db/client';
import { currentPolicy } from '../../../policy/store';
import { parsePolicy, PolicyError } from '../../../domain/policy';
import type { AdminDeps } from '../deps';
import { badRequest, conflict } from '../errors';
import type { ApiRouter } from '../route';
import { errorOut, policyOut, policyStatusOut, publishPolicyBody, publishPolicyOut } from '../schemas';

const err = (description: string) => ({ description, schema: errorOut });

export function registerPolicyRoutes(api: ApiRouter, deps: AdminDeps): void {
  const { db, temporal } = deps;
  const taskQueue = deps.config.TEMPORAL_TASK_QUEUE ?? 'ar';

  async function latest() {
    await currentPolicy(db); // seeds the default version on a fresh database
    const [row] = await db.select().from(schema.policies).orderBy(desc(schema.policies.version)).limit(1);
    return row!;
  }

  api.add({
    method: 'get',
    path: '/api/policy',
    tag: 'policy',
    summary: 'The policy in force, with who published it, when and why',
    permission: 'read',
    responses: { 200: { description: 'The current version', schema: policyOut } },
    handler: async () => {
      const row = await latest();
      const { version, ...policy } = parsePolicy(row.version, row.body);
      return { version, note: row.note, createdBy: row.createdBy, createdAt: row.createdAt.toISOString(), policy };
    },
  });

  api.add({
    method: 'get',
    path: '/api/policy/status',
    tag: 'policy',
    summary: 'The version in force and how far its fan-out to the running workflows has got',
    description: 'Read from the database (the fan-out writes its progress there after each page): answers even when Temporal is slow.',
    permission: 'read',
    responses: { 200: { description: 'The version in force and the latest fan-out (null before any)', schema: policyStatusOut } },
    handler: () => readPolicyStatus(db),
  });

  api.add({
    method: 'post',
    path: '/api/policy',
    tag: 'policy',
    summary: 'Publish a new policy version (admin); running workflows are told in the background',
    description:
      'Send the policy object of GET /api/policy, edited, with a note saying why. Give basedOnVersion to be refused (409) ' +
      'if someone published another version since you read it. The answer comes once the version is stored; the ' +
      'policy-fanout-v<version> workflow then signals the running invoice and outreach workflows (follow it with GET /api/policy/status).',
    permission: 'edit_policy',
    body: publishPolicyBody,
    responses: {
      200: {
        description: 'Published; fanOut names the background fan-out, notified counts what it signalled so far (normally 0)',
        schema: publishPolicyOut,
      },
      400: err('The document breaks a rule of the policy schema; nothing was published'),
      403: err('Only admins publish policy'),
      409: err('Another version was published since basedOnVersion'),
    },
    handler: async ({ user, body }) => {
      if (body.basedOnVersion !== undefined) {
        const { version } = await latest();
        if (version !== body.basedOnVersion) {
          throw conflict(`basedOnVersion: policy v${version} was published since v${body.basedOnVersion}; re-read it and edit that`, {
            currentVersion: version,
          });
        }
      }
      const { version: _ignored, ...doc } = body.policy;
      let r: Awaited<ReturnType<typeof publishAndFanOut>>;
      try {
        r = await publishAndFanOut(temporal, db, doc, { note: body.note, createdBy: user.name, taskQueue });
      } catch (e) {
        // A holiday calendar is checked where date-holidays lives (policy/holidays.ts), at publish.
        if (e instanceof PolicyError) throw badRequest(`policy.${e.field}`, e.value, e.rule);
        // Two admins publishing at the same instant both took max(version) + 1: one wins.
        const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
        if (code === '23505') throw conflict('another policy version was published at the same moment; re-read it and try again');
        throw e;
      }
      const { workflowId, status, error } = r.fanOut;
      return { version: r.policy.version, notified: r.fanOut.signalled, fanOut: { workflowId, status, ...(error ? { error } : {}) } };
    },
  });
}
