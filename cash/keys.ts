/**
 * Natural keys of cash application, pure so the workflow, the activities and the admin endpoint
 * derive the same ones: a re-run, a retry or a person applying by hand never posts twice.
 */

/** The statement's key: the bank's statement id, qualified by the account unless it already names it. */
export function statementKey(s: { statementId: string; accountId: string }): string {
  return s.statementId.includes(s.accountId) ? s.statementId : `${s.accountId}/${s.statementId}`;
}

/**
 * The ledger payment id of one allocation: the cash workflow's id, the transaction's position and
 * the invoice. `round` counts earlier unapplies of the transaction, so applying again after an
 * unapply is a new receipt rather than a clash with the reversed one.
 */
export function cashPaymentId(workflowId: string, seq: number, invoiceNumber: string, round = 0): string {
  return `${workflowId}:${seq}:${invoiceNumber}${round > 0 ? `:r${round}` : ''}`;
}

/** The deduction dispute opened for a short payment of one transaction on one invoice. */
export function deductionDisputeId(workflowId: string, seq: number, invoiceNumber: string): string {
  return `${workflowId}:${seq}:${invoiceNumber}:deduction`;
}
