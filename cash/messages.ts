/** What the cash workflow answers: its progress, readable by query (and in the UI's current details). */
import { defineQuery } from '@temporalio/workflow';

export type CashPhase = 'loading' | 'matching' | 'posting' | 'notifying' | 'reversing returns' | 'done';

export interface CashProgress {
  statementKey: string;
  phase: CashPhase;
  transactions: number;
  credits: number;
  debits: number;
  /** Decisions of this run's matching, by outcome. */
  decided: { applied: number; proposed: number; unapplied: number; ignored: number };
  /** Allocations posted to the ledger (new), and found already posted (a re-run or retry). */
  posted: number;
  alreadyPosted: number;
  /** Invoice workflows told of a payment. */
  invoicesTold: number;
  returnsReversed: number;
  refused: string[];
}

export const cashProgressQuery = defineQuery<CashProgress>('progress');
