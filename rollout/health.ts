/**
 * Receivables health against the pilot's baseline: CEI drop and DSO rise of the worst currency,
 * comparing the metrics as of today with the newest baseline snapshot. No baseline: nothing to
 * compare (null), and the criteria say so rather than guess.
 */
import type { MetricsReport } from '../insights/metrics';
import type { Health } from './messages';

type Figures = Pick<MetricsReport['byCurrency'][string], 'dsoStandardDays' | 'ceiPercent'>;

export function healthAgainst(baseline: Record<string, Figures> | null, current: Record<string, Figures>): Health {
  if (!baseline) return { ceiDropPoints: null, dsoRiseDays: null };
  let cei: number | null = null;
  let dso: number | null = null;
  for (const [cur, b] of Object.entries(baseline)) {
    const c = current[cur];
    if (!c) continue;
    if (b.ceiPercent !== null && c.ceiPercent !== null) cei = Math.max(cei ?? -Infinity, b.ceiPercent - c.ceiPercent);
    if (b.dsoStandardDays !== null && c.dsoStandardDays !== null) dso = Math.max(dso ?? -Infinity, c.dsoStandardDays - b.dsoStandardDays);
  }
  return { ceiDropPoints: cei, dsoRiseDays: dso };
}
