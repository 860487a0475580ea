/**
 * Every error the endpoint returns has one JSON shape:
 *   { error: { code, message, field?, value?, rule?, ...extra } }
 * Bad input (400) always names the field, the value received and the rule it broke.
 */
import type { z } from 'zod';
import { MoneyError } from '../../domain/money';
import { clipValue } from '../../domain/text';

type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'unavailable'
  | 'timeout'
  | 'internal';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
  value?: unknown;
  rule?: string;
  [extra: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503 | 504,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'HttpError';
  }
}

/**
 * Values echoed back in errors are cut short (domain/text.ts clipValue): an error must never be
 * bigger than the request, and a deeply nested value is previewed without recursion.
 */
export function badRequest(field: string, value: unknown, rule: string): HttpError {
  const clipped = clipValue(value);
  const shown = value === undefined ? 'missing' : JSON.stringify(clipped);
  return new HttpError(400, {
    code: 'invalid_request',
    field,
    value: clipped ?? null,
    rule,
    message: `${field}: ${shown} ${rule}`,
  });
}

export const unauthorized = (message: string) =>
  new HttpError(401, { code: 'unauthorized', message }, { 'WWW-Authenticate': 'Bearer realm="ar-admin"' });
export const forbidden = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(403, { code: 'forbidden', message, ...extra });
export const notFound = (message: string) => new HttpError(404, { code: 'not_found', message });
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(409, { code: 'conflict', message, ...extra });
export const unprocessable = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(422, { code: 'unprocessable', message, ...extra });

/** Seconds a client should wait before retrying after a 503 (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

/** PostgreSQL is out of reach (db/unavailable.ts says which errors mean that): a 503 with Retry-After. */
export const databaseUnavailable = () =>
  new HttpError(
    503,
    {
      code: 'unavailable',
      message: `the database is unavailable; retry in ${RETRY_AFTER_SECONDS} seconds`,
      retryable: true,
    },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** zod's built-in messages read like "Too small: expected …": rewrite them as rules. */
const GENERIC = /^(Invalid input|Too small|Too big|Invalid option|Unrecognized key|Invalid string|Invalid)/;

function ruleOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.message && !GENERIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? 'is required'
        : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${describeType(value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return issue.message || 'is invalid';
  }
}

/** The first problem in a zod error as a 400 naming field, value and rule (the describeZodError format). */
export function fromZodError(error: z.ZodError, input: unknown, prefix = ''): HttpError {
  const issue = error.issues[0]!;
  const join = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const path = [...issue.path, key];
    return badRequest(join(path), valueAt(input, path), 'is not a known field');
  }
  const value = valueAt(input, issue.path);
  return badRequest(join(issue.path), value, ruleOf(issue, value));
}

export function fromMoneyError(e: MoneyError): HttpError {
  return badRequest(e.field, e.value, e.rule);
}

export function errorResponse(e: HttpError): Response {
  return new Response(JSON.stringify({ error: e.body }), {
    status: e.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...e.headers },
  });
}
