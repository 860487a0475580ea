/**
 * Talking to invoice workflows: Updates and the state Query, with Temporal's failures mapped to
 * HTTP answers. A validator's refusal because of the workflow's state is a 409; a refusal of the
 * message itself is a 422, with the workflow's own words; an unreachable server is a 503.
 */
import {
  ApplicationFailure,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { conflict, HttpError, RETRY_AFTER_SECONDS, unprocessable } from './errors';
import { refusalKind } from '../../collections/refusals';
import { clipText } from '../../domain/text';

/**
 * The invoice workflow's refusals are a typed table (collections/refusals.ts): an `invalid` one
 * means the message itself is wrong for this invoice: 422; a `conflict` means the state moved on
 * or does not allow it now: 409. A type outside the table (an untyped Error in a validator, a
 * failure from elsewhere) says nothing about state: treated as a refusal of the message.
 */
export function isConflictType(type: string | undefined | null): boolean {
  return refusalKind(type) === 'conflict';
}

export interface TemporalCallOptions {
  /** Milliseconds to wait for the workflow to answer before giving up with a 504. */
  timeoutMs?: number;
  /**
   * What a 503 or 504 tells the caller about the message it sent: whether it may have reached the
   * workflow and whether sending it again is safe. Said by the caller, who knows its message.
   */
  ifUndelivered?: string;
}

export class WorkflowNotRunning extends HttpError {
  constructor(readonly workflowId: string) {
    super(409, { code: 'conflict', message: `workflow ${workflowId} is not running, so it cannot take this message`, workflowId });
  }
}

/** The ApplicationFailure inside an Update failure, if any. */
function updateFailure(err: unknown): ApplicationFailure | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  let c: unknown = err.cause;
  while (c) {
    if (c instanceof ApplicationFailure) return c;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof ServiceError) return true;
  const code = (err as { code?: unknown }).code;
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4) straight from the transport.
  return code === 14 || code === 4;
}

function mapTemporalError(err: unknown, workflowId: string, ifUndelivered?: string): HttpError {
  const mapped = mapTemporalFailure(err, workflowId);
  if (!ifUndelivered || (mapped.status !== 503 && mapped.status !== 504)) return mapped;
  return new HttpError(
    mapped.status,
    { ...mapped.body, message: `${mapped.body.message}. ${ifUndelivered}`, retryable: true },
    mapped.headers,
  );
}

function mapTemporalFailure(err: unknown, workflowId: string): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof WorkflowNotFoundError) return new WorkflowNotRunning(workflowId);
  if (err instanceof WorkflowUpdateFailedError) {
    const f = updateFailure(err);
    const type = f?.type ?? 'UpdateFailed';
    const message = f?.message || err.message;
    return isConflictType(f?.type) ? conflict(message, { failureType: type }) : unprocessable(message, { failureType: type });
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new HttpError(504, {
      code: 'timeout',
      message: `workflow ${workflowId} did not answer in time; the message may still be processed`,
    });
  }
  if (isUnavailable(err)) {
    return new HttpError(
      503,
      { code: 'unavailable', message: `Temporal is unavailable: ${clipText((err as Error).message)}` },
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }
  const e = err as Error;
  return new HttpError(500, { code: 'internal', message: `workflow ${workflowId}: ${e?.message ?? String(err)}` });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function executeUpdate<Ret, Args extends [any, ...any[]]>(
  client: Client,
  workflowId: string,
  def: UpdateDefinition<Ret, Args>,
  args: Args,
  opts: TemporalCallOptions = {},
): Promise<Ret> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + (opts.timeoutMs ?? 30_000), () => handle.executeUpdate(def, { args }));
  } catch (err) {
    throw mapTemporalError(err, workflowId, opts.ifUndelivered);
  }
}

/**
 * The workflow's answer to a query, or null when the workflow is closed or was never started
 * (the caller falls back to the ledger). A running workflow that fails to answer is an error.
 */
export async function queryIfRunning<Ret>(
  client: Client,
  workflowId: string,
  def: QueryDefinition<Ret, []>,
  opts: TemporalCallOptions = {},
): Promise<Ret | null> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + (opts.timeoutMs ?? 10_000), async () => {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') return null;
      return handle.query(def);
    });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw mapTemporalError(err, workflowId);
  }
}

/** Is the Temporal frontend answering? */
export async function temporalUp(client: Client, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  // The deadline bounds each gRPC call; the timer bounds the client's own retries of an unreachable server.
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = client
    .withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}))
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
