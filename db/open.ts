/**
 * Which database a command uses: DATABASE_URL if set; else the embedded database of a running
 * `npm start` (its URL is in the data folder's stack file); else the embedded database opened
 * in this process. Commands call openDatabase() and close() it when done.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { closeDb, createDb, migrateDb, type Db } from './client';
import { EMBEDDED_POOL_MAX, openEmbeddedDb } from './embedded';

export interface StackFile {
  pid: number;
  databaseUrl: string;
  /** The database is the stack's embedded PGlite. */
  embedded: boolean;
  temporalAddress: string;
  adminUrl: string;
  uiUrl?: string;
  /** The Temporal dev server child process, when the stack started one. */
  temporalPid?: number;
}

export function stackFilePath(config: Pick<Config, 'AR_DATA_DIR'>): string {
  return path.join(config.AR_DATA_DIR, 'stack.json');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running local stack, if there is one. */
export function readRunningStack(config: Pick<Config, 'AR_DATA_DIR'>): StackFile | undefined {
  const f = stackFilePath(config);
  if (!existsSync(f)) return undefined;
  try {
    const s = JSON.parse(readFileSync(f, 'utf8')) as StackFile;
    return alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A stack whose `npm start` was killed outright (SIGKILL, a crash) leaves its Temporal dev server
 * running in its own process group, holding the ports. Stop it before starting afresh.
 */
export function reapStaleStack(config: Pick<Config, 'AR_DATA_DIR'>): number | undefined {
  const f = stackFilePath(config);
  if (!existsSync(f)) return undefined;
  let stale: StackFile;
  try {
    stale = JSON.parse(readFileSync(f, 'utf8')) as StackFile;
  } catch {
    rmSync(f, { force: true });
    return undefined;
  }
  if (alive(stale.pid)) return undefined;
  let reaped: number | undefined;
  if (stale.temporalPid && alive(stale.temporalPid)) {
    try {
      process.kill(-stale.temporalPid, 'SIGKILL');
      reaped = stale.temporalPid;
    } catch {
      /* gone meanwhile */
    }
  }
  rmSync(f, { force: true });
  return reaped;
}

export interface OpenedDatabase {
  db: Db;
  url: string;
  source: 'DATABASE_URL' | 'running stack' | 'embedded';
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<OpenedDatabase> {
  if (config.DATABASE_URL) {
    const db = createDb(config.DATABASE_URL);
    await migrateDb(db);
    return { db, url: config.DATABASE_URL, source: 'DATABASE_URL', close: () => closeDb(db) };
  }
  const stack = readRunningStack(config);
  if (stack) {
    const db = createDb(stack.databaseUrl, { max: stack.embedded ? EMBEDDED_POOL_MAX : 4 });
    return { db, url: stack.databaseUrl, source: 'running stack', close: () => closeDb(db) };
  }
  const embedded = await openEmbeddedDb({ dataDir: path.join(config.AR_DATA_DIR, 'pglite') });
  return { ...embedded, source: 'embedded' };
}
