/**
 * XML loading for the ISO 20022 parsers: well-formedness with line numbers, no DTDs, the root
 * namespace, and a parsed tree in which every element is an array (so one Ntry and ten Ntry
 * read the same way) and every value stays text (so "0010.00" and "000123" are never numbers).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ParseContext } from './errors';
import { cleanField, isControlCodePoint, lineAt, positionOf } from './text';

/** An element: child elements by local name (always arrays), '#text', and '@_' attributes. */
export type XmlNode = { readonly [key: string]: unknown };

export interface XmlDocument {
  readonly root: XmlNode;
  readonly rootName: string;
  readonly namespace: string | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  alwaysCreateTextNode: true,
  // Decodes numeric character references (&#228;) too; named XML entities are always decoded.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

export function loadXml(text: string, ctx: ParseContext): XmlDocument {
  // Bank statements never need a DTD; refusing it closes the door on entity-expansion attacks.
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) failAt(text, doctype.index, 'has a DOCTYPE declaration, which statements never need and which is refused', ctx);
  for (const m of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const cp = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    if (isControlCodePoint(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      failAt(text, m.index, `has a character reference ${m[0]} to a control or invalid character`, ctx);
    }
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    const unclosed = /^Invalid '\[(.*)\]' found\.$/s.exec(msg);
    if (unclosed) {
      // The validator reports a truncated file as a list of still-open elements at line 1.
      const open = unclosed[1]!.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
      const lastLine = text.replace(/\s+$/, '').split(/\r\n|\n|\r/).length;
      ctx.fail(`line ${lastLine}`, lineAt(text, lastLine), `ends before these elements are closed: ${open.join(', ')} (truncated file?)`);
    }
    ctx.fail(`line ${line}, column ${col}`, lineAt(text, line), `is not well-formed XML: ${msg}`);
  }
  const start = firstElement(text);
  if (!start) ctx.fail('line 1', lineAt(text, 1), 'has no root element');
  let parsed: XmlNode;
  try {
    parsed = parser.parse(text) as XmlNode;
  } catch (e) {
    // The validator and the parser disagree on a few damaged inputs (e.g. a broken <?xml ...?> declaration):
    // the parser's refusal is still the file's fault, so it is reported like any other.
    ctx.fail('line 1', lineAt(text, 1), `is not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = children(parsed, start.localName)[0];
  if (!root) ctx.fail('line 1', lineAt(text, 1), 'has no root element');
  return { root, rootName: start.localName, namespace: start.namespace };
}

/** The root element's local name and namespace, read from its start tag. */
function firstElement(text: string): { localName: string; namespace: string | null } | null {
  const body = text.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const m = /<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)>/.exec(body);
  if (!m) return null;
  const prefix = m[1];
  let namespace: string | null = null;
  for (const a of m[3]!.matchAll(/xmlns(?::([\w.-]+))?\s*=\s*(["'])(.*?)\2/g)) {
    if (a[1] === prefix) namespace = a[3]!;
  }
  return { localName: m[2]!, namespace };
}

function failAt(text: string, index: number, rule: string, ctx: ParseContext): never {
  const { line, column } = positionOf(text, index);
  return ctx.fail(`line ${line}, column ${column}`, lineAt(text, line), rule);
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

/** The first element along a slash path ("Refs/EndToEndId"), or undefined. */
export function child(node: XmlNode | undefined, path: string): XmlNode | undefined {
  let current = node;
  for (const name of path.split('/')) {
    current = children(current, name)[0];
    if (!current) return undefined;
  }
  return current;
}

/** The trimmed text of the element at `path`, null when absent or empty; controls refused. */
export function textAt(node: XmlNode | undefined, path: string, location: string, ctx: ParseContext): string | null {
  const el = child(node, path);
  return el ? nodeText(el, `${location}/${path}`, ctx) : null;
}

/** Every text along a path whose last step repeats ("RmtInf/Ustrd"). */
export function textsAt(node: XmlNode | undefined, path: string, location: string, ctx: ParseContext): string[] {
  const steps = path.split('/');
  const last = steps.pop()!;
  const parent = steps.length ? child(node, steps.join('/')) : node;
  return children(parent, last)
    .map((el, i) => nodeText(el, `${location}/${path}[${i + 1}]`, ctx))
    .filter((t): t is string => t !== null);
}

function nodeText(el: XmlNode, location: string, ctx: ParseContext): string | null {
  const raw = el['#text'];
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  return cleanField(raw.trim(), location, ctx);
}

export function attribute(el: XmlNode | undefined, name: string): string | null {
  const v = el?.[`@_${name}`];
  return typeof v === 'string' ? v : null;
}

/**
 * A compact JSON rendering of an element for audit storage: single children unwrapped, text-only
 * elements as strings, attributes without their prefix.
 */
export function compactJson(el: XmlNode): string {
  return JSON.stringify(compact(el));
}

export function compact(el: XmlNode): unknown {
  const out: Record<string, unknown> = {};
  let hasChildren = false;
  for (const [key, value] of Object.entries(el)) {
    if (key === '#text') continue;
    hasChildren = true;
    if (key.startsWith('@_')) out[key.slice(2)] = value;
    else {
      const list = (value as XmlNode[]).map(compact);
      out[key] = list.length === 1 ? list[0] : list;
    }
  }
  const text = typeof el['#text'] === 'string' ? (el['#text'] as string) : '';
  if (!hasChildren) return text;
  if (text) out['#text'] = text;
  return out;
}
