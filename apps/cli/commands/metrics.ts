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

const dateOption = (v: string): string => {
  if (!isIsoDate(v)) throw new InvalidArgumentError(`${JSON.stringify(v)} must be a calendar date YYYY-MM-DD`);
  return v;
};

const daysOption = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 3660)
    throw new InvalidArgumentError(`${JSON.stringify(v)} must be a whole number of days from 1 to 3660`);
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

export function registerMetricsCommand(program: Command): void {
  program
    .command('metrics')
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
}
