/**
 * Replays a workflow history through the current workflow code: the check that a code change
 * does not break running workflows, and the way engineers debug a decision.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { WORKFLOWS_PATH } from '../apps/worker/create-worker';
import { explainHistory, type ExplainedStep } from './history-explain';

type History = temporal.api.history.v1.IHistory;

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

export async function fetchHistory(client: Client, workflowId: string): Promise<History> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

export async function replay(history: History, workflowId: string, opts: { workflowBundle?: { code: string } } = {}): Promise<ReplayReport> {
  const steps = explainHistory(history);
  try {
    await Worker.runReplayHistory(opts.workflowBundle ? { workflowBundle: opts.workflowBundle, replayName: 'ar-replay' } : { workflowsPath: WORKFLOWS_PATH, replayName: 'ar-replay' }, history, workflowId);
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
