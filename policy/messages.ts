/**
 * The policy fan-out's messages and shapes, typed in one place: what the workflow takes, what each
 * page activity returns, and the progress its query (and the policy_fanouts row) shows.
 */
import { defineQuery } from '@temporalio/workflow';

/** Who hears of a new version: invoice workflows re-plan, outreach workflows adopt a shorter batch window. */
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
  counts: FanOutCounts;
  target: FanOutTarget;
  /** Visibility's page token (base64) for the next page of `target`; null: its first page. */
  pageToken: string | null;
  errors: string[];
}

export interface PolicyFanOutInput {
  version: number;
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
}

export interface FanOutProgress {
  version: number;
  workflowId: string;
  status: FanOutStatus;
  total: number | null;
  counts: FanOutCounts;
  /** The target being told now (null once finished). */
  current: FanOutTarget | null;
  startedAt: string;
  finishedAt: string | null;
  errors: string[];
}

export const policyFanOutQuery = defineQuery<FanOutProgress>('policyFanOut');
