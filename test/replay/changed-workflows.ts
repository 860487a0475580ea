/**
 * A deliberately incompatible change of the invoice workflow (an extra activity before the first
 * ledger read), used to prove the replay check catches what would break running workflows.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../apps/worker/activities';
import { invoiceWorkflow as current, type InvoiceWorkflowInput } from '../../collections/workflow';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function invoiceWorkflow(input: InvoiceWorkflowInput) {
  await acts.recordAudit({ idempotencyKey: `${input.invoiceNumber}/new-first-step`, action: 'new_first_step', actor: 'system' });
  return current(input);
}
