/**
 * docker-compose.yml is for users' own machines (no Docker engine runs in CI), so it is checked
 * here by parsing: the services exist, the app services run files that exist with settings that
 * config/index.ts accepts, the worker can be scaled, and Temporal gets every search attribute
 * the workflows set. When a `docker compose` CLI is present, `docker compose config` validates
 * the file against the Compose specification as well (it needs no engine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../config';
import { ALL_SEARCH_ATTRIBUTES } from '../../temporal/search-attributes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');

const REQUIRED_SERVICES = ['temporal', 'temporal-setup', 'temporal-ui', 'db', 'worker', 'admin'] as const;
const APP_SERVICES = ['worker', 'admin'] as const;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  container_name?: string;
  healthcheck?: { test?: string | string[] };
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// Compose files use YAML merge keys (`<<: *anchor`); Compose applies them, so the parser must too.
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;

/** Resolves Compose interpolation as if no variable were set: `${X:-d}`/`${X-d}` → d, `${X}`/`$X` → '', `$$` → `$`. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, _name, op, arg) => {
    if (m === '$$') return '$';
    if (op === ':-' || op === '-') return arg ?? '';
    return '';
  });
}

/** A service's environment as strings, interpolated. */
function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v)]));
}

function argv(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd.map(String) : cmd.trim().split(/\s+/);
}

/** The script a `tsx`/`node` command runs, relative to the repo (the image's WORKDIR is /app = the repo). */
function scriptOf(args: string[]): string | undefined {
  return args.find((a) => /\.(ts|mts|js|mjs)$/.test(a))?.replace(/^\/app\//, '');
}

/** Container ports a service publishes, with the host side. */
function publishedPorts(service: Service): Array<{ host?: string; container: number }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: p.published === undefined ? undefined : String(p.published), container: Number(p.target) };
    // "[ip:]host:container[/proto]" or "container"
    const spec = interpolate(String(p)).replace(/\/(tcp|udp)$/, '');
    const parts = spec.split(':');
    const container = Number(parts[parts.length - 1]);
    return { host: parts.length > 1 ? parts[parts.length - 2] : undefined, container };
  });
}

function dependsOn(service: Service): string[] {
  const d = service.depends_on;
  if (!d) return [];
  return Array.isArray(d) ? d : Object.keys(d);
}

describe('docker-compose.yml', () => {
  it('is YAML with a services map holding the whole stack', () => {
    expect(compose).toBeTypeOf('object');
    expect(compose.services).toBeTypeOf('object');
    for (const name of REQUIRED_SERVICES) expect(Object.keys(compose.services), name).toContain(name);
  });

  it('pins every image to a version tag', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.image || svc.build) continue;
      expect(svc.image, name).toMatch(/:[\w][\w.-]*$/);
      expect(svc.image, name).not.toMatch(/:latest$/);
    }
  });

  it.each(APP_SERVICES)('%s runs a file that exists in the repo', (name) => {
    const svc = compose.services[name]!;
    const args = argv(svc.command);
    expect(args.slice(0, 2), `${name} command`).toEqual(['npx', 'tsx']);
    const script = scriptOf(args);
    expect(script, `${name} command names a script`).toBeDefined();
    expect(existsSync(path.join(ROOT, script!)), `${script} exists`).toBe(true);
  });

  it.each(APP_SERVICES)('%s is built from the repo Dockerfile', (name) => {
    const build = compose.services[name]!.build;
    const b = typeof build === 'string' ? { context: build } : build;
    expect(b?.context, name).toBe('.');
    expect(existsSync(path.join(ROOT, b?.dockerfile ?? 'Dockerfile'))).toBe(true);
  });

  it.each(APP_SERVICES)('%s sets only variables that config/index.ts reads', (name) => {
    const known = Object.keys(configSchema.shape);
    const unknown = Object.keys(environmentOf(compose.services[name]!)).filter((k) => !known.includes(k));
    expect(unknown, `${name}: variables config/index.ts does not define`).toEqual([]);
  });

  it.each(APP_SERVICES)('%s environment (with defaults interpolated) passes loadConfig', (name) => {
    const env = environmentOf(compose.services[name]!);
    const config = loadConfig(env);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('ar');
    // Both talk to services of this file, not to localhost inside their container.
    expect(config.DATABASE_URL, `${name} DATABASE_URL`).toBeDefined();
    const dbHost = new URL(config.DATABASE_URL!).hostname;
    expect(Object.keys(compose.services), `${name} DATABASE_URL host`).toContain(dbHost);
    const temporalHost = config.TEMPORAL_ADDRESS.split(':')[0]!;
    expect(Object.keys(compose.services), `${name} TEMPORAL_ADDRESS host`).toContain(temporalHost);
    // No API key by default: email goes to the outbox only, and an empty value counts as unset.
    expect(config.RESEND_API_KEY).toBeUndefined();
  });

  it('the worker and the admin endpoint share Temporal and database settings', () => {
    const w = environmentOf(compose.services.worker!);
    const a = environmentOf(compose.services.admin!);
    for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL']) expect(a[k], k).toBe(w[k]);
  });

  it('admin publishes the port it listens on, on all interfaces, and checks /healthz', () => {
    const admin = compose.services.admin!;
    const config = loadConfig(environmentOf(admin));
    expect(config.ADMIN_HOST).toBe('0.0.0.0');
    const ports = publishedPorts(admin);
    expect(ports.map((p) => p.container)).toContain(config.ADMIN_PORT);
    expect(ports.find((p) => p.container === config.ADMIN_PORT)?.host).toBe(String(config.ADMIN_PORT));
    const test = argv(admin.healthcheck?.test).join(' ');
    expect(test).toContain(`http://localhost:${config.ADMIN_PORT}/healthz`);
  });

  it('the worker runs the ledger sync schedule every few minutes (production has no npm start)', () => {
    const config = loadConfig(environmentOf(compose.services.worker!));
    expect(config.AR_SYNC_INTERVAL_SECONDS).toBeGreaterThanOrEqual(60);
    expect(config.AR_SYNC_INTERVAL_SECONDS).toBeLessThanOrEqual(600);
    const main = readFileSync(path.join(ROOT, scriptOf(argv(compose.services.worker!.command))!), 'utf8');
    expect(main).toContain('ensureLedgerSyncSchedule(');
  });

  it('the worker can be scaled: no container_name, no published ports', () => {
    const worker = compose.services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
  });

  it('temporal-setup registers every search attribute of workflows/search-attributes.ts with its type', () => {
    const setup = compose.services['temporal-setup']!;
    const script = [...argv(setup.entrypoint), ...(Array.isArray(setup.command) ? setup.command : [setup.command ?? ''])].join('\n');
    const registered = new Map<string, string>();
    for (const line of script.split('\n')) {
      if (!line.includes('temporal operator search-attribute create')) continue;
      expect(line, 'talks to the temporal service').toContain('--address temporal:7233');
      for (const m of line.matchAll(/--name\s+(\S+)\s+--type\s+(\S+)/g)) registered.set(m[1]!, m[2]!.toUpperCase());
    }
    const expected = new Map(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, String(k.type).toUpperCase()]));
    expect(Object.fromEntries(registered)).toEqual(Object.fromEntries(expected));
    // The app waits for it to finish; it waits for a healthy server.
    expect(setup.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    for (const name of APP_SERVICES) {
      expect(compose.services[name]!.depends_on, name).toMatchObject({
        'temporal-setup': { condition: 'service_completed_successfully' },
        db: { condition: 'service_healthy' },
      });
    }
  });

  it('every depends_on names a service of this file, and every service waited on as healthy has a healthcheck', () => {
    const names = Object.keys(compose.services);
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const dep of dependsOn(svc)) {
        expect(names, `${name} depends on ${dep}`).toContain(dep);
        const d = svc.depends_on as Record<string, { condition?: string }>;
        if (!Array.isArray(svc.depends_on) && d[dep]?.condition === 'service_healthy') {
          expect(compose.services[dep]!.healthcheck?.test, `${dep} healthcheck`).toBeDefined();
        }
      }
    }
  });

  it('named volumes are declared', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const v of (svc as { volumes?: unknown[] }).volumes ?? []) {
        if (typeof v !== 'string') continue;
        const source = v.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/') || !v.includes(':')) continue;
        expect(Object.keys(compose.volumes ?? {}), `${name} volume ${source}`).toContain(source);
      }
    }
  });
});

describe('Dockerfile', () => {
  const text = existsSync(DOCKERFILE) ? readFileSync(DOCKERFILE, 'utf8') : '';

  it('exists and skips install scripts (no Temporal binaries in the image)', () => {
    expect(existsSync(DOCKERFILE)).toBe(true);
    expect(text).toMatch(/^FROM node:20/m);
    expect(text).toMatch(/npm ci\b.*--ignore-scripts/);
  });

  it('its CMD runs a file that exists in the repo', () => {
    const cmd = /^CMD\s+(.+)$/m.exec(text)?.[1];
    expect(cmd).toBeDefined();
    const args = cmd!.trim().startsWith('[') ? (JSON.parse(cmd!) as string[]) : cmd!.trim().split(/\s+/);
    const script = scriptOf(args);
    expect(script).toBeDefined();
    expect(existsSync(path.join(ROOT, script!)), `${script} exists`).toBe(true);
  });
});

// `docker compose config` validates against the Compose spec without an engine, when the plugin is installed.
const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!composeCli)('docker compose config', () => {
  it('accepts the file', () => {
    const r = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RESEND_API_KEY: '', EMAIL_FROM: '', LOG_LEVEL: '' },
    });
    expect(r.status, r.stderr).toBe(0);
  });
});
