/**
 * `npm run bench:matching` (or `npx tsx dev/bench/matching.ts`): cash application matching at
 * ledger scale. Generates a labelled book (seeded, so runs repeat), builds the matcher's index,
 * matches every credit, and compares with a naive all-pairs scan over a sample, extrapolated.
 * Then reports accuracy at the default autoApplyMinConfidence: precision of automatic
 * allocations, automatic rate among credits a person could attribute, and automatic applications
 * of credits nobody could attribute.
 *
 *   --invoices 100000 --credits 10000 [--customers N] [--seed 20240630] [--naive-sample 100]
 */
import { performance } from 'node:perf_hooks';
import { createMatcher, DEFAULT_POLICY } from '../../cash/matching';
import { evaluate } from '../../cash/matching/testing/evaluate';
import { generateBook, SCENARIOS, UNATTRIBUTABLE, type Scenario } from '../../cash/matching/testing/generator';
import type { MatchResult } from '../../cash/matching/types';
import { naiveMatch } from './matching-naive';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got ${process.argv[i + 1]}`);
  return v;
}

const nInvoices = flag('invoices', 100_000);
const nCredits = flag('credits', 10_000);
const nCustomers = flag('customers', Math.round(nInvoices / 10));
const seed = flag('seed', 20240630);
const naiveSample = flag('naive-sample', 100);

let peakRss = 0;
let peakHeap = 0;
function sample(): void {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const int = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

sample();
let t = performance.now();
const book = generateBook({ invoices: nInvoices, credits: nCredits, customers: nCustomers, seed });
const generateMs = performance.now() - t;
sample();
const heapBeforeIndex = process.memoryUsage().heapUsed;

t = performance.now();
const matcher = createMatcher(book.invoices, book.customers, book.policy);
const buildMs = performance.now() - t;
sample();
const indexHeap = process.memoryUsage().heapUsed - heapBeforeIndex;

const results: MatchResult[] = new Array(book.credits.length);
t = performance.now();
for (let i = 0; i < book.credits.length; i++) {
  results[i] = matcher.match(book.credits[i]!.credit);
  if ((i & 1023) === 0) sample();
}
const matchMs = performance.now() - t;
sample();

// Naive all-pairs scan over a sample, extrapolated to all credits.
const sampleSize = Math.min(naiveSample, book.credits.length);
const step = Math.max(1, Math.floor(book.credits.length / Math.max(1, sampleSize)));
t = performance.now();
let naiveDone = 0;
for (let i = 0; i < book.credits.length && naiveDone < sampleSize; i += step, naiveDone++)
  naiveMatch(book.credits[i]!.credit, book.invoices, book.customers);
const naiveMs = performance.now() - t;
sample();
const naiveExtrapolatedMs = naiveDone ? (naiveMs / naiveDone) * book.credits.length : 0;

const acc = evaluate(book.credits, results);

console.log(
  `cash matching benchmark: ${int(matcher.stats.openInvoices)} open invoices, ${int(matcher.stats.customers)} customers, ${int(book.credits.length)} credits (seed ${seed}, node ${process.version})\n`,
);
console.log(
  table([
    ['step', 'time', 'per credit', 'note'],
    ['generate labelled book', secs(generateMs), '', 'not part of matching'],
    ['index build (createMatcher)', secs(buildMs), '', `${int(matcher.stats.numberKeys)} invoice-number keys, ~${mb(indexHeap)} heap`],
    [
      'match all credits (indexed)',
      secs(matchMs),
      `${((matchMs * 1000) / book.credits.length).toFixed(0)} µs`,
      `index + match ${secs(buildMs + matchMs)}`,
    ],
    [
      `naive all-pairs, ${naiveDone} credits`,
      secs(naiveMs),
      `${((naiveMs * 1000) / Math.max(1, naiveDone)).toFixed(0)} µs`,
      `every credit × every invoice and customer`,
    ],
    [
      `naive, extrapolated to ${int(book.credits.length)}`,
      secs(naiveExtrapolatedMs),
      '',
      `indexed is ${(naiveExtrapolatedMs / matchMs).toFixed(0)}× faster`,
    ],
  ]),
);
console.log(`\npeak memory (sampled): rss ${mb(peakRss)}, heapUsed ${mb(peakHeap)}`);
const k = matcher.counters;
console.log(
  `subset searches: ${int(k.subsetSearches)} (${int(k.subsetSearchesCutShort)} cut short by the step budget), ${int(k.subsetSteps)} steps\n`,
);

const ok = (pass: boolean) => (pass ? 'yes' : 'NO');
console.log(`accuracy at autoApplyMinConfidence ${DEFAULT_POLICY.autoApplyMinConfidence}\n`);
console.log(
  table([
    ['metric', 'value', 'target', 'met'],
    [
      'precision of automatic allocations',
      `${pct(acc.precision)} (${int(acc.autoCorrect)} of ${int(acc.autoApplied)})`,
      '≥ 99.50%',
      ok(acc.precision >= 0.995),
    ],
    [
      'auto-match rate among matchable credits',
      `${pct(acc.autoRate)} (${int(acc.autoMatchable)} of ${int(acc.matchable)})`,
      '≥ 90.00%',
      ok(acc.autoRate >= 0.9),
    ],
    [
      'automatic applications of unattributable credits',
      `${acc.unattributableAuto} of ${int(acc.credits - acc.matchable)}`,
      '0',
      ok(acc.unattributableAuto === 0),
    ],
  ]),
);

const rows: string[][] = [['scenario', 'credits', 'auto', 'auto correct', 'propose', 'propose correct', 'unapplied']];
for (const s of Object.keys(SCENARIOS) as Scenario[]) {
  const c = acc.byScenario.get(s);
  if (!c) continue;
  rows.push([
    `${s}${UNATTRIBUTABLE.has(s) ? ' (unattributable)' : ''}`,
    int(c.n),
    int(c.auto),
    UNATTRIBUTABLE.has(s) ? '-' : int(c.autoCorrect),
    int(c.propose),
    UNATTRIBUTABLE.has(s) ? '-' : int(c.proposeCorrect),
    int(c.unapplied),
  ]);
}
console.log(`\nby scenario\n\n${table(rows)}`);
if (acc.wrongAuto.length) console.log(`\nwrong automatic applications (first 10): ${acc.wrongAuto.slice(0, 10).join(', ')}`);
