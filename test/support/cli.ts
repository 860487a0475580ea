/**
 * The `ar` command line as a user runs it (`npx tsx apps/cli/main.ts`), against one test
 * database and a data folder of its own, for the CLI suites.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';

interface CliResult {
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

export async function startCliFixture(prefix: string): Promise<CliFixture> {
  const t = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const ar = (...args: string[]) =>
    new Promise<CliResult>((resolve) => {
      execFile(
        'npx',
        ['tsx', 'apps/cli/main.ts', ...args],
        { env: { ...process.env, DATABASE_URL: t.url, AR_DATA_DIR: dir, FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  return { t, dir, ar, close: () => t.close() };
}
