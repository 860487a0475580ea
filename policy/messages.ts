/**
 * The policy fan-out's messages and shapes, typed in one place: what the workflow takes, what each
 * page activity returns, and the progress its query (and the policy_fanouts row) shows.
 */
import { defineQuery } from '@temporalio/workflow';

/** Who hears of a new version: invoice workflows whose plan it changes re-plan, outreach workflows adopt a shorter batch window. */
export type FanOutTarget = 'invoice' | 'outreach';
export const FANOUT_TARGETS: readonly FanOutTarget[] = ['invoice', 'outreach'];

export type FanOutStatus = 'running' | 'done' | 'failed' | 'superseded';

export interface FanOutCounts {
  invoices: number;
  outreach: number;
  /** Listed as running, closed before the signal reached it: nothing left to tell. */
  notFound: number;
  /** Signals that failed for another reason (the workflow still reads the version at its next step). */
  failed: number;
  pages: number;
}

/** What the fan-out carries across continue-as-new. */
export interface FanOutCarry {
  startedAt: string;
  total: number | null;
  /**
   * The invoice workflows to tell, as a visibility query, and why (fanout-scope.ts). Absent in runs
   * from before scoping, and when the count failed: every running invoice workflow is told.
   */
  invoiceQuery?: string;
  scope?: string;
  /** How long the pages held their signals for the queue's backlog, and its peak (fanout-pace.ts). */
  pacing?: FanOutPacing;
  counts: FanOutCounts;
  target: FanOutTarget;
  /** Visibility's page token (base64) for the next page of `target`; null: its first page. */
  pageToken: string | null;
  errors: string[];
}

export interface FanOutPacing {
  heldMs: number;
  peakBacklog: number;
}

export interface PolicyFanOutInput {
  version: number;
  /**
   * Workflow tasks allowed to wait on the task queue before a page holds its signals (absent: the
   * worker's POLICY_FANOUT_MAX_BACKLOG, default 500; 0: no pacing). People's decisions wait in the
   * same queue.
   */
  maxBacklog?: number;
  /** Pages per run before continuing as new (default 100): keeps each run's history short. */
  pagesPerRun?: number;
  /** Workflows per visibility page (default 1000). */
  pageSize?: number;
  carried?: FanOutCarry;
}

/** One page's outcome, as the page activity returns it. */
export interface FanOutPage {
  target: FanOutTarget;
  signalled: number;
  notFound: number;
  failed: number;
  /** A few failure messages of this page (the rest are counted only). */
  errors: string[];
  /** The next page of the same target; null: that was the last. */
  nextPageToken: string | null;
  /** A newer version was published: this fan-out stops, the newer one tells everyone. */
  superseded: boolean;
  /** This page's holds for the backlog (absent from pages before pacing). */
  pacing?: FanOutPacing;
}

export interface FanOutProgress {
  version: number;
  workflowId: string;
  status: FanOutStatus;
  total: number | null;
  /** Who it tells and why (null: every running invoice workflow). */
  scope: string | null;
  /** Held for the task queue's backlog so far, and its peak. */
  pacing: FanOutPacing;
  counts: FanOutCounts;
  /** The target being told now (null once finished). */
  current: FanOutTarget | null;
  startedAt: string;
  finishedAt: string | null;
  errors: string[];
}

export const policyFanOutQuery = defineQuery<FanOutProgress>('policyFanOut');
