/** Shared by the bank-statement suites: the shared fixtures, and the StatementError a call throws. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StatementError } from '../../cash/statements';

/** A file of ../shared/fixtures/bank-statements (real files from public sources; SOURCES.md describes each). */
export const fixture = (path: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../../../shared/fixtures/bank-statements/${path}`, import.meta.url)));

/** The StatementError `fn` throws; any other outcome fails the test. */
export function thrown(fn: () => unknown): StatementError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatementError) return err;
    throw new Error(`expected a StatementError, got ${String(err)}`);
  }
  throw new Error('expected a StatementError, nothing was thrown');
}
