/**
 * Replays a workflow history through the current workflow code: the check that a code change
 * does not break running workflows, and the way engineers debug a decision.
 */
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import type { Client } from '@temporalio/client';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { explainHistory, type ExplainedStep } from './history-explain';

export interface ReplayReport {
  workflowId: string;
  events: number;
  deterministic: boolean;
  error?: string;
  steps: ExplainedStep[];
}

export function loadHistoryFile(file: string): History {
  return historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
}

/** The server has no workflow by that id in the namespace. */
export class NoSuchWorkflowError extends Error {
  constructor(readonly workflowId: string) {
    super(`no such workflow: ${workflowId}`);
    this.name = 'NoSuchWorkflowError';
  }
}

export async function fetchHistory(client: Client, workflowId: string): Promise<History> {
  try {
    return await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (err) {
    // The SDK answers a missing workflow with WorkflowNotFoundError, or the raw gRPC NOT_FOUND (code 5).
    const e = err as { name?: string; code?: unknown };
    if (e.name === 'WorkflowNotFoundError' || e.code === 5) throw new NoSuchWorkflowError(workflowId);
    throw err;
  }
}

/** The workflow code to replay through: a path to the bundle entry (apps/worker/workflows.ts) or a prebuilt bundle. */
export type ReplayWorkflows = { workflowsPath: string } | { workflowBundle: { code: string } };

export async function replay(history: History, workflowId: string, workflows: ReplayWorkflows): Promise<ReplayReport> {
  const steps = explainHistory(history);
  try {
    await Worker.runReplayHistory({ ...workflows, replayName: 'ar-replay' }, history, workflowId);
    return { workflowId, events: history.events?.length ?? 0, deterministic: true, steps };
  } catch (err) {
    const nondeterministic = err instanceof DeterminismViolationError || (err as Error).name === 'DeterminismViolationError';
    return {
      workflowId,
      events: history.events?.length ?? 0,
      deterministic: false,
      error: `${nondeterministic ? 'non-deterministic: ' : ''}${(err as Error).message}`,
      steps,
    };
  }
}

const bundles = new Map<string, Promise<{ code: string }>>();

/** The workflow code bundled once per process: a long-running process (the admin endpoint) replays without re-bundling. */
export function bundledWorkflows(workflowsPath: string): Promise<{ workflowBundle: { code: string } }> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
    bundle.catch(() => bundles.delete(workflowsPath));
  }
  return bundle.then((b) => ({ workflowBundle: { code: b.code } }));
}

/** Every run of a workflow, oldest first (continue-as-new chains them), at most `maxRuns`. */
export async function fetchRunHistories(client: Client, workflowId: string, maxRuns = 20): Promise<History[]> {
  const runs = [await fetchHistory(client, workflowId)];
  while (runs.length < maxRuns) {
    const previous = runs[0]!.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runs.unshift(await client.workflow.getHandle(workflowId, previous).fetchHistory());
  }
  return runs;
}
