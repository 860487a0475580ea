/**
 * Cash application matching: plain data in, plain data out (called from an activity).
 * `createMatcher(openInvoices, customers, policy)` indexes once; `match(credit)` per bank credit.
 */
export { createMatcher } from './matcher';
export { DEFAULT_POLICY } from './policy';
export type * from './types';
