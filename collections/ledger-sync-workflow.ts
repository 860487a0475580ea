/**
 * ledgerSyncWorkflow: what the ar-ledger-sync schedule starts every few minutes, so the stack
 * notices the ledger by itself: new invoices get their workflows, closed ones end. One activity;
 * the schedule skips a run while the previous one is still going.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { InvoiceActivities } from './activities';

const { syncLedger } = proxyActivities<InvoiceActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function ledgerSyncWorkflow(): Promise<{ scanned: number; started: number; alreadyRunning: number; ended: number }> {
  return syncLedger();
}
