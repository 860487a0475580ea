/**
 * Finding our invoice numbers in remittance text. People and banks rewrite them: "INV-01042"
 * arrives as "inv 1042", "INV1042", "inv/01042", "Invoice no. 1042" or just "1042". Every open
 * invoice's number is indexed once under a few normalised forms, and the text is cut into short
 * windows of letter and digit groups that are looked up in that Map: no invoice is scanned per
 * credit. How strong a hit is (prefixed, after a keyword, listed after a prefixed one, bare)
 * is recorded for the confidence model; dates and amounts in the text never count as bare numbers.
 */
import { fold, foldWithOrigin, originalSlice } from './text';

/** How a number was found, strongest first. */
type NumberHitKind = 'prefixed' | 'keyword' | 'listed' | 'bare';

export interface NumberHit {
  /** Indices into the matcher's invoice array. */
  readonly invoices: readonly number[];
  readonly kind: NumberHitKind;
  /** The digits written reproduce the invoice's leading zeros (or there were none to drop). */
  readonly exactZeros: boolean;
  /** Digits without leading zeros: a long number is rarely a coincidence, a short one often is. */
  readonly significantDigits: number;
  /** The number written equals the credit's amount in major units ("1250" for 1,250.00). */
  readonly looksLikeAmount: boolean;
  readonly foundAs: string;
  readonly source: 'remittance' | 'structured';
}

/** Letters and digits as separate groups: "INV-2024/0042" → INV, 2024, 0042. */
function numberGroups(folded: string): string[] {
  return folded.match(/[A-Z]+|[0-9]+/g) ?? [];
}

/**
 * numberGroups(fold(text)) in one pass without a regex for ASCII text (invoice numbers nearly
 * always are): runs of letters, upper-cased, and runs of digits.
 */
function groupsOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let kind = 0; // 0 neither, 1 letters, 2 digits
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 128) return numberGroups(fold(text));
    const t = c >= 48 && c <= 57 ? 2 : (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 0;
    if (t === kind) continue;
    if (kind === 2) out.push(text.slice(start, k));
    else if (kind === 1) out.push(text.slice(start, k).toUpperCase());
    start = k;
    kind = t;
  }
  if (kind === 2) out.push(text.slice(start));
  else if (kind === 1) out.push(text.slice(start).toUpperCase());
  return out;
}

const isDigits = (g: string) => g.charCodeAt(0) <= 57;
/** "00042" → "42", "0" stays "0"; letters unchanged. */
function stripZeros(g: string): string {
  if (g.charCodeAt(0) !== 48) return g;
  let k = 0;
  while (k < g.length - 1 && g.charCodeAt(k) === 48) k++;
  return g.slice(k);
}

/**
 * How an invoice number is indexed: its letter prefix ("INV", "SI"; '' when it starts with a
 * digit) and its core from the first digit group on, exactly (`exact`, "000123") and without
 * leading zeros (`zeroless`, "123"; groups joined by "."). Text with the prefix is matched on the
 * core and then the prefix compared, so the index holds two keys per invoice, not four.
 */
export interface NumberForms {
  readonly prefix: string;
  readonly exact: string;
  readonly zeroless: string;
}

export function invoiceNumberForms(number: string): NumberForms | null {
  return formsOfGroups(groupsOf(number));
}

function formsOfGroups(groups: readonly string[]): NumberForms | null {
  if (!groups.length) return null;
  let firstDigit = -1;
  for (let k = 0; k < groups.length; k++) {
    if (isDigits(groups[k]!)) {
      firstDigit = k;
      break;
    }
  }
  // Letters only ("ABCD"): no digits to find in text; indexed whole for exact lookups.
  if (firstDigit === -1) return { prefix: '', exact: groups.join(''), zeroless: groups.join('.') };
  const core = firstDigit === 0 ? groups : groups.slice(firstDigit);
  return {
    prefix: firstDigit === 0 ? '' : groups.slice(0, firstDigit).join(''),
    exact: core.length === 1 ? core[0]! : core.join(''),
    zeroless: zeroless(core),
  };
}

function zeroless(groups: readonly string[]): string {
  if (groups.length === 1) return stripZeros(groups[0]!);
  let out = '';
  for (let k = 0; k < groups.length; k++) out += (k ? '.' : '') + stripZeros(groups[k]!);
  return out;
}

/** Words that say "an invoice number follows" in the languages remittances arrive in. */
const KEYWORDS = new Set([
  'INV',
  'INVS',
  'INVOICE',
  'INVOICES',
  'INVNO',
  'BILL',
  'BILLS',
  'DOC',
  'DOCUMENT',
  'REF',
  'REFERENCE',
  'REFERENCES',
  'RE',
  'RG',
  'RGNR',
  'RECH',
  'RECHNR',
  'RECHNUNG',
  'RECHNUNGEN',
  'RECHNUNGSNR',
  'REFERENZ',
  'BELEG',
  'FACT',
  'FACTURE',
  'FACTURES',
  'FACTURA',
  'FACTURAS',
  'FATTURA',
  'FATTURE',
  'FAKTURA',
  'FAKTURANR',
  'FAKT',
]);
/** Words between a prefix or keyword and the digits ("INV NO. 1042"). */
const FILLERS = new Set(['NO', 'NR', 'N', 'NUM', 'NUMBER', 'NUMMER', 'NBR', 'NUMERO', 'NRO', 'NOS']);
/** Between group parts of one number: up to two of space - / \\ . _ # :, never a comma (isJoinGap). */
/** Between a number and the next in a list: "INV-1042, 1043 & 1044". */
const LIST_GAP = /^(?:[\s,;&+/]|AND|UND|ET|Y|E)*$/;
/** Between a keyword and the number: "Invoice: 1042", "RE #1042". */
const KEYWORD_GAP = /^[ \-/\\._#:°º]{0,3}$/;

/** Dates and amounts, whose digits must never count as bare invoice numbers. */
const MASKS = [
  // IBANs and RF references, grouped or not ("DE89 3704 0044 0532 0130 00").
  /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b/g,
  /\b\d{4}-\d{1,2}-\d{1,2}\b/g,
  /\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b/g,
  /\b\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?\b/g,
  /\b\d+[.,]\d{1,2}\b/g,
  /(?:\b(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|JPY)|[$€£¥])\s?\d[\d.,']*/g,
  // A currency after a number marks an amount only with decimals: "992 EUR 1.163,68" lists an invoice.
  /\d[\d.,']*[.,]\d{2}\s?(?:(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|JPY)\b|[€£])/g,
];

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly digits: boolean;
}

const KIND_RANK: Record<NumberHitKind, number> = { prefixed: 3, keyword: 2, listed: 1, bare: 0 };

export class InvoiceNumberIndex {
  /**
   * Core form → invoice index, or indices when several share it (most don't, so no array each).
   * A one-group window's key is then the token itself: no string is built to look it up.
   */
  private readonly exact = new Map<string, number | number[]>();
  private readonly loose = new Map<string, number | number[]>();
  /** Each invoice's letter prefix, '' for none. */
  private readonly prefixOf: string[];
  private readonly maxGroups: number;
  /** Letter groups that start a prefix ("INV", "SI"): a window starting with other letters can't match. */
  private readonly prefixes = new Set<string>();
  /** The letter/digit pattern of every indexed core ("D" for 000123, "DD" for 2024/00042): other windows are not looked up. */
  private readonly shapes = new Set<string>();

  constructor(numbers: readonly string[]) {
    let maxGroups = 1;
    this.prefixOf = new Array<string>(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const groups = groupsOf(numbers[i]!);
      const forms = formsOfGroups(groups);
      this.prefixOf[i] = forms?.prefix ?? '';
      if (!forms) continue;
      if (groups.length > maxGroups) maxGroups = groups.length;
      if (!isDigits(groups[0]!)) this.prefixes.add(groups[0]!);
      this.shapes.add(shapeOf(groups, Math.max(0, groups.findIndex(isDigits))));
      add(this.exact, forms.exact, i);
      add(this.loose, forms.zeroless, i);
    }
    this.maxGroups = Math.min(maxGroups, 8);
  }

  get size(): number {
    return this.exact.size + this.loose.size;
  }

  /** Invoices whose number is exactly this (case and punctuation aside): EndToEndIds we issued. */
  lookupExact(text: string): readonly number[] {
    const forms = formsOfGroups(numberGroups(fold(text)));
    if (!forms) return [];
    return this.withPrefix(get(this.exact, forms.exact), forms.prefix) ?? [];
  }

  private withPrefix(found: readonly number[] | undefined, prefix: string): readonly number[] | undefined {
    if (!found) return undefined;
    const out = found.filter((i) => this.prefixOf[i] === prefix);
    return out.length ? out : undefined;
  }

  /**
   * All invoice numbers written in `text`. `amountMajor` is the credit's amount in major units
   * as digits, so a bare "1250" in a remittance for 1,250.00 is recognised as the amount.
   */
  scan(text: string, source: NumberHit['source'], amountMajor: string): NumberHit[] {
    // Every invoice number has a digit; most remittance lines without one ("PAYMENT") end here.
    if (!/\d/.test(text)) return [];
    const f = foldWithOrigin(text);
    const t = f.text;
    const tokens: Token[] = [];
    for (const m of t.matchAll(/[A-Z]+|[0-9]+/g)) {
      tokens.push({ text: m[0], start: m.index!, end: m.index! + m[0].length, digits: isDigits(m[0]) });
    }
    if (!tokens.length) return [];
    // Dates and amounts are located only once a bare window finds something.
    let masked: Array<[number, number]> | null = null;
    // joinable[j]: token j continues the number token j-1 started ("INV-2024/0042").
    const joinable = tokens.map((tok, j) => j > 0 && isJoinGap(t, tokens[j - 1]!.end, tok.start));

    interface Found extends NumberHit {
      readonly start: number;
      readonly end: number;
    }
    const found: Found[] = [];
    let lastStrongEnd = -1;

    for (let i = 0; i < tokens.length; i++) {
      const first = tokens[i]!;
      if (!first.digits && !this.prefixes.has(first.text)) continue;
      const prev = tokens[i - 1];
      // A bare window must not start inside a longer word ("X1042"), unless that word is a keyword.
      const attachedBefore = prev !== undefined && prev.end === first.start;
      const groups: string[] = [];
      let allAlpha = true;
      let prefixLen = 0;
      let shape = '';
      for (let j = i; j < tokens.length && groups.length < this.maxGroups; j++) {
        const tok = tokens[j]!;
        if (j > i) {
          if (!joinable[j]) break;
          if (allAlpha && !tok.digits && FILLERS.has(tok.text)) continue;
        }
        groups.push(tok.text);
        if (tok.digits) allAlpha = false;
        else if (allAlpha) prefixLen++;
        if (!allAlpha) shape += tok.digits ? 'D' : 'A';
        const next = tokens[j + 1];
        const attachedAfter = next !== undefined && next.start === tok.end;
        if (allAlpha || !this.shapes.has(shape)) continue;
        const hits = this.lookWindow(groups, prefixLen);
        if (!hits.length) continue;
        const bare = first.digits;
        if (bare && attachedAfter) continue;
        if (bare && inMask((masked ??= maskSpans(t)), first.start, tok.end)) continue;
        let kind: NumberHitKind = 'prefixed';
        if (bare) {
          const before = previousWord(tokens, i, t);
          if (before && KEYWORDS.has(before.text)) kind = 'keyword';
          else if (attachedBefore) continue;
          else if (lastStrongEnd >= 0 && LIST_GAP.test(t.slice(lastStrongEnd, first.start))) kind = 'listed';
          else kind = source === 'structured' ? 'keyword' : 'bare';
        }
        const digitGroups = groups.filter(isDigits);
        const significantDigits = digitGroups.reduce((n, g) => n + stripZeros(g).length, 0);
        for (const hit of hits) {
          found.push({
            invoices: hit.invoices,
            kind,
            exactZeros: hit.exact,
            significantDigits,
            looksLikeAmount: bare && digitGroups.length === 1 && stripZeros(digitGroups[0]!) === amountMajor,
            foundAs: originalSlice(f, first.start, tok.end),
            source,
            start: first.start,
            end: tok.end,
          });
        }
        if (kind !== 'bare') lastStrongEnd = Math.max(lastStrongEnd, tok.end);
      }
    }

    // A number inside a longer one that was also found ("2024" inside "INV-2024-0042") is not a hit.
    return found
      .filter(
        (h) =>
          !found.some(
            (g) =>
              g !== h &&
              g.start <= h.start &&
              h.end <= g.end &&
              g.end - g.start > h.end - h.start &&
              KIND_RANK[g.kind] >= KIND_RANK[h.kind],
          ),
      )
      .map(({ start: _s, end: _e, ...hit }) => hit);
  }

  /**
   * Invoices a window names: those whose zeros it reproduces, and those it names without them.
   * `prefixLen` leading groups are letters (the prefix as written); bare windows have none.
   */
  private lookWindow(groups: string[], prefixLen: number): Array<{ invoices: readonly number[]; exact: boolean }> {
    const core = prefixLen ? groups.slice(prefixLen) : groups;
    let exact = get(this.exact, core.length === 1 ? core[0]! : core.join(''));
    let loose = get(this.loose, zeroless(core));
    if (prefixLen) {
      const prefix = prefixLen === 1 ? groups[0]! : groups.slice(0, prefixLen).join('');
      exact = this.withPrefix(exact, prefix);
      loose = this.withPrefix(loose, prefix);
    }
    const out: Array<{ invoices: readonly number[]; exact: boolean }> = [];
    if (exact) out.push({ invoices: exact, exact: true });
    const rest = exact && loose ? loose.filter((i) => !exact.includes(i)) : loose;
    if (rest?.length) out.push({ invoices: rest, exact: false });
    return out;
  }
}

/** "D"/"A" per group from `from` on: the shape of a number's core. */
function shapeOf(groups: readonly string[], from: number): string {
  let out = '';
  for (let k = from; k < groups.length; k++) out += isDigits(groups[k]!) ? 'D' : 'A';
  return out;
}

function add(map: Map<string, number | number[]>, key: string, i: number): void {
  const had = map.get(key);
  if (had === undefined) map.set(key, i);
  else if (typeof had === 'number') {
    if (had !== i) map.set(key, [had, i]);
  } else if (had[had.length - 1] !== i) had.push(i);
}

function get(map: Map<string, number | number[]>, key: string): readonly number[] | undefined {
  const v = map.get(key);
  return v === undefined ? undefined : typeof v === 'number' ? [v] : v;
}

/** The word before token i, across fillers ("Invoice no. 1042" → INVOICE), if only short gaps separate them. */
function previousWord(tokens: readonly Token[], i: number, t: string): Token | undefined {
  for (let k = i - 1; k >= 0; k--) {
    const tok = tokens[k]!;
    if (!KEYWORD_GAP.test(t.slice(tok.end, tokens[k + 1]!.start))) return undefined;
    if (!FILLERS.has(tok.text)) return tok;
  }
  return undefined;
}

/** Same as JOIN_GAP.test(t.slice(from, to)), without the slice. */
function isJoinGap(t: string, from: number, to: number): boolean {
  if (to - from > 2) return false;
  for (let k = from; k < to; k++) {
    const c = t.charCodeAt(k);
    // space - / \ . _ # :
    if (c !== 32 && c !== 45 && c !== 47 && c !== 92 && c !== 46 && c !== 95 && c !== 35 && c !== 58) return false;
  }
  return true;
}

function inMask(masked: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  for (const [a, b] of masked) if (start < b && end > a) return true;
  return false;
}

function maskSpans(t: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const re of MASKS) for (const m of t.matchAll(re)) spans.push([m.index!, m.index! + m[0].length]);
  return spans;
}
