/** Pure receivables and decision metrics (no I/O). See each module for the definitions. */
export * from './facts';
export * from './receivables';
export * from './ledger';
export * from './present';
export * from './decisions';
export * from './report';
