/**
 * The MT940 :86: "information to account owner" field, in the three layouts banks use:
 * - German (DFÜ/SEPA): a business transaction code (GVC) then ?NN subfields — ?00 posting text,
 *   ?20–?29 and ?60–?63 purpose lines carrying SEPA keywords (EREF+, KREF+, MREF+, SVWZ+ …),
 *   ?30 bank, ?31 account, ?32–?33 name, ?34 return-reason key;
 * - Dutch: /TAG/value pairs (/EREF/, /REMI/, /NAME/, /IBAN/, /CNTP/ …);
 * - anything else: free text.
 */
import { accountId, addRefs, creditorReferencesIn, isPlaceholderRef } from './references';
import { collapse } from './text';

export interface Mt940Details {
  readonly remittance: string;
  readonly structuredRefs: string[];
  readonly endToEndId: string | null;
  readonly payerName: string | null;
  readonly payerAccount: string | null;
  readonly payerAccountIsIban: boolean;
  /** German business transaction code (Geschäftsvorfallcode), e.g. "166". */
  readonly gvc: string | null;
  readonly postingText: string | null;
  readonly isReturn: boolean;
  readonly returnReason: string | null;
}

/** A German purpose subfield holds 27 characters; a full one was cut mid-word by the bank. */
const SUBFIELD_WIDTH = 27;
const SEPA_KEYWORD = /^(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP)\+/;
/** GVCs that are returns of an earlier payment (159: SEPA credit transfer returned, "Retoure"). */
const RETURN_GVC = new Set(['159']);

export function parseDetails(text: string): Mt940Details {
  if (/^\d{3}\?\d{2}/.test(text)) return german(text);
  if (/^\/[A-Z]{2,8}\//.test(text)) return dutch(text);
  const remittance = collapse(text);
  return {
    remittance,
    structuredRefs: creditorReferencesIn(remittance),
    endToEndId: null,
    payerName: null,
    payerAccount: null,
    payerAccountIsIban: false,
    gvc: null,
    postingText: null,
    isReturn: false,
    returnReason: null,
  };
}

function german(text: string): Mt940Details {
  const gvc = text.slice(0, 3);
  const parts = text.slice(3).split(/\?(\d{2})/);
  const subfields: { code: number; value: string }[] = [];
  for (let i = 1; i < parts.length; i += 2) subfields.push({ code: Number(parts[i]), value: parts[i + 1] ?? '' });
  const field = (code: number) => subfields.filter((s) => s.code === code).map((s) => s.value);

  // Purpose lines: a full subfield continues into the next one without a space; a keyword value
  // ends at the first subfield that is not full; text without a keyword is free remittance text.
  const segments: { keyword: string | null; value: string }[] = [];
  let previousFull = false;
  for (const { code, value } of subfields) {
    if (!((code >= 20 && code <= 29) || (code >= 60 && code <= 63))) continue;
    const keyword = SEPA_KEYWORD.exec(value);
    const current = segments.at(-1);
    if (keyword) segments.push({ keyword: keyword[1]!, value: value.slice(keyword[0].length) });
    else if (current && (previousFull || current.keyword === null)) current.value += (previousFull ? '' : ' ') + value;
    else segments.push({ keyword: null, value });
    previousFull = value.length >= SUBFIELD_WIDTH;
  }
  const keywordValue = (k: string) => {
    const v = segments.find((s) => s.keyword === k)?.value;
    return v === undefined ? null : collapse(v);
  };

  const remittance = collapse(
    segments
      .filter((s) => s.keyword === 'SVWZ' || s.keyword === null)
      .map((s) => s.value)
      .join(' '),
  );
  const eref = keywordValue('EREF');
  const structuredRefs = addRefs([], eref, keywordValue('KREF'), keywordValue('MREF'), ...creditorReferencesIn(remittance));
  const account = accountId(field(38)[0] ?? field(31)[0] ?? keywordValue('IBAN'));
  const name = collapse(joinWrapped([...field(32), ...field(33)])) || keywordValue('ABWA');
  const isReturn = RETURN_GVC.has(gvc);
  return {
    remittance,
    structuredRefs,
    endToEndId: eref && !isPlaceholderRef(eref) ? eref : null,
    payerName: name || null,
    payerAccount: account?.account ?? null,
    payerAccountIsIban: account?.isIban ?? false,
    gvc,
    postingText: collapse(field(0).join(' ')) || null,
    isReturn,
    returnReason: isReturn ? collapse(field(34).join(' ')) || null : null,
  };
}

/** Joins name or text subfields: directly after a full one, with a space after a short one. */
function joinWrapped(values: string[]): string {
  let out = '';
  let previousFull = false;
  for (const v of values) {
    out += out === '' ? v : (previousFull ? '' : ' ') + v;
    previousFull = v.length >= SUBFIELD_WIDTH;
  }
  return out;
}

/**
 * Tags of the Dutch layout (ING, ABN AMRO, Rabobank, bunq …). Only these split the text, so a
 * name such as "Hr J F M Wacki en/of Mw K Wacki" keeps its slashes.
 */
const DUTCH_TAGS = [
  'EREF',
  'REMI',
  'NAME',
  'IBAN',
  'BIC',
  'CNTP',
  'ORDP',
  'BENM',
  'ULTC',
  'ULTD',
  'ULTB',
  'MARF',
  'CSID',
  'RTRN',
  'TRTP',
  'PURP',
  'ISDT',
  'ADDR',
  'CDTRREF',
  'CDTRREFTP',
  'OCMT',
  'CHGS',
  'EXCH',
  'IREF',
  'PREF',
  'TRCD',
  'SWOC',
];
const DUTCH_TAG = new RegExp(`/(${DUTCH_TAGS.join('|')})/`, 'g');

function dutch(text: string): Mt940Details {
  const values = new Map<string, string>();
  const matches = [...text.matchAll(DUTCH_TAG)];
  matches.forEach((m, i) => {
    const end = matches[i + 1]?.index ?? text.length;
    const value = text.slice(m.index + m[0].length, end).replace(/\/+$/, '');
    if (!values.has(m[1]!)) values.set(m[1]!, value);
  });
  const get = (tag: string) => {
    const v = values.get(tag);
    return v === undefined || v.trim() === '' ? null : collapse(v);
  };

  // CNTP carries account/BIC/name/city; REMI is "USTD//text" or "STRD/CUR/reference" at ING.
  const counterparty = (values.get('CNTP') ?? '').split('/');
  const remi = values.get('REMI') ?? '';
  const structuredRemi = /^STRD\/[A-Z]*\/(.*)$/.exec(remi);
  const remittance = structuredRemi ? '' : collapse(remi.replace(/^USTD\/\//, ''));
  const eref = get('EREF');
  const structuredRefs = addRefs(
    [],
    eref,
    structuredRemi ? structuredRemi[1] : null,
    get('CDTRREF'),
    get('MARF'),
    ...creditorReferencesIn(remittance),
  );
  const account = accountId(get('IBAN') ?? counterparty[0]);
  const name = get('NAME') ?? (counterparty[2] ? collapse(counterparty[2]) : null);
  const rtrn = get('RTRN');
  return {
    remittance,
    structuredRefs,
    endToEndId: eref && !isPlaceholderRef(eref) ? eref : null,
    payerName: name,
    payerAccount: account?.account ?? null,
    payerAccountIsIban: account?.isIban ?? false,
    gvc: null,
    postingText: get('TRTP'),
    isReturn: rtrn !== null,
    returnReason: rtrn,
  };
}
