/**
 * Decision metrics: how people treat the system's drafts, and how its autonomous actions fare, per
 * scope (action × tier × segment × amount band) over a rolling window, every rate with its counts
 * and its Wilson 95% score interval. Plus a tuning table (edits and rejections per tier × step)
 * with a sentence per row. Pure: rows in, plain data out, one pass over the rows.
 */
import { EDIT_CATEGORIES, type EditCategory } from '../../domain/edit-categories';
import { type Rate, rate } from './stats';

export type { EditCategory } from '../../domain/edit-categories';

export { type Rate, wilsonInterval } from './stats';

export const DECISION_OUTCOMES = ['approved', 'approved_with_edits', 'rejected', 'autonomous'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
export type ReviewOutcome = 'right' | 'wrong';

/**
 * One decision on one proposed action. `approved`: sent as drafted; `approved_with_edits`: a
 * person changed it (editCategory says what) and sent it; `rejected`: a person stopped it;
 * `autonomous`: taken without a person (reviewOutcome is set when it was sampled and reviewed after).
 */
export interface DecisionRow {
  /** ISO 8601 instant with an explicit offset ("2026-03-01T09:30:00Z", "…+01:00"). */
  readonly decidedAt: string;
  readonly actionKind: string;
  readonly tier: string;
  readonly segment: string;
  readonly currency: string;
  /** The action's amount (e.g. the invoice balance it chases), integer minor units. */
  readonly amountMinor: number;
  readonly outcome: DecisionOutcome;
  readonly editCategory?: EditCategory | null;
  readonly reviewOutcome?: ReviewOutcome | null;
  readonly stepKey: string;
  readonly customerId: string;
}

/** Amounts below `belowMinor` (and not below an earlier threshold) fall in `band`. */
export interface AmountBandThreshold {
  readonly band: string;
  readonly belowMinor: number;
}

/**
 * Amount bands per currency: ascending thresholds in minor units, then `topBand` for the rest.
 * A currency without thresholds gets `unbanded` (amounts in different currencies are never
 * compared with one another's thresholds).
 */
export interface AmountBands {
  readonly byCurrency: Readonly<Record<string, readonly AmountBandThreshold[]>>;
  readonly topBand?: string;
  readonly unbanded?: string;
}

const TWO_DECIMAL_BANDS: readonly AmountBandThreshold[] = [
  { band: 'small', belowMinor: 100_000 }, // < 1,000.00
  { band: 'medium', belowMinor: 1_000_000 }, // < 10,000.00
];

/** small < 1,000.00, medium < 10,000.00, large otherwise, for the common two-decimal currencies. */
export const DEFAULT_AMOUNT_BANDS: AmountBands = {
  byCurrency: {
    USD: TWO_DECIMAL_BANDS,
    EUR: TWO_DECIMAL_BANDS,
    GBP: TWO_DECIMAL_BANDS,
    CAD: TWO_DECIMAL_BANDS,
    AUD: TWO_DECIMAL_BANDS,
    CHF: TWO_DECIMAL_BANDS,
  },
  topBand: 'large',
  unbanded: 'unbanded',
};

export function amountBand(bands: AmountBands, currency: string, amountMinor: number): string {
  const thresholds = bands.byCurrency[currency];
  if (!thresholds) return bands.unbanded ?? 'unbanded';
  for (const t of thresholds) if (amountMinor < t.belowMinor) return t.band;
  return bands.topBand ?? 'large';
}

export interface DecisionMetricsOptions {
  /** End of the window, an ISO instant with an explicit offset. */
  readonly asOf: string;
  /** The window is [asOf − windowDays × 24 h, asOf], both ends included. Default 30. */
  readonly windowDays?: number;
  readonly bands?: AmountBands;
}

export interface Scope {
  readonly actionKind: string;
  readonly tier: string;
  readonly segment: string;
  readonly amountBand: string;
}

export interface DecisionCounts {
  readonly total: number;
  /** approved + approved_with_edits + rejected: decisions a person made. */
  readonly reviewedByPerson: number;
  readonly approvedAsDrafted: number;
  readonly approvedWithEdits: number;
  readonly rejected: number;
  readonly autonomous: number;
  /** Edits by category (of approved_with_edits; `unspecified` when none was recorded). */
  readonly editCategories: Readonly<Record<EditCategory | 'unspecified', number>>;
  /** Autonomous actions that were sampled and reviewed after the fact. */
  readonly sampled: number;
  readonly sampledRight: number;
  readonly sampledWrong: number;
  readonly distinctCustomers: number;
  readonly maxTouchesPerCustomer: number;
}

export interface DecisionRates {
  /** approved as drafted ÷ decisions a person made. */
  readonly approvedAsDrafted: Rate;
  /** approved with edits ÷ decisions a person made. */
  readonly approvedWithEdits: Rate;
  /** rejected ÷ decisions a person made. */
  readonly rejected: Rate;
  /** autonomous ÷ all decisions: the share of actions taken without a person. */
  readonly autonomousShare: Rate;
  /** sampled ÷ autonomous: how much of the autonomous work was reviewed. */
  readonly sampledShare: Rate;
  /** wrong ÷ sampled: the error rate of autonomous actions, as reviewed. */
  readonly sampledWrong: Rate;
  /** Each edit category ÷ approved with edits. */
  readonly editCategories: Readonly<Record<EditCategory, Rate>>;
}

export interface ScopeMetrics {
  readonly scope: Scope;
  /** `actionKind|tier|segment|amountBand`. */
  readonly key: string;
  readonly counts: DecisionCounts;
  readonly rates: DecisionRates;
  /** total ÷ distinct customers (null when there are none): how often each customer was touched. */
  readonly touchesPerCustomer: number | null;
}

export interface TuningRow {
  readonly tier: string;
  readonly stepKey: string;
  /** Decisions a person made on this step's drafts for this tier. */
  readonly drafts: number;
  readonly approvedAsDrafted: number;
  readonly edits: number;
  readonly rejections: number;
  readonly editCategories: Readonly<Record<EditCategory | 'unspecified', number>>;
  /** edits ÷ drafts. */
  readonly editRate: Rate;
  /** rejections ÷ drafts. */
  readonly rejectionRate: Rate;
  /** The most frequent recorded edit category (ties: the order of EDIT_CATEGORIES); null without one. */
  readonly topEditCategory: EditCategory | null;
  /** top category's edits ÷ drafts (the sentence's "40% of overdue-21 drafts"). */
  readonly topEditShareOfDrafts: Rate | null;
  /** top category's edits ÷ all edits. */
  readonly topEditShareOfEdits: Rate | null;
}

export interface DecisionMetrics {
  readonly asOf: string;
  readonly windowFrom: string;
  readonly windowDays: number;
  /** Rows inside the window. */
  readonly decisions: number;
  /** Rows outside the window (ignored). */
  readonly outsideWindow: number;
  /** Every scope with at least one decision, sorted by key. */
  readonly scopes: readonly ScopeMetrics[];
  /** All decisions in the window together (touches per customer across scopes). */
  readonly overall: Omit<ScopeMetrics, 'scope' | 'key'>;
  /** Tier × step rows with at least one decision made by a person, sorted by tier then step. */
  readonly tuning: readonly TuningRow[];
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const DAY_MS = 86_400_000;

/** Epoch milliseconds of an ISO instant; refuses strings without an offset (they would be read as local time). */
function parseInstant(value: string, field: string): number {
  const ms = typeof value === 'string' && INSTANT_RE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new RangeError(`${field}: ${JSON.stringify(value)} is not an ISO instant with an offset (e.g. 2026-03-01T09:30:00Z)`);
  return ms;
}

interface Acc {
  total: number;
  approved: number;
  edits: number;
  rejected: number;
  autonomous: number;
  cats: Record<EditCategory | 'unspecified', number>;
  sampled: number;
  right: number;
  wrong: number;
  touches: Map<string, number>;
}

function emptyCats(): Record<EditCategory | 'unspecified', number> {
  return { tone: 0, amount: 0, contact: 0, timing: 0, wording: 0, other: 0, unspecified: 0 };
}

function newAcc(): Acc {
  return {
    total: 0,
    approved: 0,
    edits: 0,
    rejected: 0,
    autonomous: 0,
    cats: emptyCats(),
    sampled: 0,
    right: 0,
    wrong: 0,
    touches: new Map(),
  };
}

const OUTCOMES: ReadonlySet<string> = new Set(DECISION_OUTCOMES);
const CATEGORIES: ReadonlySet<string> = new Set(EDIT_CATEGORIES);

function addRow(a: Acc, r: DecisionRow): void {
  a.total++;
  a.touches.set(r.customerId, (a.touches.get(r.customerId) ?? 0) + 1);
  switch (r.outcome) {
    case 'approved':
      a.approved++;
      break;
    case 'approved_with_edits':
      a.edits++;
      a.cats[r.editCategory ?? 'unspecified']++;
      break;
    case 'rejected':
      a.rejected++;
      break;
    case 'autonomous':
      a.autonomous++;
      if (r.reviewOutcome === 'right' || r.reviewOutcome === 'wrong') {
        a.sampled++;
        if (r.reviewOutcome === 'right') a.right++;
        else a.wrong++;
      }
      break;
  }
}

function finish(a: Acc): Omit<ScopeMetrics, 'scope' | 'key'> {
  const person = a.approved + a.edits + a.rejected;
  let maxTouches = 0;
  for (const n of a.touches.values()) if (n > maxTouches) maxTouches = n;
  const editCategories = {} as Record<EditCategory, Rate>;
  for (const c of EDIT_CATEGORIES) editCategories[c] = rate(a.cats[c], a.edits);
  return {
    counts: {
      total: a.total,
      reviewedByPerson: person,
      approvedAsDrafted: a.approved,
      approvedWithEdits: a.edits,
      rejected: a.rejected,
      autonomous: a.autonomous,
      editCategories: { ...a.cats },
      sampled: a.sampled,
      sampledRight: a.right,
      sampledWrong: a.wrong,
      distinctCustomers: a.touches.size,
      maxTouchesPerCustomer: maxTouches,
    },
    rates: {
      approvedAsDrafted: rate(a.approved, person),
      approvedWithEdits: rate(a.edits, person),
      rejected: rate(a.rejected, person),
      autonomousShare: rate(a.autonomous, a.total),
      sampledShare: rate(a.sampled, a.autonomous),
      sampledWrong: rate(a.wrong, a.sampled),
      editCategories,
    },
    touchesPerCustomer: a.touches.size === 0 ? null : a.total / a.touches.size,
  };
}

function tuningRow(tier: string, stepKey: string, a: Acc): TuningRow {
  const drafts = a.approved + a.edits + a.rejected;
  let top: EditCategory | null = null;
  for (const c of EDIT_CATEGORIES) if (a.cats[c] > 0 && (top === null || a.cats[c] > a.cats[top])) top = c;
  return {
    tier,
    stepKey,
    drafts,
    approvedAsDrafted: a.approved,
    edits: a.edits,
    rejections: a.rejected,
    editCategories: { ...a.cats },
    editRate: rate(a.edits, drafts),
    rejectionRate: rate(a.rejected, drafts),
    topEditCategory: top,
    topEditShareOfDrafts: top === null ? null : rate(a.cats[top], drafts),
    topEditShareOfEdits: top === null ? null : rate(a.cats[top], a.edits),
  };
}

function validateRow(r: DecisionRow, i: number): void {
  if (!OUTCOMES.has(r.outcome))
    throw new RangeError(`decision ${i} outcome: ${JSON.stringify(r.outcome)} is not one of ${DECISION_OUTCOMES.join(', ')}`);
  if (r.editCategory != null && !CATEGORIES.has(r.editCategory)) {
    throw new RangeError(`decision ${i} editCategory: ${JSON.stringify(r.editCategory)} is not one of ${EDIT_CATEGORIES.join(', ')}`);
  }
  if (r.reviewOutcome != null && r.reviewOutcome !== 'right' && r.reviewOutcome !== 'wrong') {
    throw new RangeError(`decision ${i} reviewOutcome: ${JSON.stringify(r.reviewOutcome)} is not right or wrong`);
  }
  if (!Number.isSafeInteger(r.amountMinor))
    throw new RangeError(`decision ${i} amountMinor: ${r.amountMinor} is not a whole number of minor units`);
}

/**
 * Decision metrics over [asOf − windowDays, asOf] (instants, both ends included):
 * - per scope (actionKind × tier × segment × amount band, the band from the row's currency and
 *   amount): counts of approved as drafted, approved with edits (by edit category), rejected and
 *   autonomous; sampled autonomous actions reviewed right / wrong; touches per customer
 *   (decisions ÷ distinct customers, and the most for one customer); and the rates
 *   approved-as-drafted, edited, rejected (÷ decisions a person made), autonomous share
 *   (÷ all decisions), sampled share (÷ autonomous), wrong (÷ sampled), each edit category
 *   (÷ edits), each with numerator, count and Wilson 95% interval;
 * - the tuning table: per tier × stepKey, drafts a person decided, edits, rejections, the top edit
 *   category and its share.
 * editCategory counts only on approved_with_edits rows; reviewOutcome only on autonomous ones.
 */
export function computeDecisionMetrics(rows: readonly DecisionRow[], opts: DecisionMetricsOptions): DecisionMetrics {
  const windowDays = opts.windowDays ?? 30;
  if (!(windowDays > 0) || !Number.isFinite(windowDays))
    throw new RangeError(`windowDays: ${windowDays} must be a positive number of days`);
  const bands = opts.bands ?? DEFAULT_AMOUNT_BANDS;
  const end = parseInstant(opts.asOf, 'asOf');
  const start = end - windowDays * DAY_MS;

  const scopes = new Map<string, { scope: Scope; acc: Acc }>();
  const tuning = new Map<string, { tier: string; stepKey: string; acc: Acc }>();
  const overall = newAcc();
  let outside = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const at = parseInstant(r.decidedAt, `decision ${i} decidedAt`);
    if (at < start || at > end) {
      outside++;
      continue;
    }
    validateRow(r, i);
    const band = amountBand(bands, r.currency, r.amountMinor);
    const key = `${r.actionKind}|${r.tier}|${r.segment}|${band}`;
    let s = scopes.get(key);
    if (!s)
      scopes.set(key, (s = { scope: { actionKind: r.actionKind, tier: r.tier, segment: r.segment, amountBand: band }, acc: newAcc() }));
    addRow(s.acc, r);
    addRow(overall, r);
    if (r.outcome !== 'autonomous') {
      const tkey = `${r.tier}|${r.stepKey}`;
      let t = tuning.get(tkey);
      if (!t) tuning.set(tkey, (t = { tier: r.tier, stepKey: r.stepKey, acc: newAcc() }));
      addRow(t.acc, r);
    }
  }

  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    asOf: opts.asOf,
    windowFrom: new Date(start).toISOString(),
    windowDays,
    decisions: overall.total,
    outsideWindow: outside,
    scopes: [...scopes.keys()].sort(byKey).map((key) => {
      const s = scopes.get(key)!;
      return { scope: s.scope, key, ...finish(s.acc) };
    }),
    overall: finish(overall),
    tuning: [...tuning.values()]
      .sort((a, b) => byKey(a.tier, b.tier) || byKey(a.stepKey, b.stepKey))
      .map((t) => tuningRow(t.tier, t.stepKey, t.acc)),
  };
}

/** What approvers did, per edit category, as a verb phrase taking "N% of <step> drafts". */
const EDIT_VERBS: Readonly<Record<EditCategory, string>> = {
  tone: 'changed the tone of',
  amount: 'changed the amount in',
  contact: 'changed the recipient of',
  timing: 'changed the timing of',
  wording: 'reworded',
  other: 'edited',
};

function pct(numerator: number, count: number): string {
  return `${Math.round((numerator / count) * 100)}%`;
}

/**
 * One tuning row as a sentence, e.g. "approvers changed the tone of 40% of overdue-21 drafts for
 * the strategic tier (8 of 20); they rejected 10% (2 of 20)". Pass `verbs` to say it differently
 * (e.g. { tone: 'softened the tone of' } when the edits are known to soften).
 */
export function describeTuningRow(row: TuningRow, verbs: Partial<Record<EditCategory, string>> = {}): string {
  const what = `${row.stepKey} drafts for the ${row.tier} tier`;
  if (row.drafts === 0) return `approvers decided no ${what}`;
  const rejected = row.rejections > 0 ? `; they rejected ${pct(row.rejections, row.drafts)} (${row.rejections} of ${row.drafts})` : '';
  if (row.topEditCategory !== null) {
    const n = row.editCategories[row.topEditCategory];
    const verb = verbs[row.topEditCategory] ?? EDIT_VERBS[row.topEditCategory];
    return `approvers ${verb} ${pct(n, row.drafts)} of ${what} (${n} of ${row.drafts})${rejected}`;
  }
  if (row.edits > 0)
    return `approvers edited ${pct(row.edits, row.drafts)} of ${what} (${row.edits} of ${row.drafts}, no edit category recorded)${rejected}`;
  if (row.rejections === 0) return `approvers approved all ${row.drafts} ${what} as drafted`;
  return `approvers edited none of the ${row.drafts} ${what}${rejected}`;
}
