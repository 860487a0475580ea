/**
 * ledgerSyncWorkflow: what the ar-ledger-sync schedule starts every few minutes, so the stack
 * notices the ledger by itself: new invoices get their workflows, payments recorded in the ledger
 * reach theirs (a re-read), closed ones end. One activity;
 * the schedule skips a run while the previous one is still going.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { InvoiceActivities } from './activities';

const { syncLedger } = proxyActivities<InvoiceActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function ledgerSyncWorkflow(
  input: { lookbackSeconds?: number } = {},
): Promise<{ scanned: number; started: number; alreadyRunning: number; ended: number; reread?: number }> {
  // Payments applied within the lookback (two intervals: a skipped or late run loses none) reach their workflows.
  const paymentsSince = input.lookbackSeconds ? new Date(Date.now() - input.lookbackSeconds * 1000).toISOString() : undefined;
  return syncLedger({ paymentsSince });
}
