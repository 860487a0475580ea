/** The workflow bundle's entry point: every workflow type the `ar` task queue runs. */
export { invoiceWorkflow } from './invoice';
export { outreachWorkflow } from './outreach';
