/**
 * `ar metrics decisions` and `ar metrics tuning`: how approvers treat the drafts, per scope and per
 * tier × dunning step, over a rolling window. Needs only the database.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../config';
import { isIsoDate } from '../../../domain/calendar';
import { clipValue } from '../../../domain/text';
import { openDatabase } from '../../../db/open';
import { type DecisionReport, decisionReport, endOfUtcDay } from '../../../insights/decision-report';
import type { Rate } from '../../../insights/metrics';

const dateOption = (v: string): string => {
  if (!isIsoDate(v)) throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} must be a calendar date YYYY-MM-DD`);
  return v;
};

const windowOption = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 366)
    throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} must be a whole number of days from 1 to 366`);
  return Number(v);
};

interface WindowOptions {
  asOf?: string;
  windowDays: number;
  json?: boolean;
}

const pct = (r: Rate) =>
  r.rate === null || r.lower === null || r.upper === null
    ? 'n/a'
    : `${(r.rate * 100).toFixed(0)}% (${r.numerator}/${r.count}, 95% CI ${(r.lower * 100).toFixed(0)}–${(r.upper * 100).toFixed(0)}%)`;

function formatDecisions(r: DecisionReport): string {
  const out = [`Decisions from ${r.windowFrom} to ${r.asOf} (${r.windowDays} days): ${r.decisions}`];
  if (r.decisions === 0) return `${out[0]}\n  no proposal was decided and nothing was sent on its own in this window`;
  const o = r.overall;
  out.push(
    `  approved as drafted ${pct(o.rates.approvedAsDrafted)}; with edits ${pct(o.rates.approvedWithEdits)}; rejected ${pct(o.rates.rejected)}`,
    `  without a person ${pct(o.rates.autonomousShare)}; touches per customer ${o.touchesPerCustomer?.toFixed(2) ?? 'n/a'}`,
    '',
    'Per scope (action | tier | segment | amount band):',
  );
  for (const s of r.scopes) {
    out.push(
      `  ${s.key}: ${s.counts.total} decisions; as drafted ${pct(s.rates.approvedAsDrafted)}; edited ${pct(s.rates.approvedWithEdits)}; ` +
        `rejected ${pct(s.rates.rejected)}; autonomous ${s.counts.autonomous}`,
    );
  }
  return out.join('\n');
}

function formatTuning(r: DecisionReport): string {
  const head = `Edits and rejections per tier and dunning step, ${r.windowFrom} to ${r.asOf}:`;
  if (r.tuning.length === 0) return `${head}\n  no draft was decided by a person in this window`;
  return [head, ...r.tuning.map((t) => `  ${t.sentence}`)].join('\n');
}

async function withReport(opts: WindowOptions, print: (r: DecisionReport) => void): Promise<void> {
  const database = await openDatabase(loadConfig());
  try {
    const asOf = opts.asOf ? endOfUtcDay(opts.asOf) : new Date();
    print(await decisionReport(database.db, { asOf, windowDays: opts.windowDays }));
  } finally {
    await database.close();
  }
}

export function registerDecisionCommands(metrics: Command): void {
  const windowed = (name: string, description: string) =>
    metrics
      .command(name)
      .description(description)
      .option('--as-of <date>', 'the window ends with this date, YYYY-MM-DD (default: now)', dateOption)
      .option('--window-days <n>', 'the window: this many days back from the end', windowOption, 30)
      .option('--json', 'print as JSON');

  windowed(
    'decisions',
    'Approved as drafted, with edits, rejected and autonomous, per scope, each rate with its Wilson 95% interval.',
  ).action((opts: WindowOptions) => withReport(opts, (r) => console.log(opts.json ? JSON.stringify(r, null, 2) : formatDecisions(r))));

  windowed('tuning', 'What approvers change and reject, per tier and dunning step: which policy to fix.').action((opts: WindowOptions) =>
    withReport(opts, (r) =>
      console.log(
        opts.json
          ? JSON.stringify({ asOf: r.asOf, windowFrom: r.windowFrom, windowDays: r.windowDays, rows: r.tuning }, null, 2)
          : formatTuning(r),
      ),
    ),
  );
}
