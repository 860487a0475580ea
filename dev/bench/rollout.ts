/**
 * `npm run bench:rollout`: what one rollout evaluation costs on 100,000 invoices and 50,000
 * decisions, next to a baseline run in the same process on the same database: the reports an
 * operator reads anyway (`ar metrics` + `ar metrics decisions`, i.e. the receivables metrics and
 * the decision metrics over the same window). The evaluation reads the window's decisions and
 * autonomous sends (with reviews and disputes), computes today's CEI and DSO against the stored
 * baseline, and checks every scope of the plan. Ratios, never absolute thresholds.
 * BENCH_INVOICES overrides the invoice count.
 */
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../harness/database';
import { decisionReport } from '../../insights/decision-report';
import { metricsReport } from '../../insights/metrics';
import { takeSnapshot } from '../../insights/snapshots';
import { loadMetricFacts } from '../../ledger/read-models/metric-facts';
import { loadRolloutFacts } from '../../ledger/read-models/rollout-facts';
import { measureNow } from '../../rollout/evaluation';
import { measure } from '../../rollout/measure';
import { currentPolicy, publishPolicy } from '../../policy/store';
import { autonomyAtPhase } from '../../domain/rollout-plan';
import { computeDecisionMetrics } from '../../insights/metrics';
import { loadDecisionRows } from '../../ledger/read-models/decision-facts';
import { median } from './median';

const INVOICES = Number(process.env.BENCH_INVOICES ?? 100_000);
const CUSTOMERS = Math.max(10, Math.round(INVOICES / 20));
const PROPOSALS = 40_000;
const AUTONOMOUS = 10_000;
const AS_OF = '2026-03-31';
const AS_OF_INSTANT = new Date(`${AS_OF}T23:00:00Z`);

const t = await createTestDatabase();
try {
  const q = (text: string) => t.db.$client.query(text);
  const seed0 = performance.now();
  await q(`insert into customers (id, name, tier, segment, risk_score)
    select 'C' || g, 'Customer ' || g, (array['strategic','standard','small'])[1 + g % 3], 'seg-' || (g % 7), g % 90
    from generate_series(1, ${CUSTOMERS}) g`);
  await q(`insert into invoices (number, customer_id, currency, amount_minor, open_minor, issue_date, due_date, status)
    select 'INV-' || g, 'C' || (1 + g % ${CUSTOMERS}), (array['USD','USD','EUR','GBP'])[1 + g % 4],
           1000 + (hashint4(g) & 1048575) * 4, 1000 + (hashint4(g) & 1048575) * 4,
           date '2024-04-01' + (g % 730), date '2024-04-01' + (g % 730) + 30, 'open'
    from generate_series(1, ${INVOICES}) g`);
  await q(`insert into payments (id, customer_id, received_on, currency, amount_minor)
    select 'P' || g, i.customer_id, least(i.issue_date + 10 + (hashint4(g * 7) & 63), date '${AS_OF}'), i.currency, i.amount_minor / 2
    from generate_series(1, ${INVOICES}) g join invoices i on i.number = 'INV-' || g`);
  await q(`insert into payment_applications (payment_id, invoice_number, amount_minor)
    select p.id, 'INV-' || substr(p.id, 2), p.amount_minor from payments p`);
  await q(`update invoices i set open_minor = i.amount_minor - a.applied
    from (select invoice_number, sum(amount_minor) applied from payment_applications group by invoice_number) a
    where a.invoice_number = i.number`);
  // 40,000 proposals decided over the 28 days to the as-of date: 93% as drafted, 4% edited, 3% rejected.
  await q(`insert into proposals (id, workflow_id, invoice_number, customer_id, action_kind, step_key, tone, subject, body, reasoning,
      policy_version, currency, amount_minor, status, decided_by, decided_at, edited_body, shadow_scope)
    select 'P-' || g, 'invoice-INV-' || g, 'INV-' || g, i.customer_id,
           (array['reminder','reminder','reminder','promise_logging','cash_match','statement'])[1 + g % 6], 'overdue-7', 'friendly',
           'Reminder', 'Please pay', 'bench', 1, i.currency, i.amount_minor % 600000,
           case when g % 100 < 97 then 'approved' else 'rejected' end, 'bench',
           timestamptz '${AS_OF}T23:00:00Z' - ((g % 28) || ' days')::interval - ((g % 600) || ' minutes')::interval,
           case when g % 100 between 93 and 96 then 'edited' end,
           case when g % 5 = 0 then 'reminder-standard' end
    from generate_series(1, ${PROPOSALS}) g join invoices i on i.number = 'INV-' || g`);
  // 10,000 autonomous reminder sends in the last 7 days, every tenth reviewed, 1% followed by a dispute.
  await q(`insert into audit_log (idempotency_key, workflow_id, invoice_number, customer_id, action, actor, reasoning, policy_version, approved_by, at)
    select 'invoice-INV-' || (${PROPOSALS} + g) || '/overdue-1/sent', 'invoice-INV-' || (${PROPOSALS} + g), 'INV-' || (${PROPOSALS} + g),
           i.customer_id, 'reminder_sent', 'system', 'bench', 2, 'autonomy:policy-v2:phase-1:reminder-small:autonomous',
           timestamptz '${AS_OF}T23:00:00Z' - ((g % 7) || ' days')::interval - ((g % 600) || ' minutes')::interval
    from generate_series(1, ${AUTONOMOUS}) g join invoices i on i.number = 'INV-' || (${PROPOSALS} + g)`);
  await q(`insert into autonomy_reviews (audit_key, invoice_number, customer_id, scope_id, verdict, kind, reason, reviewed_by, reviewed_at)
    select a.idempotency_key, a.invoice_number, a.customer_id, 'reminder-small',
           case when a.id % 50 = 0 then 'wrong' else 'right' end, 'content', 'bench', 'bench', a.at
    from audit_log a where a.id % 10 = 0`);
  await q(`insert into disputes (id, invoice_number, reason, opened_at)
    select 'D-' || a.id, a.invoice_number, 'bench', a.at + interval '1 day' from audit_log a where a.id % 100 = 7`);
  await q('analyze');
  await takeSnapshot(t.db, { kind: 'baseline', asOf: '2026-02-28', takenBy: 'bench', note: 'pilot baseline' });
  // Phase 1 in force: the evaluation checks the granted scope for demotion and phase 2 for promotion.
  const { version: _v, ...body } = await currentPolicy(t.db);
  await publishPolicy(
    t.db,
    { ...body, rollout: { ...body.rollout, phase: 1 }, autonomy: autonomyAtPhase(body.rollout, 1, []) },
    { note: 'bench: phase 1', createdBy: 'bench' },
  );
  console.log(
    `seeded ${INVOICES} invoices, ${INVOICES} payments, ${PROPOSALS} decided proposals + ${AUTONOMOUS} autonomous sends (${PROPOSALS + AUTONOMOUS} decisions) in ${((performance.now() - seed0) / 1000).toFixed(1)} s`,
  );

  // Warm both paths once (plans, JIT) before timing.
  await measureNow(t.db, AS_OF_INSTANT);
  const baseline = await median(5, async () => {
    metricsReport(await loadMetricFacts(t.db, AS_OF), { asOf: AS_OF });
    await decisionReport(t.db, { asOf: AS_OF_INSTANT, windowDays: 28 });
  });
  let m: Awaited<ReturnType<typeof measureNow>> | undefined;
  const evaluation = await median(5, async () => {
    m = await measureNow(t.db, AS_OF_INSTANT);
  });
  console.log(
    `one evaluation (facts + CEI/DSO vs baseline + every scope, median of 5): ${evaluation.toFixed(0)} ms; ` +
      `baseline (ar metrics + ar metrics decisions, same data): ${baseline.toFixed(0)} ms; ratio ${(evaluation / baseline).toFixed(2)}x`,
  );
  for (const c of m!.candidates)
    console.log(
      `  candidate ${c.verdict.scopeId}: ${c.evidence.approvedAsDrafted}/${c.evidence.decided} as drafted, ${c.verdict.pass ? 'passes' : 'not yet'}`,
    );
  for (const g of m!.granted)
    console.log(`  granted ${g.verdict.scopeId}: ${g.evidence.autonomous} autonomous, ${g.evidence.reviewed} reviewed`);

  // The pure part alone, rows in memory: the scope checks against one pass of the decision metrics.
  const plan = (await currentPolicy(t.db)).rollout;
  const facts = await loadRolloutFacts(t.db, { from: new Date(AS_OF_INSTANT.getTime() - 28 * 86_400_000), to: AS_OF_INSTANT });
  const rows = await loadDecisionRows(t.db, { from: new Date(AS_OF_INSTANT.getTime() - 28 * 86_400_000), to: AS_OF_INSTANT });
  const window = { from: new Date(AS_OF_INSTANT.getTime() - 28 * 86_400_000), to: AS_OF_INSTANT };
  const factsMs = await median(5, () => loadRolloutFacts(t.db, window));
  const rowsMs = await median(5, () => loadDecisionRows(t.db, window));
  const healthMs = await median(3, async () => metricsReport(await loadMetricFacts(t.db, AS_OF), { asOf: AS_OF }));
  console.log(
    `  of which: rollout facts ${factsMs.toFixed(0)} ms (decision rows for the metrics: ${rowsMs.toFixed(0)} ms), receivables metrics for CEI/DSO ${healthMs.toFixed(0)} ms`,
  );
  const health = { ceiDropPoints: 0, dsoRiseDays: 0 };
  const pure = await median(9, async () => measure(plan, { policyVersion: 1, asOf: AS_OF_INSTANT, facts, health }));
  const metricsPass = await median(9, async () => computeDecisionMetrics(rows, { asOf: AS_OF_INSTANT.toISOString(), windowDays: 28 }));
  console.log(
    `pure checks over ${facts.length} facts (median of 9): ${pure.toFixed(1)} ms; decision metrics over the same ${rows.length} rows: ${metricsPass.toFixed(1)} ms; ratio ${(pure / metricsPass).toFixed(2)}x`,
  );
} finally {
  await t.close();
}
