/** The workflow bundle's entry point: every workflow type the `ar` task queue runs. */
export { invoiceWorkflow, ledgerSyncWorkflow } from '../../collections/workflow';
export { outreachWorkflow } from '../../outreach/workflow';
export { metricsSnapshotWorkflow } from '../../insights/workflow';
export { rolloutWorkflow } from '../../rollout/workflow';
export { cashWorkflow } from '../../cash/workflow';
export { policyFanOutWorkflow } from '../../policy/workflow';
