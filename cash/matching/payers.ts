/**
 * Payer → customer. A payer account learned from earlier applied matches is the strong signal;
 * the payer's name is compared with customers' names after both are normalised (case,
 * punctuation, diacritics, legal forms such as GmbH, S.p.A., Inc). Customers are indexed by name
 * tokens and token prefixes/suffixes (so a typo in one end of a word still blocks), and fuzzball
 * scores only the few customers that share the rarest tokens with the payer: never all of them.
 */
import { token_set_ratio, token_sort_ratio } from 'fuzzball';
import { electronicFormatIBAN, friendlyFormatIBAN, isValidIBAN } from 'ibantools';
import { compactAlnum, fold } from './text';
import type { CustomerIdentity } from './types';

/** Legal forms and company-type words that say nothing about which company it is. */
const LEGAL_FORMS = new Set([
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'lc',
  'pllc',
  'pc',
  'ltd',
  'limited',
  'plc',
  'corp',
  'corporation',
  'co',
  'company',
  'cie',
  'gmbh',
  'mbh',
  'gesmbh',
  'ag',
  'kg',
  'kgaa',
  'ohg',
  'gbr',
  'ug',
  'ev',
  'se',
  'sa',
  'sarl',
  'sas',
  'sasu',
  'eurl',
  'snc',
  'sca',
  'spa',
  'srl',
  'srls',
  'sl',
  'slu',
  'lda',
  'ltda',
  'sro',
  'sp',
  'zoo',
  'bv',
  'bvba',
  'nv',
  'vof',
  'cv',
  'as',
  'asa',
  'ab',
  'oy',
  'oyj',
  'aps',
  'hf',
  'ehf',
  'kft',
  'zrt',
  'nyrt',
  'doo',
  'ooo',
  'pjsc',
  'jsc',
  'pty',
  'pte',
  'pvt',
  'bhd',
  'sdn',
  'kk',
  'tbk',
  'ulc',
]);
const STOPWORDS = new Set(['the', 'and', 'und', 'et', 'of']);

/** "ACME Corp." → "acme"; "Müller & Söhne GmbH & Co. KG" → "muller sohne". */
export function normaliseName(name: string): string {
  let s = fold(name).toLowerCase().replace(/[&+]/g, ' and ');
  // Dotted abbreviations become one word first: "s.p.a." → "spa", "b. v." → "bv".
  s = s.replace(/\b[a-z](?:\.\s?[a-z]\b)+\.?/g, (m) => m.replace(/[.\s]/g, ''));
  const words = s.split(/[^a-z0-9]+/).filter(Boolean);
  const kept = words.filter((w) => !LEGAL_FORMS.has(w) && !STOPWORDS.has(w));
  // A name that is nothing but legal words ("AB") keeps them rather than becoming empty.
  return (kept.length ? kept : words).join(' ');
}

/** Account ids compared without spaces, dashes and case; IBANs in electronic format. */
export function normaliseAccount(account: string): string {
  const iban = electronicFormatIBAN(account);
  if (iban && isValidIBAN(iban)) return iban;
  return compactAlnum(account);
}

export interface NameMatch {
  /** Index into the directory's customers. */
  readonly customer: number;
  /** 0..100: two thirds token-set, one third token-sort ratio of the normalised names. */
  readonly score: number;
}

/** A name score of at least this is reported at all. */
const MIN_NAME_SCORE = 80;
/** How many blocked customers are scored with fuzzball per payer name. */
const SCORED_PER_NAME = 10;
/** How many blocked customers are re-ranked by the payer's common words before scoring. */
const RERANKED_PER_NAME = 40;
/** ... and only those whose blocking weight is at least this share of the best one's. */
const BLOCK_WEIGHT_SHARE = 0.5;

function blockingKeys(tokens: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const t of tokens) {
    if (t.length < 2 && tokens.length > 1) continue;
    keys.add(`t:${t}`);
    if (t.length >= 5) {
      keys.add(`p:${t.slice(0, 4)}`);
      keys.add(`s:${t.slice(-4)}`);
    }
  }
  return [...keys];
}

export function nameScore(a: string, b: string): number {
  if (a === b) return 100;
  const opts = { full_process: false };
  return Math.round((2 * token_set_ratio(a, b, opts) + token_sort_ratio(a, b, opts)) / 3);
}

export class CustomerDirectory {
  readonly customers: readonly CustomerIdentity[];
  readonly normalisedNames: readonly string[];
  private readonly byId = new Map<string, number>();
  private readonly accounts = new Map<string, number[]>();
  private readonly blocks = new Map<string, number[]>();
  /** Each customer's own blocking keys, as ids (a few integers: scanning them beats hashing strings). */
  private readonly keysOf: Int32Array[] = [];
  private readonly keyIds = new Map<string, number>();
  /** Keys shared by more customers than this are too common to block on ("logistics"). */
  private readonly maxBlock: number;
  private readonly cache = new Map<string, readonly NameMatch[]>();
  /** Payer names and accounts as normalised, per raw string (bank files repeat payers). */
  private readonly nameForms = new Map<string, string>();
  private readonly accountForms = new Map<string, { form: string; shown: string }>();
  /** Per customer, the blocking weight of the name being scored; zero between names. */
  private readonly weightScratch: Float64Array;
  /** Per blocking key id, its position + 1 among the name's common keys; zero between names. */
  private readonly commonScratch: Int32Array;

  constructor(customers: readonly CustomerIdentity[]) {
    // Stable order whatever order the caller passed: results must not depend on it.
    this.customers = [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.normalisedNames = this.customers.map((c) => normaliseName(c.name));
    this.maxBlock = Math.max(50, Math.ceil(this.customers.length * 0.01));
    this.customers.forEach((c, i) => {
      this.byId.set(c.id, i);
      for (const acc of c.knownAccounts) {
        const k = normaliseAccount(acc);
        if (!k) continue;
        const list = this.accounts.get(k) ?? [];
        if (!list.includes(i)) list.push(i);
        this.accounts.set(k, list);
      }
      const tokens = this.normalisedNames[i]!.split(' ').filter(Boolean);
      const own = blockingKeys(tokens);
      this.keysOf.push(
        Int32Array.from(own, (k) => {
          let id = this.keyIds.get(k);
          if (id === undefined) this.keyIds.set(k, (id = this.keyIds.size));
          return id;
        }),
      );
      for (const key of own) {
        const list = this.blocks.get(key);
        if (list) list.push(i);
        else this.blocks.set(key, [i]);
      }
    });
    this.weightScratch = new Float64Array(this.customers.length);
    this.commonScratch = new Int32Array(this.keyIds.size);
  }

  indexOf(customerId: string): number | undefined {
    return this.byId.get(customerId);
  }

  /** Customers that paid from this account before (several when a parent pays for subsidiaries). */
  byAccount(account: string): readonly number[] {
    return this.accounts.get(this.accountOf(account).form) ?? [];
  }

  /** How a payer account is written in evidence: IBANs grouped by four, others as given. */
  displayAccount(account: string): string {
    return this.accountOf(account).shown;
  }

  /** A payer account's compared and displayed forms, validated as an IBAN once per raw string. */
  private accountOf(account: string): { form: string; shown: string } {
    let forms = this.accountForms.get(account);
    if (forms === undefined) {
      if (this.accountForms.size >= 50_000) this.accountForms.clear();
      const iban = electronicFormatIBAN(account);
      forms =
        iban && isValidIBAN(iban)
          ? { form: iban, shown: friendlyFormatIBAN(iban) ?? account }
          : { form: compactAlnum(account), shown: account.trim() };
      this.accountForms.set(account, forms);
    }
    return forms;
  }

  /** normaliseName, remembered per raw payer name. */
  private normalisedPayer(payerName: string): string {
    let norm = this.nameForms.get(payerName);
    if (norm === undefined) {
      if (this.nameForms.size >= 50_000) this.nameForms.clear();
      this.nameForms.set(payerName, (norm = normaliseName(payerName)));
    }
    return norm;
  }

  /** The name score of a payer name against one customer. */
  scoreAgainst(payerName: string, customer: number): number {
    const norm = this.normalisedPayer(payerName);
    return norm ? nameScore(norm, this.normalisedNames[customer]!) : 0;
  }

  /** Customers whose name fits the payer's, best first, score ≥ MIN_NAME_SCORE. */
  byName(payerName: string): readonly NameMatch[] {
    const norm = this.normalisedPayer(payerName);
    if (!norm) return [];
    const cached = this.cache.get(norm);
    if (cached) return cached;
    const result = this.scoreName(norm);
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(norm, result);
    return result;
  }

  private scoreName(norm: string): readonly NameMatch[] {
    const tokens = norm.split(' ');
    const keys: Array<{ k: string; list: number[] }> = [];
    for (const k of blockingKeys(tokens)) {
      const list = this.blocks.get(k);
      if (list !== undefined) keys.push({ k, list });
    }
    if (!keys.length) return [];
    let usable = keys.filter((x) => x.list.length <= this.maxBlock);
    // Only common words in the name ("global services"): block on the rarest of them.
    if (!usable.length) usable = [keys.reduce((a, b) => (b.list.length < a.list.length ? b : a))];
    const n = this.customers.length;
    // Blocking weights summed in a reused array (customers touched listed, then reset): no Map per name.
    const weight = this.weightScratch;
    const touched: number[] = [];
    for (const { list } of usable) {
      const idf = Math.log(1 + n / list.length);
      for (let k = 0; k < list.length; k++) {
        const c = list[k]!;
        if (weight[c] === 0) touched.push(c);
        weight[c] = weight[c]! + idf;
      }
    }
    const byWeight = (a: number, b: number) => weight[b]! - weight[a]! || a - b;
    const leading = touched.sort(byWeight).slice(0, RERANKED_PER_NAME);
    let ranked: Array<[number, number]> = leading.map((c) => [c, weight[c]!]);
    for (const c of touched) weight[c] = 0;
    // Common words bring in no one, but rank the best-blocked ("... joinery" among the customers
    // sharing a rare word's last letters); only the leading few are re-ranked, to stay cheap.
    const common: Array<{ id: number; idf: number }> = [];
    for (const x of keys) if (!usable.includes(x)) common.push({ id: this.keyIds.get(x.k)!, idf: Math.log(1 + n / x.list.length) });
    if (common.length) {
      // Key id → its position in `common` + 1 (0: not common), so a customer's own keys are
      // looked up, not compared with every common key; idfs are still added in `common` order.
      const pos = this.commonScratch;
      for (let p = 0; p < common.length; p++) pos[common[p]!.id] = p + 1;
      // Reranking only adds, at most `bonus`: one that even with all of it stays below the
      // SCORED_PER_NAME-th weight before reranking cannot be scored, and is not reranked.
      let bonus = 0;
      for (const x of common) bonus += x.idf;
      const cutoff = ranked.length > SCORED_PER_NAME ? ranked[SCORED_PER_NAME - 1]![1] : Number.NEGATIVE_INFINITY;
      const hits: number[] = [];
      const reranked: Array<[number, number]> = [];
      for (const [c, w] of ranked) {
        if (w + bonus * (1 + 1e-9) < cutoff) continue;
        const own = this.keysOf[c]!;
        hits.length = 0;
        for (let k = 0; k < own.length; k++) {
          const p = pos[own[k]!]!;
          if (p) hits.push(p - 1);
        }
        if (hits.length > 1) hits.sort((a, b) => a - b);
        let total = w;
        for (const p of hits) total += common[p]!.idf;
        reranked.push([c, total]);
      }
      ranked = reranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      for (const { id } of common) pos[id] = 0;
    }
    // Only customers sharing about as much vocabulary as the best-blocked one are scored:
    // sharing just "logistics" with the payer is no reason to run fuzzball.
    const floor = ranked[0]![1] * BLOCK_WEIGHT_SHARE;
    const blocked = ranked.slice(0, SCORED_PER_NAME).filter(([, w]) => w >= floor);
    const out: NameMatch[] = [];
    let best = 0;
    for (const [customer] of blocked) {
      const other = this.normalisedNames[customer]!;
      // token_sort_ratio is at most 200·min/(sum of lengths): skip names that cannot reach
      // MIN_NAME_SCORE or come within 3 of the best so far (the only ones a result can use).
      const sortBound = (200 * Math.min(norm.length, other.length)) / (norm.length + other.length);
      if ((200 + sortBound) / 3 < Math.max(MIN_NAME_SCORE, best - 3)) continue;
      const score = nameScore(norm, other);
      if (score >= MIN_NAME_SCORE) out.push({ customer, score });
      if (score > best) best = score;
    }
    return out.sort((a, b) => b.score - a.score || a.customer - b.customer);
  }
}
