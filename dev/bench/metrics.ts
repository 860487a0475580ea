/**
 * `npm run bench:metrics`: what `ar metrics` costs on 100,000 invoices and 150,000 payments, and
 * the decision metrics on 50,000 decisions, each next to a baseline run in the same process:
 * - ledger: a plain SQL aggregate of the open total per currency (`select currency,
 *   sum(open_minor) ... group by currency`) on the same database;
 * - decisions: one plain pass counting outcomes per scope key over the same rows.
 * The data are generated server-side in a fresh database (dropped afterwards). BENCH_INVOICES
 * overrides the invoice count (payments are 1.5 per invoice).
 */
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../harness/database';
import { computeDecisionMetrics, type DecisionRow, metricsReport } from '../../insights/metrics';
import { loadMetricFacts } from '../../ledger/read-models/metric-facts';
import { median } from './median';

const INVOICES = Number(process.env.BENCH_INVOICES ?? 100_000);
const CUSTOMERS = Math.max(10, Math.round(INVOICES / 20));
const DECISIONS = 50_000;
const AS_OF = '2026-03-31';

function peakRssMb(): number {
  // maxRSS is in kilobytes: the process's peak so far.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

const t = await createTestDatabase();
try {
  const q = (text: string) => t.db.$client.query(text);
  const seed0 = performance.now();
  await q(`insert into customers (id, name, tier, segment)
    select 'C' || g, 'Customer ' || g, (array['strategic','standard','small'])[1 + g % 3], 'seg-' || (g % 7)
    from generate_series(1, ${CUSTOMERS}) g`);
  // Two years of invoices in three currencies; amounts and dates from a hash of the row number (repeatable).
  await q(`insert into invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date, status)
    select 'INV-' || g, 'C' || (1 + g % ${CUSTOMERS}), (array['USD','USD','EUR','JPY'])[1 + g % 4],
           1000 + (hashint4(g) & 1048575) * 4, 1000 + (hashint4(g) & 1048575) * 4,
           date '2024-04-01' + (g % 730), date '2024-04-01' + (g % 730) + 30, 'open'
    from generate_series(1, ${INVOICES}) g`);
  // 1.5 payments per invoice: every invoice gets a half payment, every other one a second half (paid in full).
  await q(`insert into payments (id, customer_id, received_on, currency, amount_minor)
    select 'P' || g || '-' || k, i.customer_id, least(i.issue_date + 10 + (hashint4(g * 7 + k) & 63), date '${AS_OF}' + 60), i.currency, i.amount_minor / 2
    from generate_series(1, ${INVOICES}) g cross join generate_series(1, 2) k
    join invoices i on i.number = 'INV-' || g
    where k = 1 or g % 2 = 0`);
  await q(`insert into payment_applications (payment_id, invoice_number, amount_minor)
    select p.id, 'INV-' || split_part(substr(p.id, 2), '-', 1), p.amount_minor from payments p`);
  await q(`update invoices i set open_minor = i.amount_minor - a.applied, status = case when i.amount_minor = a.applied then 'paid' else 'open' end
    from (select invoice_number, sum(amount_minor) applied from payment_applications group by invoice_number) a
    where a.invoice_number = i.number`);
  await q('analyze');
  const counts = (await q('select (select count(*) from invoices) i, (select count(*) from payments) p')).rows[0] as {
    i: string;
    p: string;
  };
  console.log(
    `seeded ${counts.i} invoices, ${counts.p} payments, ${CUSTOMERS} customers in ${((performance.now() - seed0) / 1000).toFixed(1)} s`,
  );

  const baseline = await median(5, () =>
    q("select currency, sum(open_minor) from invoices where status in ('open','disputed') group by currency"),
  );
  let loadMs = 0;
  let computeMs = 0;
  let report: ReturnType<typeof metricsReport> | undefined;
  const total = await median(5, async () => {
    const t0 = performance.now();
    const facts = await loadMetricFacts(t.db, AS_OF);
    const t1 = performance.now();
    report = metricsReport(facts, { asOf: AS_OF });
    loadMs = t1 - t0;
    computeMs = performance.now() - t1;
  });
  const ledgerRss = peakRssMb();
  console.log(
    `ledger metrics (load + compute, median of 5): ${total.toFixed(0)} ms (last run: load ${loadMs.toFixed(0)} ms, compute ${computeMs.toFixed(0)} ms); ` +
      `plain SQL open total: ${baseline.toFixed(1)} ms; ratio ${(total / baseline).toFixed(1)}x; peak RSS ${ledgerRss} MB`,
  );
  console.log(
    `  USD: AR ${report!.byCurrency.USD!.arOpen}, DSO ${report!.byCurrency.USD!.dsoStandardDays} d, CEI ${report!.byCurrency.USD!.ceiPercent}%`,
  );

  const outcomes = ['approved', 'approved_with_edits', 'rejected', 'autonomous'] as const;
  const rows: DecisionRow[] = [];
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < DECISIONS; i++) {
    const outcome = outcomes[(i * 7) % 4]!;
    rows.push({
      decidedAt: new Date(base + ((i * 7919) % (90 * 86_400)) * 1000).toISOString(),
      actionKind: ['reminder', 'call', 'escalation'][i % 3]!,
      tier: ['strategic', 'standard', 'small'][(i >> 2) % 3]!,
      segment: `s${i % 8}`,
      currency: ['USD', 'EUR', 'GBP'][i % 3]!,
      amountMinor: (i * 104_729) % 3_000_000,
      outcome,
      editCategory:
        outcome === 'approved_with_edits' ? (['tone', 'amount', 'contact', 'timing', 'wording', 'other'] as const)[i % 6] : undefined,
      reviewOutcome: outcome === 'autonomous' && i % 5 === 0 ? (i % 3 === 0 ? 'wrong' : 'right') : undefined,
      stepKey: `overdue-${[7, 14, 21, 30][i % 4]}`,
      customerId: `C${i % 4000}`,
    });
  }
  const plain = await median(5, () => {
    const byScope = new Map<string, number[]>();
    for (const r of rows) {
      const key = `${r.actionKind}|${r.tier}|${r.segment}`;
      let c = byScope.get(key);
      if (!c) byScope.set(key, (c = [0, 0, 0, 0]));
      c[outcomes.indexOf(r.outcome as (typeof outcomes)[number])]!++;
    }
    return byScope;
  });
  let scopes = 0;
  const decisions = await median(5, () => {
    scopes = computeDecisionMetrics(rows, { asOf: `${AS_OF}T23:59:59Z`, windowDays: 90 }).scopes.length;
  });
  console.log(
    `decision metrics over ${DECISIONS} decisions (median of 5): ${decisions.toFixed(0)} ms, ${scopes} scopes; ` +
      `plain count per scope: ${plain.toFixed(1)} ms; ratio ${(decisions / plain).toFixed(1)}x; peak RSS ${peakRssMb()} MB`,
  );
} finally {
  await t.close();
}
