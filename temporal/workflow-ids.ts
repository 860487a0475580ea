/** Workflow ids: meaningful in the Web UI and the one natural key of each long-lived workflow. */
export const invoiceWorkflowId = (invoiceNumber: string) => `invoice-${invoiceNumber}`;
export const outreachWorkflowId = (customerId: string) => `outreach-${customerId}`;
/** One cash workflow per bank statement, by the statement key (cash/keys.ts). */
export const cashWorkflowId = (statementKey: string) => `cash-${statementKey}`;
