/**
 * What `ar policy status` and GET /api/policy/status show: the version in force and how far its
 * latest fan-out has got, read from PostgreSQL alone (no Temporal round trip).
 */
import { desc } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { latestFanOutRow, type FanOutRow } from './fanout-store';
import { currentPolicy } from './store';

export interface FanOutView {
  version: number;
  workflowId: string;
  status: FanOutRow['status'];
  /** The workflows it is to tell, counted when it began; null until counted. */
  total: number | null;
  /** Which invoice workflows it tells and why (the versions and tiers whose plans change); null until counted. */
  scope: string | null;
  signalled: { invoices: number; outreach: number; total: number };
  notFound: number;
  failed: number;
  pages: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  errors: string[];
}

export interface PolicyStatus {
  version: number;
  publishedAt: string;
  publishedBy: string;
  note: string | null;
  /** The latest fan-out (normally the version in force's); null before the first publish. */
  fanOut: FanOutView | null;
}

function fanOutView(row: FanOutRow): FanOutView {
  return {
    version: row.version,
    workflowId: row.workflowId,
    status: row.status,
    total: row.total,
    scope: row.scope,
    signalled: { invoices: row.invoicesSignalled, outreach: row.outreachSignalled, total: row.invoicesSignalled + row.outreachSignalled },
    notFound: row.notFound,
    failed: row.failed,
    pages: row.pages,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    errors: row.errors,
  };
}

export async function readPolicyStatus(db: Db): Promise<PolicyStatus> {
  await currentPolicy(db); // seeds the default version on a fresh database
  const [row] = await db.select().from(schema.policies).orderBy(desc(schema.policies.version)).limit(1);
  const fan = await latestFanOutRow(db);
  return {
    version: row!.version,
    publishedAt: row!.createdAt.toISOString(),
    publishedBy: row!.createdBy,
    note: row!.note,
    fanOut: fan ? fanOutView(fan) : null,
  };
}

/** The status as the CLI prints it. */
export function describePolicyStatus(s: PolicyStatus): string[] {
  const lines = [`Policy v${s.version} in force, published ${s.publishedAt} by ${s.publishedBy}${s.note ? `: ${s.note}` : ''}`];
  const f = s.fanOut;
  if (!f) return [...lines, 'No fan-out yet: workflows read the version at their next step.'];
  const of = f.total === null ? '' : ` of ${f.total}`;
  lines.push(
    `Fan-out ${f.workflowId}: ${f.status}, ${f.signalled.total}${of} signalled (${f.signalled.invoices} invoice, ${f.signalled.outreach} outreach; ${f.notFound} gone, ${f.failed} failed; ${f.pages} pages)`,
    ...(f.scope ? [`  ${f.scope}`] : []),
    `  started ${f.startedAt}${f.finishedAt ? `, finished ${f.finishedAt} (${((Date.parse(f.finishedAt) - Date.parse(f.startedAt)) / 1000).toFixed(1)} s)` : `, last progress ${f.updatedAt}`}`,
  );
  if (f.version !== s.version) lines.push(`  (the fan-out of v${f.version}; v${s.version} has none: published without one)`);
  for (const e of f.errors) lines.push(`  error: ${e}`);
  return lines;
}
