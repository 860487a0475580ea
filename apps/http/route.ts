/**
 * One way to declare a route: its method, path, permission and zod schemas. The declaration
 * drives both the request pipeline (authenticate → authorise → parse → validate → handler) and
 * the OpenAPI document, so the documentation cannot drift from what the code accepts.
 * A handler only ever sees input that passed its schemas: bad input never reaches a workflow.
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { authenticate } from './auth';
import { badRequest, fromZodError, HttpError } from './errors';
import { requirePermission, type AuthUser, type Permission } from '../../access/roles';
import { clipText, controlCharacterRule } from '../../domain/text';

export type AdminEnv = { Variables: { user?: AuthUser } };

interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
}

export interface RouteDef<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, Auth extends boolean> {
  method: 'get' | 'post';
  /** Hono path, e.g. /api/approvals/:id/approve */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** 'public' routes need no token. */
  permission: Permission | 'public';
  params?: Record<string, string>;
  query?: Q;
  body?: B;
  /** Header-carried options worth documenting (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
  responses: Record<number, ResponseDoc>;
  handler: (input: {
    c: Context<AdminEnv>;
    user: Auth extends true ? AuthUser : AuthUser | undefined;
    params: Record<string, string>;
    query: Q extends z.ZodType ? z.output<Q> : undefined;
    body: B extends z.ZodType ? z.output<B> : undefined;
  }) => Promise<Response | object>;
}

export type AnyRouteDef = RouteDef<z.ZodType | undefined, z.ZodType | undefined, boolean>;

function parseJsonText(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest('(body)', clipText(text, 60), `is not valid JSON (${clipText((e as Error).message)})`);
  }
}

async function readBody(c: Context<AdminEnv>, schema: z.ZodType): Promise<unknown> {
  const type = c.req.header('content-type');
  // JSON, or text/plain (what fetch() sends for a string body); forms and uploads are not this API.
  if (type && !/^(application\/([a-z.+-]*\+)?json|text\/plain)\b/i.test(type)) {
    throw new HttpError(415, {
      code: 'unsupported_media_type',
      message: `content-type: ${JSON.stringify(clipText(type))} is not supported; send application/json`,
    });
  }
  const input = parseJsonText(await c.req.text());
  refuseControlCharacters(input);
  const r = schema.safeParse(input);
  if (!r.success) throw fromZodError(r.error, input);
  return r.data;
}

/**
 * Every string in a request (and every key) is checked for control characters before any schema
 * or handler sees it: PostgreSQL refuses U+0000, and a value it refuses must never reach a
 * workflow. Walked with an explicit stack, so a deeply nested body cannot overflow the call stack.
 */
function refuseControlCharacters(input: unknown, root = ''): void {
  const stack: [unknown, string][] = [[input, root]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const rule = controlCharacterRule(value);
      if (rule) throw badRequest(path || '(body)', value, rule);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}.${i}`.replace(/^\./, '')]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const at = path ? `${path}.${k}` : k;
        const keyRule = controlCharacterRule(k);
        if (keyRule) throw badRequest(at, k, keyRule);
        stack.push([v, at]);
      }
    }
  }
}

function readQuery(c: Context<AdminEnv>, schema: z.ZodType): unknown {
  const all = c.req.queries();
  const input: Record<string, string> = {};
  for (const [k, vs] of Object.entries(all)) {
    if (vs.length > 1) throw badRequest(k, vs, 'must be given at most once');
    input[k] = vs[0]!;
  }
  refuseControlCharacters(input);
  const r = schema.safeParse(input);
  if (!r.success) throw fromZodError(r.error, input);
  return r.data;
}

export class ApiRouter {
  readonly routes: AnyRouteDef[] = [];

  constructor(
    private readonly app: Hono<AdminEnv>,
    private readonly db: Db,
  ) {}

  add<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    def: RouteDef<B, Q, true> & { permission: Permission },
  ): void;
  add<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    def: RouteDef<B, Q, false> & { permission: 'public' },
  ): void;
  add(def: AnyRouteDef): void {
    this.routes.push(def);
    this.app.on(def.method.toUpperCase(), def.path, async (c) => {
      let user: AuthUser | undefined;
      if (def.permission !== 'public') {
        user = await authenticate(this.db, c.req.header('authorization'));
        c.set('user', user);
        requirePermission(user, def.permission);
      }
      const params = c.req.param() as Record<string, string>;
      for (const [name, v] of Object.entries(params)) refuseControlCharacters(v, name);
      const query = def.query ? readQuery(c, def.query) : undefined;
      const body = def.body ? await readBody(c, def.body) : undefined;
      const out = await def.handler({ c, user, params, query, body } as never);
      return out instanceof Response ? out : c.json(out);
    });
  }
}
