/**
 * The one place that reads the environment. Every variable is validated here so a bad
 * value stops the process at start-up with the variable's name, its value and the rule.
 */
import path from 'node:path';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { clipValue } from '../domain/text';

/** The project folder (config/ sits at its top). */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('ar'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** When false, `npm start` connects to TEMPORAL_ADDRESS instead of starting a dev server. */
  AR_START_TEMPORAL: bool.default(true),
  DATABASE_URL: z.string().url().optional(),
  AR_DATA_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, '.data')),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  RESEND_API_KEY: z.string().min(1).optional(),
  /** The signing secret of the Resend webhook (whsec_…): POST /webhooks/resend verifies every event with it. */
  RESEND_WEBHOOK_SECRET: z.string().startsWith('whsec_', 'must be the signing secret Resend shows (whsec_…)').optional(),
  EMAIL_FROM: z.string().min(3).default('Accounts Receivable <ar@example.com>'),
  /** Load the demo ledger into an empty database at start. */
  AR_DEMO_LEDGER: bool.default(true),
  /** How many customers the demo ledger has (about five invoices each). */
  AR_DEMO_CUSTOMERS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** Run invoice sync at start (starts one workflow per open invoice). */
  AR_SYNC_ON_START: bool.default(true),
  /**
   * How often the ar-ledger-sync schedule runs the invoice sync (new invoices get workflows, closed
   * ones end) under `npm start` and the worker. 0: no schedule (run `ar sync` yourself).
   */
  AR_SYNC_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 10 && v <= 86_400), 'must be 0 (off) or between 10 and 86400 seconds')
    .default(180),
  /**
   * Workflows the worker keeps in memory. Unset: sized from the machine's memory and the measured
   * cost per cached invoice workflow (apps/worker/cache-size.ts; logged at worker start); evicted
   * ones are replayed from history when they wake.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /**
   * The policy fan-out's pacing (policy/fanout-pace.ts): workflow tasks allowed to wait on the task
   * queue, the re-plans its recent signals cause included; 0 turns pacing off. It bounds the
   * signal rate to about a tenth of it per second, so a cluster of many workers raises it.
   */
  POLICY_FANOUT_MAX_BACKLOG: z.coerce.number().int().min(0).default(500),
  /**
   * 'off': workflow code captures no stack frames, which saves the SDK's per-promise stack capture
   * (apps/worker/no-stack-traces.ts); the Web UI's Stack Trace tab then shows no locations.
   */
  WORKFLOW_STACK_TRACES: z.enum(['full', 'off']).default('full'),
  /** The worker's log level; warn keeps a demo console readable (info adds the bundler's report). */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so `FOO= npm start` behaves like no FOO at all.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `  ${key}=${JSON.stringify(clipValue(cleaned[key]))}: ${i.message}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
