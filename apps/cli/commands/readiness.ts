/**
 * `ar readiness [--json]`: is the ledger ready for a collections pilot, per segment, and which
 * segments should stay out. Human text by default; --json for the same report as data.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { isIsoDate, utcDate } from '../../../domain/calendar';
import {
  amountText,
  computeReadiness,
  DEFAULT_THRESHOLDS,
  PROBLEMS,
  type ReadinessReport,
  type ProblemCode,
} from '../../../insights/readiness';
import { openDatabase } from '../../../db/open';

const money = amountText;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`);

function shareOption(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n > 1) throw new InvalidArgumentError('must be a share between 0 and 1, e.g. 0.8');
  return n;
}

function formatReadiness(r: ReadinessReport): string {
  const out: string[] = [];
  out.push(
    `Readiness report as of ${r.asOf}: ${r.totals.customers} customers, ${r.totals.openInvoices} open invoices, ${r.totals.payments} payments.`,
  );
  for (const t of r.totalsByCurrency) {
    out.push(
      `  ${t.currency}: ${plural(t.openInvoices, 'open invoice')}, ${money(t.openMinor, t.currency)} open (derived ${money(t.derivedOpenMinor, t.currency)}), ${t.invoicesWithProblems} with problems`,
    );
  }
  for (const s of r.segments) {
    out.push('', `Segment ${s.segment}: ${plural(s.customers, 'customer')}, ${plural(s.openInvoices, 'open invoice')}`);
    if (s.tieOut.length === 0) out.push('  Balances: no open invoices');
    for (const t of s.tieOut) {
      const verdict = t.ties
        ? 'ties'
        : `DOES NOT TIE (difference ${money(t.differenceMinor, t.currency)}, ${t.untiedCustomers} of ${t.customers} customers)`;
      out.push(
        `  Balances ${t.currency}: stated open ${money(t.statedOpenMinor, t.currency)}, derived ${money(t.derivedOpenMinor, t.currency)} — ${verdict}`,
      );
      for (const u of t.untied)
        out.push(`    ${u.customerId}: stated ${money(u.statedOpenMinor, t.currency)}, derived ${money(u.derivedOpenMinor, t.currency)}`);
    }
    out.push(
      `  Decision-maker email: ${s.withDecisionMakerEmail} of ${s.inScopeAccounts} in-scope accounts (${pct(s.decisionMakerEmailShare)})`,
    );
    out.push(`  Payments recorded against invoices: ${s.payments.applied} of ${s.payments.count} (${pct(s.payments.appliedShare)})`);
    for (const c of s.payments.byCurrency)
      out.push(`    ${c.currency}: ${money(c.appliedMinor, c.currency)} applied of ${money(c.totalMinor, c.currency)} received`);
    const counts = Object.entries(s.problemCounts).map(([code, n]) => `${code} ${n}`);
    out.push(
      `  Open invoices with problems: ${s.invoicesWithProblems} of ${s.inScopeOpenInvoices} (${pct(s.problemShare)})${counts.length ? ` — ${counts.join(', ')}` : ''}`,
    );
  }
  out.push(
    '',
    r.sampled.all
      ? `All ${r.sample.length} open invoices`
      : `Sample of ${r.sample.length} open invoices (${r.definitions.sample}; --all lists every one)`,
  );
  for (const i of r.sample) {
    const head = `  ${i.number} ${i.customerId} [${i.segment}] ${money(i.openMinor, i.currency)} open of ${money(i.amountMinor, i.currency)}, due ${i.dueDate}`;
    out.push(
      i.problems.length ? `${head}\n${i.problems.map((p) => `      - ${p.code}: ${p.detail}`).join('\n')}` : `${head} — no problems`,
    );
  }
  const t = r.thresholds;
  out.push(
    '',
    'Recommendation for the pilot',
    `  Thresholds: decision-maker email ≥ ${pct(t.minDecisionMakerEmailShare)} of in-scope accounts; payments against invoices ≥ ${pct(t.minAppliedPaymentShare)}; ` +
      `open invoices with problems ≤ ${pct(t.maxProblemInvoiceShare)}; customer balances not tying ≤ ${pct(t.maxUntiedCustomerShare)}.`,
  );
  for (const e of r.recommendation.exclude) out.push(`  Exclude ${e.segment}:`, ...e.reasons.map((x) => `    - ${x}`));
  out.push(`  Pilot: ${r.recommendation.pilot.length ? r.recommendation.pilot.join(', ') : 'no segment meets the thresholds'}`);
  out.push('', 'Problem codes:', ...Object.entries(PROBLEMS).map(([code, text]) => `  ${code as ProblemCode}: ${text}`));
  return out.join('\n');
}

export function registerReadinessCommand(program: Command): void {
  program
    .command('readiness')
    .description('Check whether the ledger is ready for a pilot, per segment: balances tie, contacts, applied payments, record problems.')
    .option('--json', 'print the report as JSON')
    .option('--as-of <date>', 'the report date, YYYY-MM-DD (default: today, UTC)', (v) => {
      if (!isIsoDate(v)) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
      return v;
    })
    .option(
      '--sample <n>',
      'how many open invoices to sample',
      (v) => {
        if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number');
        return Number(v);
      },
      20,
    )
    .option('--all', 'name the problems of every open invoice, not only a sample')
    .option('--min-decision-maker-email <share>', 'threshold, 0..1', shareOption, DEFAULT_THRESHOLDS.minDecisionMakerEmailShare)
    .option('--min-applied-payments <share>', 'threshold, 0..1', shareOption, DEFAULT_THRESHOLDS.minAppliedPaymentShare)
    .option('--max-problem-invoices <share>', 'threshold, 0..1', shareOption, DEFAULT_THRESHOLDS.maxProblemInvoiceShare)
    .option('--max-untied-customers <share>', 'threshold, 0..1', shareOption, DEFAULT_THRESHOLDS.maxUntiedCustomerShare)
    .action(
      async (opts: {
        json?: boolean;
        all?: boolean;
        asOf?: string;
        sample: number;
        minDecisionMakerEmail: number;
        minAppliedPayments: number;
        maxProblemInvoices: number;
        maxUntiedCustomers: number;
      }) => {
        const database = await openDatabase(loadConfig());
        try {
          const report = await computeReadiness(database.db, {
            asOf: opts.asOf ?? utcDate(new Date()),
            sampleSize: opts.sample,
            all: opts.all,
            thresholds: {
              minDecisionMakerEmailShare: opts.minDecisionMakerEmail,
              minAppliedPaymentShare: opts.minAppliedPayments,
              maxProblemInvoiceShare: opts.maxProblemInvoices,
              maxUntiedCustomerShare: opts.maxUntiedCustomers,
            },
          });
          console.log(opts.json ? JSON.stringify(report, null, 2) : formatReadiness(report));
        } finally {
          await database.close();
        }
      },
    );
}
