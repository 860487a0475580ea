/**
 * A labelled, seeded generator of open-invoice books and bank credits for the matching benchmark
 * and its accuracy test. It writes what banks and customers actually send: references buried in
 * free text, prefixes dropped, leading zeros added or lost, dates and amounts next to numbers,
 * payer names in capitals, without or with other legal forms, with typos, trading names, fees
 * deducted, several invoices in one line, no remittance at all, the wrong currency, same-amount
 * twins, unknown payers, over- and partial payments. Each credit carries the allocation a careful
 * person would make, or null when no person could attribute it from what the bank sent.
 */
import { currencyExponent, type Minor } from '../../../domain/money';
import { makeQrReference, makeRf } from '../references';
import type { Allocation, CreditToMatch, CustomerIdentity, MatchPolicy, OpenInvoice } from '../types';
import { Prng } from './prng';

export const SCENARIOS = {
  'rf-reference': 8,
  'qr-reference': 3,
  'number-in-text': 22,
  'number-structured': 6,
  'several-invoices': 7,
  'account-amount': 9,
  'name-amount': 7,
  subset: 4,
  'fees-deducted': 5,
  partial: 3,
  overpayment: 3,
  'deduction-named': 3,
  'end-to-end': 2,
  'trading-name-account': 2,
  /** Two digits of the invoice number swapped: payer and amount still say which invoice it is. */
  'mistyped-number': 2,
  // No person could attribute these from what the bank sent: they must never be applied alone.
  twins: 3,
  'unknown-payer': 5,
  'wrong-currency': 3,
  'name-fits-two': 2,
  'no-open-currency': 1,
} as const;
export type Scenario = keyof typeof SCENARIOS;

export const UNATTRIBUTABLE: ReadonlySet<Scenario> = new Set<Scenario>([
  'twins',
  'unknown-payer',
  'wrong-currency',
  'name-fits-two',
  'no-open-currency',
]);

interface Expected {
  readonly customerId: string;
  readonly allocations: readonly Allocation[];
}

export interface LabelledCredit {
  readonly credit: CreditToMatch;
  readonly scenario: Scenario;
  /** What a careful person would apply; null when nobody could attribute the credit. */
  readonly expected: Expected | null;
}

export interface GeneratedBook {
  readonly invoices: OpenInvoice[];
  readonly customers: CustomerIdentity[];
  readonly credits: LabelledCredit[];
  /** Settings the book was generated for (the EndToEndId prefix we "issued"). */
  readonly policy: Partial<MatchPolicy>;
}

export interface BookOptions {
  readonly invoices: number;
  readonly credits: number;
  /** Defaults to one customer per ten invoices. */
  readonly customers?: number;
  readonly seed?: number;
}

const E2E_PREFIX = 'ARP-';
const TODAY = Date.UTC(2024, 5, 30);
const isoDay = (offsetDays: number) => new Date(TODAY + offsetDays * 86_400_000).toISOString().slice(0, 10);

const SYLLABLES = [
  'kor',
  'val',
  'mar',
  'tes',
  'bri',
  'lun',
  'dar',
  'fel',
  'gor',
  'hal',
  'ist',
  'jor',
  'ken',
  'lor',
  'mon',
  'nor',
  'pel',
  'quin',
  'ros',
  'sal',
  'tor',
  'ul',
  'ven',
  'wes',
  'yar',
  'zen',
  'alt',
  'bel',
  'cas',
  'del',
  'eri',
  'fal',
  'gal',
  'hel',
  'ino',
  'kal',
  'lim',
  'mer',
  'nal',
  'ost',
  'pra',
  'ril',
  'sor',
  'tam',
  'uri',
  'vor',
  'bran',
  'stein',
  'berg',
  'wood',
  'field',
  'ton',
];
/** Unknown payers come from other syllables, as strangers' names would. */
const STRANGER_SYLLABLES = ['xu', 'qa', 'zho', 'ixa', 'oke', 'umba', 'tze', 'yko', 'phu', 'gwa', 'ndi', 'aax'];
const INDUSTRY: Record<string, readonly string[]> = {
  EUR: [
    'Logistik',
    'Maschinenbau',
    'Bau',
    'Textil',
    'Elektro',
    'Handel',
    'Software',
    'Lebensmittel',
    'Distribution',
    'Transports',
    'Industrie',
    'Conseil',
    'Alimentari',
    'Metaal',
  ],
  USD: [
    'Logistics',
    'Foods',
    'Systems',
    'Metals',
    'Consulting',
    'Industries',
    'Trading',
    'Pharma',
    'Packaging',
    'Engineering',
    'Supplies',
    'Services',
    'Holdings',
    'Motors',
  ],
  GBP: ['Logistics', 'Textiles', 'Engineering', 'Foods', 'Estates', 'Retail', 'Brewing', 'Print', 'Joinery', 'Haulage'],
  CHF: ['Uhren', 'Präzision', 'Pharma', 'Treuhand', 'Käserei', 'Technik', 'Holding', 'Immobilien'],
};
const SUFFIXES: Record<string, readonly string[]> = {
  EUR: ['GmbH', 'AG', 'SARL', 'S.A.', 'S.p.A.', 'B.V.', 'N.V.', 'Oy', 'S.L.', 'GmbH & Co. KG', 'SAS', 'AB'],
  USD: ['Inc.', 'LLC', 'Corp.', 'Co.', 'Corporation', 'Incorporated'],
  GBP: ['Ltd', 'Limited', 'plc', 'LLP'],
  CHF: ['AG', 'SA', 'GmbH', 'Sàrl'],
};
/** How the bank often spells a legal form instead. */
const SUFFIX_SWAPS: Record<string, string> = {
  Ltd: 'Limited',
  Limited: 'LTD',
  'Inc.': 'INC',
  Incorporated: 'Inc',
  'Corp.': 'Corporation',
  Corporation: 'CORP',
  GmbH: 'G.m.b.H.',
  'S.p.A.': 'SPA',
  'S.A.': 'SA',
  'B.V.': 'BV',
  LLC: 'L.L.C.',
  'Co.': 'Company',
};
const CITIES = ['HAMBURG', 'MUENCHEN 80331', 'LONDON EC1A', 'PARIS 75008', 'NEW YORK NY', 'ZUERICH 8001', 'MILANO', 'ROTTERDAM'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;
const ABSENT_CURRENCIES = ['SEK', 'NOK', 'DKK', 'PLN'];

function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const v = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

function iban(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

interface Customer extends CustomerIdentity {
  readonly currency: string;
  readonly baseName: string;
  /** Index of a customer with the same name but another legal form, if any. */
  twinOf: number | null;
  readonly sharedAccount: boolean;
}

export function generateBook(options: BookOptions): GeneratedBook {
  const rng = new Prng(options.seed ?? 20240630);
  const nInvoices = options.invoices;
  const nCustomers = Math.max(4, options.customers ?? Math.round(nInvoices / 10));

  const digits = (n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');
  const accountFor = (currency: string): string => {
    switch (currency) {
      case 'EUR':
        return rng.pick([() => iban('DE', digits(18)), () => iban('FR', digits(23)), () => iban('NL', letters(4) + digits(10))])();
      case 'GBP':
        return iban('GB', letters(4) + digits(14));
      case 'CHF':
        return iban('CH', digits(17));
      default:
        return `${digits(9)}-${digits(9)}`;
    }
  };
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const root = (syllables: readonly string[]) => {
    let r = capital(Array.from({ length: rng.int(2, 3) }, () => rng.pick(syllables)).join(''));
    if (rng.chance(0.08)) r = r.replace(/u/, 'ü').replace(/o(?=[^o]*$)/, 'ö');
    else if (rng.chance(0.05)) r = r.replace(/e/, 'é');
    return r;
  };

  // --- Customers, with a few same-name pairs (a subsidiary or a namesake in another country).
  const customers: Customer[] = [];
  const baseNames = new Set<string>();
  for (let i = 0; i < nCustomers; i++) {
    const currency = rng.weighted({ EUR: 45, USD: 30, GBP: 15, CHF: 10 });
    let baseName: string;
    let twinOf: number | null = null;
    if (i > 10 && rng.chance(0.015)) {
      twinOf = rng.int(0, i - 1);
      baseName = customers[twinOf]!.baseName;
    } else {
      do baseName = `${root(SYLLABLES)}${rng.chance(0.25) ? ` ${root(SYLLABLES)}` : ''} ${rng.pick(INDUSTRY[currency]!)}`;
      while (baseNames.has(baseName.toLowerCase()));
    }
    baseNames.add(baseName.toLowerCase());
    const accounts = rng.chance(0.7) ? [accountFor(currency), ...(rng.chance(0.1) ? [accountFor(currency)] : [])] : [];
    const sharedWith = i > 10 && rng.chance(0.03) ? customers[rng.int(0, i - 1)]! : null;
    const shared = sharedWith?.knownAccounts[0];
    const c: Customer = {
      id: `C${String(i + 1).padStart(5, '0')}`,
      name: `${baseName} ${rng.pick(SUFFIXES[currency]!)}`,
      knownAccounts: shared ? [...accounts, shared] : accounts,
      currency,
      baseName,
      twinOf,
      sharedAccount: false,
    };
    customers.push(c);
    if (twinOf !== null) customers[twinOf]!.twinOf = i;
  }
  // Mark both ends of every shared account.
  const accountOwners = new Map<string, number>();
  for (const c of customers) for (const a of c.knownAccounts) accountOwners.set(a, (accountOwners.get(a) ?? 0) + 1);
  customers.forEach((c, i) => {
    if (c.knownAccounts.some((a) => accountOwners.get(a)! > 1)) customers[i] = { ...c, sharedAccount: true };
  });
  for (const c of customers)
    if (c.twinOf !== null && customers[c.twinOf]!.twinOf === null) customers[c.twinOf]!.twinOf = customers.indexOf(c);

  // --- Invoices: skewed counts per customer, a few subscription customers with equal amounts.
  const weights = customers.map(() => Math.exp(rng.normal()));
  const wTotal = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((w / wTotal) * nInvoices)));
  let assigned = counts.reduce((a, b) => a + b, 0);
  for (let k = 0; assigned < nInvoices; k++, assigned++) counts[k % nCustomers]!++;
  while (assigned > nInvoices) {
    const k = counts.indexOf(Math.max(...counts));
    counts[k]!--;
    assigned--;
  }

  interface Draft {
    customer: number;
    currency: string;
    issueOffset: number;
    amount: number;
    open: number;
    series: 'INV' | 'SI' | 'NUM';
  }
  const drafts: Draft[] = [];
  customers.forEach((c, ci) => {
    const subscription = rng.chance(0.12) ? rng.pick([9900, 19900, 49900, 120000, 250000]) : null;
    const second = rng.chance(0.05) ? rng.pick(CURRENCIES.filter((x) => x !== c.currency)) : null;
    for (let k = 0; k < counts[ci]!; k++) {
      const currency = second && rng.chance(0.3) ? second : c.currency;
      let amount = subscription ?? Math.round(Math.exp(Math.log(150_000) + 1.1 * rng.normal()));
      amount = Math.min(50_000_000, Math.max(1_000, amount));
      if (!subscription && rng.chance(0.25)) amount = Math.round(amount / 100) * 100;
      if (!subscription && rng.chance(0.08)) amount = Math.max(10_000, Math.round(amount / 10_000) * 10_000);
      const open = rng.chance(0.1) ? amount - Math.round(amount * (0.1 + 0.6 * rng.next())) : amount;
      drafts.push({
        customer: ci,
        currency,
        issueOffset: -rng.int(1, 240),
        amount,
        open,
        series: rng.weighted({ INV: 60, SI: 25, NUM: 15 }),
      });
    }
  });
  drafts.sort((a, b) => a.issueOffset - b.issueOffset);
  const seq = { INV: 0, SI: 0, NUM: 0 };
  const invoices: OpenInvoice[] = drafts.map((d) => {
    const n = ++seq[d.series];
    const number =
      d.series === 'INV'
        ? `INV-${String(n).padStart(6, '0')}`
        : d.series === 'SI'
          ? `SI/2024/${String(n).padStart(5, '0')}`
          : String(40_000_000 + n);
    let paymentReference: string | null = null;
    if (d.currency === 'EUR' && rng.chance(0.35))
      paymentReference = makeRf(`${d.customer + 1}${String(n).padStart(7, '0')}${d.series === 'SI' ? 2 : d.series === 'NUM' ? 3 : 1}`);
    if (d.currency === 'CHF' && rng.chance(0.6))
      paymentReference = makeQrReference(
        `${String(d.customer + 1).padStart(8, '0')}${d.series === 'SI' ? 2 : d.series === 'NUM' ? 3 : 1}${String(n).padStart(17, '0')}`,
      );
    return {
      number,
      customerId: customers[d.customer]!.id,
      currency: d.currency,
      openMinor: d.open as Minor,
      amountMinor: d.amount as Minor,
      issueDate: isoDay(d.issueOffset),
      dueDate: isoDay(d.issueOffset + rng.pick([14, 30, 30, 30, 60])),
      poNumber: rng.chance(0.3) ? `PO-45${digits(8)}` : null,
      paymentReference,
    };
  });

  // Oldest first per customer and currency, the order the matcher (and a person) pays them in.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const older = (a: OpenInvoice, b: OpenInvoice) =>
    cmp(a.dueDate, b.dueDate) || cmp(a.issueDate, b.issueDate) || cmp(a.number, b.number) || cmp(a.customerId, b.customerId);
  const custIndex = new Map(customers.map((c, i) => [c.id, i]));
  const book = new Map<string, OpenInvoice[]>();
  for (const inv of invoices) {
    const k = `${inv.customerId}|${inv.currency}`;
    (book.get(k) ?? book.set(k, []).get(k)!).push(inv);
  }
  for (const list of book.values()) list.sort(older);
  const listOf = (inv: OpenInvoice) => book.get(`${inv.customerId}|${inv.currency}`)!;
  const uniqueOpen = (inv: OpenInvoice) => listOf(inv).filter((x) => x.openMinor === inv.openMinor).length === 1;
  const bookCurrencies = new Set(invoices.map((i) => i.currency));
  const tolerance = (currency: string, open: number) => Math.min(15 * 10 ** currencyExponent(currency), Math.floor((open * 50) / 10_000));

  // --- What the bank writes.
  const typo = (s: string) => {
    const words = s.split(' ');
    const long = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5);
    if (!long.length) return s;
    const [w, i] = rng.pick(long);
    const p = rng.int(1, w.length - 2);
    const edits = [
      () => w.slice(0, p) + w.slice(p + 1),
      () => w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2),
      () => w.slice(0, p) + String.fromCharCode(97 + rng.int(0, 25)) + w.slice(p + 1),
    ];
    words[i] = rng.pick(edits)();
    return words.join(' ');
  };
  const asciiUpper = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase();
  const payerName = (c: Customer): string => {
    const suffix = c.name.slice(c.baseName.length + 1);
    switch (rng.weighted({ exact: 20, upper: 20, nosuffix: 15, swap: 10, ascii: 10, typo: 15, truncated: 5, city: 5 })) {
      case 'exact':
        return c.name;
      case 'upper':
        return c.name.toUpperCase();
      case 'nosuffix':
        return rng.chance(0.5) ? c.baseName : c.baseName.toUpperCase();
      case 'swap':
        return `${c.baseName} ${SUFFIX_SWAPS[suffix] ?? suffix}`;
      case 'ascii':
        return asciiUpper(c.name);
      case 'typo':
        return typo(rng.chance(0.5) ? c.name : c.name.toUpperCase());
      case 'truncated':
        return asciiUpper(c.name).slice(0, 20);
      default:
        return `${asciiUpper(c.name)} ${rng.pick(CITIES)}`;
    }
  };
  const spaced = (acc: string) => (rng.chance(0.4) && /^[A-Z]{2}\d{2}/.test(acc) ? acc.replace(/(.{4})/g, '$1 ').trim() : acc);
  const dateText = () => {
    const d = isoDay(-rng.int(0, 60));
    const [y, m, day] = d.split('-');
    return rng.pick([`${day}.${m}.${y}`, d, `${m}/${day}/${y}`, `${day}/${m}/${y!.slice(2)}`]);
  };
  const amountText = (minor: number, currency: string) => {
    const whole = Math.floor(minor / 100);
    const cents = String(minor % 100).padStart(2, '0');
    const dots = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    const commas = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return rng.pick([
      `${currency} ${dots},${cents}`,
      `${commas}.${cents}`,
      `${currency} ${whole}.${cents}`,
      `${whole},${cents} ${currency}`,
    ]);
  };
  const numberText = (number: string): string => {
    let m: RegExpExecArray | null;
    if ((m = /^INV-(\d+)$/.exec(number))) {
      const padded = m[1]!;
      const plain = String(Number(padded));
      return rng.pick([
        number,
        number.toLowerCase(),
        `INV${padded}`,
        `INV ${padded}`,
        `inv/${padded}`,
        `INV.${padded}`,
        `INV-${plain}`,
        `inv ${plain}`,
        `INV${plain}`,
        `Inv#${plain}`,
        padded,
        plain,
        `Invoice no. ${plain}`,
        `Invoice ${padded}`,
        `Rechnung ${plain}`,
        `Facture n° ${plain}`,
        `RE ${padded}`,
        `INV-0${padded}`,
      ]);
    }
    if ((m = /^SI\/(\d{4})\/(\d+)$/.exec(number))) {
      const [, y, n] = m;
      return rng.pick([
        number,
        `si ${y} ${n}`,
        `SI-${y}-${Number(n)}`,
        `SI${y}/${Number(n)}`,
        `${y}/${n}`,
        `SI ${y}/${Number(n)}`,
        `Invoice ${y}/${n}`,
        number.toLowerCase(),
      ]);
    }
    return rng.pick([number, `Invoice ${number}`, `Rg. ${number}`, `INV ${number}`, `Fattura ${number}`]);
  };
  const listText = (numbers: readonly string[]): string => {
    const inv = numbers[0]!.startsWith('INV-');
    const style = rng.int(0, inv ? 3 : 2);
    if (style === 0) return numbers.join(', ');
    // The first one written out, the rest without their prefix: "INV 1042, 001043 & 001044".
    if (style === 1)
      return `${numberText(numbers[0]!)} ${numbers
        .slice(1)
        .map((n) => n.replace(/^(?:INV-|SI\/)/, ''))
        .join(rng.pick([', ', ' / ', ' & ', ' and ']))}`;
    if (style === 2) return numbers.map((n) => numberText(n)).join(' ');
    return `Invoices ${numbers.map((n) => String(Number(n.slice(4)))).join('/')}`;
  };
  const around = (text: string, amountMinor: number, currency: string): string => {
    const templates = [
      () => text,
      () => `Payment ${text}`,
      () => `PMT ${dateText()} ${text}`,
      () => `${text} ${amountText(amountMinor, currency)}`,
      () => `Zahlung ${text} vom ${dateText()}`,
      () => `/INV/${text}/${dateText()}`,
      () => `Ref: ${text} Thank you`,
      () => `Pago factura ${text}`,
      () => `CUST K${digits(5)} ${text}`,
      () => `${text} PO 45${digits(8)}`,
      () => `Invoice payment ${text} ${dateText()} ${amountText(amountMinor, currency)}`,
      () => `SEPA CT ${text} ${rng.pick(CITIES)}`,
    ];
    let s = rng.pick(templates)();
    // Now and then an order or customer number that may look like someone else's invoice.
    if (rng.chance(0.08)) s += ` Order ${rng.int(100, 9999)}`;
    return s;
  };
  const genericRemittance = () =>
    rng.pick(['', '', '', 'PAYMENT', 'SEPA CT', 'THANK YOU', 'Invoice payment', 'PAYMENT FOR GOODS', `TRF ${dateText()}`]);

  type Payer = Pick<CreditToMatch, 'payerName' | 'payerAccount'>;
  const payerFor = (c: Customer, mode: 'account' | 'name' | 'any' | 'none'): Payer => {
    const m = mode === 'any' ? rng.weighted({ account: 45, name: 35, none: 20 }) : mode;
    if (m === 'account' && c.knownAccounts.length)
      return { payerAccount: spaced(c.knownAccounts[0]!), payerName: rng.chance(0.85) ? payerName(c) : null };
    if (m === 'none') return { payerAccount: null, payerName: null };
    return { payerAccount: rng.chance(0.5) ? accountFor(c.currency) : null, payerName: payerName(c) };
  };

  // --- Credits.
  const used = new Set<OpenInvoice>();
  const credits: LabelledCredit[] = [];
  const free = (pred: (i: OpenInvoice) => boolean, tries = 60): OpenInvoice | null => {
    for (let t = 0; t < tries; t++) {
      const inv = rng.pick(invoices);
      if (!used.has(inv) && pred(inv)) return inv;
    }
    return null;
  };
  const cust = (inv: OpenInvoice) => customers[custIndex.get(inv.customerId)!]!;
  const one = (inv: OpenInvoice, amountMinor: number): Expected => ({
    customerId: inv.customerId,
    allocations: [{ invoiceNumber: inv.number, amountMinor: Math.min(amountMinor, inv.openMinor) as Minor }],
  });
  const oldestFirst = (list: readonly OpenInvoice[], amountMinor: number): Expected => {
    let left = amountMinor;
    const allocations: Allocation[] = [];
    for (const inv of [...list].sort(older)) {
      if (left <= 0) break;
      const a = Math.min(left, inv.openMinor);
      allocations.push({ invoiceNumber: inv.number, amountMinor: a as Minor });
      left -= a;
    }
    return { customerId: list[0]!.customerId, allocations };
  };
  let serial = 0;
  const credit = (fields: Partial<CreditToMatch> & Pick<CreditToMatch, 'amountMinor' | 'currency'>): CreditToMatch => ({
    id: `CR${String(++serial).padStart(6, '0')}`,
    bookingDate: isoDay(-rng.int(0, 5)),
    payerName: null,
    payerAccount: null,
    remittance: '',
    structuredRefs: [],
    endToEndId: null,
    ...fields,
  });
  const take = (...list: OpenInvoice[]) => list.forEach((i) => used.add(i));

  const makers: Record<Scenario, () => LabelledCredit | null> = {
    'rf-reference': () => {
      const inv = free((i) => i.paymentReference?.startsWith('RF') === true);
      if (!inv) return null;
      take(inv);
      const ref = rng.chance(0.5) ? inv.paymentReference!.replace(/(.{4})/g, '$1 ').trim() : inv.paymentReference!;
      const inStructured = rng.chance(0.5);
      return {
        scenario: 'rf-reference',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: inStructured ? genericRemittance() : around(ref, inv.openMinor, inv.currency),
          structuredRefs: inStructured ? [ref] : [],
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'qr-reference': () => {
      const inv = free((i) => i.currency === 'CHF' && i.paymentReference !== null);
      if (!inv) return null;
      take(inv);
      const r = inv.paymentReference!;
      const grouped = `${r.slice(0, 2)} ${r
        .slice(2)
        .replace(/(.{5})/g, '$1 ')
        .trim()}`;
      const inStructured = rng.chance(0.7);
      return {
        scenario: 'qr-reference',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: inStructured ? genericRemittance() : `Zahlung ${grouped}`,
          structuredRefs: inStructured ? [r] : [],
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'number-in-text': () => {
      const inv = free(() => true);
      if (!inv) return null;
      take(inv);
      return {
        scenario: 'number-in-text',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), rng.chance(0.65) ? 'any' : 'none'),
          remittance: around(numberText(inv.number), inv.openMinor, inv.currency),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'number-structured': () => {
      const inv = free(() => true);
      if (!inv) return null;
      take(inv);
      return {
        scenario: 'number-structured',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: genericRemittance(),
          structuredRefs: [rng.chance(0.5) ? inv.number : numberText(inv.number)],
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'several-invoices': () => {
      const seed = free((i) => listOf(i).filter((x) => !used.has(x)).length >= 3);
      if (!seed) return null;
      const pool = rng.shuffle(listOf(seed).filter((x) => !used.has(x) && x.number.startsWith(seed.number.slice(0, 3))));
      const chosen = pool.slice(0, rng.int(2, Math.min(4, pool.length)));
      if (chosen.length < 2) return null;
      take(...chosen);
      const sum = chosen.reduce((s, i) => s + i.openMinor, 0);
      const mode = rng.weighted({ full: 70, fees: 15, partial: 15 });
      const ordered = [...chosen].sort(older);
      let amountMinor = sum;
      if (mode === 'fees') amountMinor = sum - Math.max(0, Math.min(tolerance(seed.currency, sum), rng.int(100, 1500)));
      if (mode === 'partial')
        amountMinor = sum - Math.max(1, Math.floor(ordered[ordered.length - 1]!.openMinor * (0.3 + 0.5 * rng.next())));
      return {
        scenario: 'several-invoices',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency: seed.currency,
          ...payerFor(cust(seed), rng.chance(0.7) ? 'any' : 'none'),
          remittance: around(listText(chosen.map((c) => c.number)), amountMinor, seed.currency),
        }),
        expected: oldestFirst(chosen, amountMinor),
      };
    },
    'account-amount': () => {
      const inv = free((i) => cust(i).knownAccounts.length > 0 && !cust(i).sharedAccount && uniqueOpen(i));
      if (!inv) return null;
      take(inv);
      return {
        scenario: 'account-amount',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'account'),
          remittance: genericRemittance(),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'name-amount': () => {
      const inv = free((i) => cust(i).twinOf === null && uniqueOpen(i));
      if (!inv) return null;
      take(inv);
      return {
        scenario: 'name-amount',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'name'),
          remittance: genericRemittance(),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    subset: () => {
      const seed = free((i) => cust(i).knownAccounts.length > 0 && !cust(i).sharedAccount && listOf(i).length >= 3);
      if (!seed) return null;
      // Among the oldest (people pay those first), with amounts no other open invoice shares:
      // equal amounts would make several combinations fit, which is the twins case.
      const all = listOf(seed);
      const oldest = all.slice(0, 30).filter((x) => !used.has(x) && all.filter((y) => y.openMinor === x.openMinor).length === 1);
      if (oldest.length < 3) return null;
      const chosen = rng.shuffle([...oldest]).slice(0, rng.int(2, Math.min(4, oldest.length)));
      const sum = chosen.reduce((s, i) => s + i.openMinor, 0);
      if (listOf(seed).some((x) => x.openMinor === sum)) return null;
      take(...chosen);
      return {
        scenario: 'subset',
        credit: credit({
          amountMinor: sum as Minor,
          currency: seed.currency,
          ...payerFor(cust(seed), rng.chance(0.7) ? 'account' : 'name'),
          remittance: genericRemittance(),
        }),
        expected: oldestFirst(chosen, sum),
      };
    },
    'fees-deducted': () => {
      const inv = free((i) => tolerance(i.currency, i.openMinor) >= 100 && uniqueOpen(i));
      if (!inv) return null;
      take(inv);
      const fee = rng.int(100, tolerance(inv.currency, inv.openMinor));
      const amountMinor = inv.openMinor - fee;
      const byRef = rng.chance(0.7);
      return {
        scenario: 'fees-deducted',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency: inv.currency,
          ...payerFor(cust(inv), byRef ? 'any' : 'account'),
          remittance: byRef ? around(numberText(inv.number), amountMinor, inv.currency) : '',
        }),
        expected: one(inv, amountMinor),
      };
    },
    partial: () => {
      const inv = free((i) => i.openMinor >= 5_000);
      if (!inv) return null;
      take(inv);
      const amountMinor = Math.floor(inv.openMinor * (0.3 + 0.6 * rng.next()));
      return {
        scenario: 'partial',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: around(numberText(inv.number), amountMinor, inv.currency),
        }),
        expected: one(inv, amountMinor),
      };
    },
    overpayment: () => {
      const inv = free(() => true);
      if (!inv) return null;
      take(inv);
      const amountMinor = inv.openMinor + Math.max(100, Math.floor(inv.openMinor * (0.01 + 0.19 * rng.next())));
      return {
        scenario: 'overpayment',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: around(numberText(inv.number), amountMinor, inv.currency),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'deduction-named': () => {
      const inv = free((i) => i.openMinor >= 10_000);
      if (!inv) return null;
      take(inv);
      const pct = rng.int(3, 15);
      const amountMinor = inv.openMinor - Math.floor((inv.openMinor * pct) / 100);
      const why = rng.pick([
        `less ${pct}% promo allowance`,
        'damaged goods deducted',
        'short paid - returned goods',
        'chargeback deducted',
        `abzüglich Gutschrift`,
        'deduction pricing error',
      ]);
      return {
        scenario: 'deduction-named',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          remittance: `${numberText(inv.number)} ${why}`,
        }),
        expected: one(inv, amountMinor),
      };
    },
    'end-to-end': () => {
      const inv = free(() => true);
      if (!inv) return null;
      take(inv);
      return {
        scenario: 'end-to-end',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'any'),
          endToEndId: `${E2E_PREFIX}${inv.number}`,
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'trading-name-account': () => {
      const inv = free((i) => cust(i).knownAccounts.length > 0 && !cust(i).sharedAccount && uniqueOpen(i));
      if (!inv) return null;
      take(inv);
      const trading = `${root(STRANGER_SYLLABLES).toUpperCase()} ${rng.pick(['TRADING', 'STORES', 'GROUP', 'DIRECT'])}`;
      return {
        scenario: 'trading-name-account',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          payerName: trading,
          payerAccount: spaced(cust(inv).knownAccounts[0]!),
          remittance: genericRemittance(),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    'mistyped-number': () => {
      const inv = free((i) => cust(i).knownAccounts.length > 0 && !cust(i).sharedAccount && uniqueOpen(i) && /\d{4}$/.test(i.number));
      if (!inv) return null;
      const d = inv.number.match(/\d+$/)![0];
      const sig = d.replace(/^0+/, '');
      const p = rng.int(0, sig.length - 2);
      if (sig[p] === sig[p + 1]) return null;
      const swapped = sig.slice(0, p) + sig[p + 1] + sig[p] + sig.slice(p + 2);
      const wrong = inv.number.slice(0, inv.number.length - sig.length) + swapped;
      take(inv);
      return {
        scenario: 'mistyped-number',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), 'account'),
          remittance: around(numberText(wrong), inv.openMinor, inv.currency),
        }),
        expected: one(inv, inv.openMinor),
      };
    },
    twins: () => {
      const inv = free((i) => listOf(i).some((x) => x !== i && !used.has(x) && x.openMinor === i.openMinor));
      if (!inv) return null;
      take(...listOf(inv).filter((x) => x.openMinor === inv.openMinor));
      return {
        scenario: 'twins',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          ...payerFor(cust(inv), rng.chance(0.6) ? 'account' : 'name'),
          remittance: genericRemittance(),
        }),
        expected: null,
      };
    },
    'unknown-payer': () => {
      const currency = rng.pick([...bookCurrencies].sort());
      const like = rng.chance(0.5) ? free((i) => i.currency === currency) : null;
      const amountMinor = like ? like.openMinor : Math.round(Math.exp(Math.log(150_000) + rng.normal()));
      const name = `${root(STRANGER_SYLLABLES)} ${rng.pick(['Ltd', 'GmbH', 'Inc', 'SA', ''])}`.trim();
      return {
        scenario: 'unknown-payer',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency,
          payerName: rng.chance(0.85) ? name : null,
          payerAccount: rng.chance(0.6) ? accountFor(currency) : null,
          remittance: genericRemittance(),
        }),
        expected: null,
      };
    },
    'wrong-currency': () => {
      const inv = free(() => true);
      if (!inv) return null;
      const c = cust(inv);
      const other = CURRENCIES.filter((x) => x !== inv.currency && !book.has(`${inv.customerId}|${x}`));
      if (!other.length) return null;
      take(inv);
      const currency = rng.pick(other);
      const amountMinor = Math.round((inv.openMinor * rng.int(80, 125)) / 100);
      return {
        scenario: 'wrong-currency',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency,
          ...payerFor(c, 'any'),
          remittance: around(numberText(inv.number), amountMinor, currency),
        }),
        expected: null,
      };
    },
    'name-fits-two': () => {
      const inv = free((i) => cust(i).twinOf !== null && uniqueOpen(i));
      if (!inv) return null;
      take(inv);
      const c = cust(inv);
      return {
        scenario: 'name-fits-two',
        credit: credit({
          amountMinor: inv.openMinor,
          currency: inv.currency,
          payerName: rng.chance(0.5) ? c.baseName.toUpperCase() : c.baseName,
          remittance: genericRemittance(),
        }),
        expected: null,
      };
    },
    'no-open-currency': () => {
      const inv = free(() => true);
      if (!inv) return null;
      const currency = rng.pick(ABSENT_CURRENCIES.filter((x) => !bookCurrencies.has(x)));
      const amountMinor = Math.round(inv.openMinor * (8 + rng.next() * 3));
      return {
        scenario: 'no-open-currency',
        credit: credit({
          amountMinor: amountMinor as Minor,
          currency,
          ...payerFor(cust(inv), 'any'),
          remittance: around(numberText(inv.number), amountMinor, currency),
        }),
        expected: null,
      };
    },
  };

  let guard = 0;
  while (credits.length < options.credits && guard++ < options.credits * 20) {
    const made = makers[rng.weighted(SCENARIOS)]();
    if (made && made.credit.amountMinor > 0) credits.push(made);
  }

  const publicCustomers: CustomerIdentity[] = customers.map(({ id, name, knownAccounts }) => ({ id, name, knownAccounts }));
  return { invoices, customers: publicCustomers, credits, policy: { issuedEndToEndPrefix: E2E_PREFIX } };
}
