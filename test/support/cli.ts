/**
 * The `ar` command line as a user runs it (`npx tsx apps/cli/main.ts`), against one test
 * database and a data folder of its own, for the CLI suites.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliFixture {
  t: TestDatabase;
  /** AR_DATA_DIR of the spawned commands; also a place for the test's own files. */
  dir: string;
  ar(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// tsx itself, not through npx: npx resolves the package on every call (about a second each on a
// loaded 2-core machine, over a hundred calls in the suite); the command run is the same.
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `ar ARGS` in the repository with `env` added to this process's environment. */
export function runAr(env: Record<string, string | undefined>, args: string[]): Promise<CliResult> {
  return new Promise<CliResult>((resolve) => {
    execFile(
      TSX,
      ['apps/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export async function startCliFixture(prefix: string): Promise<CliFixture> {
  const t = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const ar = (...args: string[]) => runAr({ DATABASE_URL: t.url, AR_DATA_DIR: dir }, args);
  return { t, dir, ar, close: () => t.close() };
}
