/** The OpenAPI 3.1 document, generated from the route declarations and their zod schemas (zod 4's toJSONSchema). */
import { z } from 'zod';
import type { AnyRouteDef } from './route';

type JsonSchema = Record<string, unknown>;

function jsonSchema(s: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z_]+)/g, '{$1}');

function operation(r: AnyRouteDef) {
  const parameters: unknown[] = [];
  for (const [name, description] of Object.entries(r.params ?? {})) {
    parameters.push({ name, in: 'path', required: true, description, schema: { type: 'string', maxLength: 200 } });
  }
  if (r.query) {
    const js = jsonSchema(r.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) {
      parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, description] of Object.entries(r.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' } });
  }
  const auth = r.permission !== 'public';
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(r.responses)) {
    responses[status] = doc.schema
      ? { description: doc.description, content: { 'application/json': { schema: jsonSchema(doc.schema, 'output') } } }
      : { description: doc.description };
  }
  if (auth) responses['401'] ??= { description: 'Missing, unknown or revoked token' };
  if (r.body) responses['413'] ??= { description: 'Body over the size limit' };
  return {
    tags: [r.tag],
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    operationId: `${r.method}${toOpenApiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    ...(auth ? { security: [{ bearer: [] }], 'x-permission': r.permission } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApi(routes: readonly AnyRouteDef[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[toOpenApiPath(r.path)] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'AR autopilot admin API',
      version: '1',
      description:
        'Approvals, invoices and disputes. Authenticate with `Authorization: Bearer <token>` (`ar users add NAME --role viewer|approver|admin`). ' +
        'viewer reads; approver also decides proposals within their limit and logs promises, disputes and payments; admin also pauses, resumes and resolves disputes. ' +
        'Errors are `{ error: { code, message, field?, value?, rule? } }`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
