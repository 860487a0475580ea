/**
 * The receivables report as `ar metrics --json` and `GET /api/metrics` give it: the ledger metrics
 * as of a date (the contract fields under byCurrency), their breakdowns, days to pay, and the
 * definitions in words, so a reader can check any figure by hand.
 */
import { indexLedger, type LedgerFacts } from './facts';
import { computeDaysToPay, computeLedgerMetricsRaw, LEDGER_METRIC_DEFINITIONS, presentLedgerMetrics, type LedgerMetrics } from './ledger';
import type { PerCurrency } from './receivables';

export interface MetricsReportOptions {
  readonly asOf: string;
  readonly from?: string;
  readonly dsoDays?: number;
}

export interface MetricsReport extends LedgerMetrics {
  /** [asOf − dsoDays + 1, asOf]: the window of creditSales and the standard DSO. */
  readonly dsoWindowFrom: string;
  readonly daysToPay: {
    readonly byCurrency: ReturnType<typeof computeDaysToPay>['byCurrency'];
    readonly byTier: ReturnType<typeof computeDaysToPay>['byTier'];
    readonly bySegment: ReturnType<typeof computeDaysToPay>['bySegment'];
  };
  readonly openInvoices: PerCurrency<number>;
  /** Invoices whose stated open balance carries a reduction no dated movement explains (counted from their import). */
  readonly undatedSettlements: number;
  /** Settlements naming an invoice the facts do not hold (they settle nothing). */
  readonly unmatchedSettlements: number;
  readonly definitions: typeof LEDGER_METRIC_DEFINITIONS;
}

export function metricsReport(facts: LedgerFacts, opts: MetricsReportOptions): MetricsReport {
  const ix = indexLedger(facts);
  const raw = computeLedgerMetricsRaw(ix, opts);
  const days = computeDaysToPay(ix, { asOf: opts.asOf });
  const openInvoices: PerCurrency<number> = {};
  for (const [cur, m] of Object.entries(raw.byCurrency)) openInvoices[cur] = m.openInvoices;
  return {
    ...presentLedgerMetrics(raw),
    dsoWindowFrom: raw.dsoWindowFrom,
    daysToPay: { byCurrency: days.byCurrency, byTier: days.byTier, bySegment: days.bySegment },
    openInvoices,
    undatedSettlements: facts.settlements.filter((s) => s.kind === 'stated').length,
    unmatchedSettlements: raw.unmatchedSettlements,
    definitions: LEDGER_METRIC_DEFINITIONS,
  };
}
