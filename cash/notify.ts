/**
 * Telling invoice workflows what cash application posted: the paymentApplied Update (the
 * workflow adopts the ledger's balance and closes when paid), then, for a deduction, the existing
 * dispute path (the disputeOpened Update). Both are idempotent in the workflow (by payment id and
 * dispute id), so a retried activity tells nothing twice. An invoice without a running workflow
 * has nothing to tell: the ledger already holds the truth.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { disputeOpenedUpdate, paymentAppliedUpdate } from '../collections/messages';
import { invoiceWorkflowId } from '../temporal/workflow-ids';
import type { InvoiceNotice } from './post';

export interface NoticeOutcome {
  invoiceNumber: string;
  told: boolean;
  detail: string;
}

export async function notifyInvoice(client: Client, n: InvoiceNotice): Promise<NoticeOutcome> {
  const handle = client.workflow.getHandle(invoiceWorkflowId(n.invoiceNumber));
  try {
    const r = await handle.executeUpdate(paymentAppliedUpdate, {
      args: [{ paymentId: n.paymentId, amountMinor: n.amountMinor, currency: n.currency, by: n.by }],
    });
    let detail = `open ${r.openMinor}, ${r.status}`;
    if (n.dispute && r.status !== 'paid') {
      try {
        await handle.executeUpdate(disputeOpenedUpdate, {
          args: [{ disputeId: n.dispute.disputeId, reason: n.dispute.reason, note: n.dispute.note, by: 'cash-application' }],
        });
        detail += '; deduction dispute opened';
      } catch (err) {
        // Already disputed (a retry, or a dispute before ours): the workflow's refusal is the answer.
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        detail += `; dispute not opened: ${err.cause?.message ?? err.message}`;
      }
    }
    return { invoiceNumber: n.invoiceNumber, told: true, detail };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { invoiceNumber: n.invoiceNumber, told: false, detail: 'no running workflow' };
    if (err instanceof WorkflowUpdateFailedError) {
      const message = err.cause?.message ?? err.message;
      // A closed workflow cannot take updates; the ledger has the payment either way.
      return { invoiceNumber: n.invoiceNumber, told: false, detail: `refused: ${message}` };
    }
    throw err;
  }
}
