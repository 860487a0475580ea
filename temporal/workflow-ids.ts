/** Workflow ids: meaningful in the Web UI and the one natural key of each long-lived workflow. */
export const invoiceWorkflowId = (invoiceNumber: string) => `invoice-${invoiceNumber}`;
export const outreachWorkflowId = (customerId: string) => `outreach-${customerId}`;
/** One cash workflow per bank statement, by the statement key (cash/keys.ts). */
export const cashWorkflowId = (statementKey: string) => `cash-${statementKey}`;
/** One background fan-out per published policy version: a retried publish finds it by this id. */
export const policyFanOutWorkflowId = (version: number) => `policy-fanout-v${version}`;
