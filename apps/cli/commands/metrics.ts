/**
 * `ar metrics [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--dso-days N] [--json]`: aging, DSO
 * (standard and countback), CEI and cash collected per currency, as of any date, from the ledger
 * alone (no Temporal server needed). The JSON fields are a contract: scripts read them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../config';
import { isIsoDate, utcDate } from '../../../domain/calendar';
import { openDatabase } from '../../../db/open';
import { parseDecimal } from '../../../domain/money';
import { AGING_BUCKETS, type MetricsReport, metricsReport } from '../../../insights/metrics';
import { amountText } from '../../../insights/readiness';
import { loadMetricFacts } from '../../../ledger/read-models/metric-facts';
import { ensureMetricsSchedule, METRICS_SCHEDULE_ID } from '../../../insights/schedule';
import { listSnapshots, type SnapshotKind, type SnapshotSummary, takeSnapshot } from '../../../insights/snapshots';
import { controlCharacterRule } from '../../../domain/text';
import { registerDecisionCommands } from './metrics-decisions';
import { clipText, clipValue } from '../../../domain/text';

const dateOption = (v: string): string => {
  if (!isIsoDate(v)) throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} must be a calendar date YYYY-MM-DD`);
  return v;
};

const daysOption = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 3660)
    throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} must be a whole number of days from 1 to 3660`);
  return Number(v);
};

const figure = (n: number | null, unit: string) => (n === null ? 'n/a' : `${n}${unit}`);

function formatMetrics(r: MetricsReport): string {
  const out = [`Receivables as of ${r.asOf} (CEI and cash from ${r.from}; DSO over the ${r.dsoDays} days from ${r.dsoWindowFrom})`];
  const currencies = Object.keys(r.byCurrency);
  if (currencies.length === 0) out.push('  no invoices issued on or before this date');
  for (const cur of currencies) {
    const m = r.byCurrency[cur]!;
    const money = (decimal: string) => amountText(parseDecimal(decimal, cur), cur);
    out.push(
      '',
      `${cur}: ${money(m.arOpen)} open in ${r.openInvoices[cur] ?? 0} invoices, ${money(m.current)} not yet due`,
      `  aging: ${AGING_BUCKETS.map((b) => `${b} ${m.aging[b]}`).join(' | ')}`,
      `  credit sales (DSO window) ${m.creditSales}; in the period ${m.creditSalesPeriod}; cash collected ${m.cashCollected}`,
      `  DSO standard ${figure(m.dsoStandardDays, ' days')}, countback ${figure(m.dsoCountbackDays, ' days')}; CEI ${figure(m.ceiPercent, '%')}`,
    );
    const d = r.daysToPay.byCurrency[cur];
    if (d?.invoicesPaid)
      out.push(
        `  paid in full: ${d.invoicesPaid} invoices, on average ${figure(d.meanDaysToPay, ' days')} to pay, ${figure(d.meanDaysBeyondTerms, ' days')} beyond terms`,
      );
  }
  if (r.undatedSettlements > 0) {
    out.push(
      '',
      `${r.undatedSettlements} invoices have a stated open balance lower than their recorded movements explain; the difference counts from their import.`,
    );
  }
  out.push('', 'Definitions (--json has them too):', ...Object.entries(r.definitions).map(([k, v]) => `  ${k}: ${v}`));
  return out.join('\n');
}

function formatHistory(rows: SnapshotSummary[]): string {
  if (rows.length === 0)
    return 'No stored snapshots yet: `ar metrics baseline --note "…"` takes one; the ar-metrics-daily schedule stores one a day.';
  const out: string[] = [];
  for (const r of rows) {
    const head = `${r.asOf}  ${r.kind === 'baseline' ? 'BASELINE' : 'daily   '}  #${r.id}${r.note ? `  "${r.note}"` : ''}  (${r.takenBy}, ${r.takenAt})`;
    const figures = Object.entries(r.byCurrency).map(
      ([cur, m]) =>
        `${cur} AR ${m.arOpen}, DSO ${figure(m.dsoStandardDays, 'd')} (countback ${figure(m.dsoCountbackDays, 'd')}), CEI ${figure(m.ceiPercent, '%')}`,
    );
    out.push(head, ...figures.map((f) => `    ${f}`));
  }
  return out.join('\n');
}

export function registerMetricsCommand(program: Command): void {
  const metrics = program
    .command('metrics')
    // `ar metrics baseline --as-of …`: options after a subcommand are the subcommand's (main.ts enables it above too).
    .enablePositionalOptions()
    .description('Aging, DSO (standard and countback), CEI and cash collected per currency, as of any date. Needs only the database.')
    .option('--as-of <date>', 'the as-of date, YYYY-MM-DD (default: today, UTC)', dateOption)
    .option('--from <date>', 'start of the CEI and cash period, YYYY-MM-DD (default: the first day of the as-of month)', dateOption)
    .option('--dso-days <n>', 'N of the standard DSO: credit sales over the last N days', daysOption, 90)
    .option('--json', 'print the report as JSON')
    .action(async (opts: { asOf?: string; from?: string; dsoDays: number; json?: boolean }) => {
      const asOf = opts.asOf ?? utcDate(new Date());
      if (opts.from !== undefined && opts.from > asOf) throw new Error(`--from ${opts.from} must not be after --as-of ${asOf}`);
      const database = await openDatabase(loadConfig());
      try {
        const report = metricsReport(await loadMetricFacts(database.db, asOf), { asOf, from: opts.from, dsoDays: opts.dsoDays });
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatMetrics(report));
      } finally {
        await database.close();
      }
    });

  metrics
    .command('baseline')
    .description('Store the metrics as of a date as the baseline a pilot is judged against.')
    .requiredOption('--note <text>', 'why this is the baseline (e.g. "before the pilot, Q3 close")')
    .option('--as-of <date>', 'the as-of date, YYYY-MM-DD (default: today, UTC)', dateOption)
    .option('--by <name>', 'who takes it', process.env.USER ?? 'cli')
    .action(async (opts: { note: string; asOf?: string; by: string }) => {
      const problem = controlCharacterRule(opts.note);
      if (problem || opts.note.trim() === '' || opts.note.length > 1000) {
        throw new Error(`--note: ${JSON.stringify(clipText(opts.note, 80))} ${problem ?? 'must be 1 to 1000 characters'}`);
      }
      const database = await openDatabase(loadConfig());
      try {
        const asOf = opts.asOf ?? utcDate(new Date());
        const { id } = await takeSnapshot(database.db, { kind: 'baseline', asOf, note: opts.note, takenBy: opts.by });
        console.log(`Stored baseline #${id} as of ${asOf}: "${opts.note}".`);
      } finally {
        await database.close();
      }
    });

  metrics
    .command('history')
    .description('The stored snapshots, newest first: daily ones from the schedule and baselines.')
    .option('--kind <kind>', 'only daily or baseline', (v) => {
      if (v !== 'daily' && v !== 'baseline') throw new InvalidArgumentError(`${JSON.stringify(clipValue(v))} must be daily or baseline`);
      return v;
    })
    .option('--json', 'print them as JSON')
    .action(async (opts: { kind?: SnapshotKind; json?: boolean }) => {
      const database = await openDatabase(loadConfig());
      try {
        const rows = await listSnapshots(database.db, { kind: opts.kind });
        console.log(opts.json ? JSON.stringify(rows, null, 2) : formatHistory(rows));
      } finally {
        await database.close();
      }
    });

  registerDecisionCommands(metrics);

  metrics
    .command('schedule')
    .description('Register the ar-metrics-daily Temporal Schedule (a snapshot each night); needs Temporal. npm start does this itself.')
    .action(async () => {
      const config = loadConfig();
      const { connectClient } = await import('../../../temporal/client');
      const client = await connectClient(config);
      try {
        const { created } = await ensureMetricsSchedule(client, config.TEMPORAL_TASK_QUEUE);
        console.log(
          `${METRICS_SCHEDULE_ID}: ${created ? 'registered' : 'already registered'} (00:15 UTC daily, task queue ${config.TEMPORAL_TASK_QUEUE}).`,
        );
      } finally {
        await client.connection.close();
      }
    });
}
