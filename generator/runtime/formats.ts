/**
 * `outputRawFormat` conversions to JSON, as the reference engine applies them before mapping:
 * xml (root element dropped, repeated children become arrays, every scalar a string), yaml, and
 * csv/tsv/psv (first row is the header; rows become objects of strings), html tables and
 * markdown (front matter, tables, sections).
 */
import { parse as parseYaml } from 'yaml';
import { htmlToJson } from './html.js';
import { markdownToJson } from './markdown.js';

export const CONVERTIBLE_FORMATS = ['json', 'xml', 'yaml', 'csv', 'tsv', 'psv', 'html', 'markdown'] as const;

/**
 * Converts a body in `format` to a JSON value; throws on malformed input. `schema` is the
 * operation's `outputSchema` (a CSS selector for html, a heading prefix for markdown).
 */
export function formatToJson(format: string, text: string, schema?: string): unknown {
  switch (format) {
    case 'html':
      return htmlToJson(text, schema);
    case 'markdown':
      return markdownToJson(text, schema);
    case 'json':
      return JSON.parse(text);
    case 'yaml':
      return parseYaml(text, { maxAliasCount: 100 });
    case 'csv':
      return delimited(text, ',');
    case 'tsv':
      return delimited(text, '\t');
    case 'psv':
      return delimited(text, '|');
    case 'xml':
      return xmlToJson(text);
    default:
      throw new Error(`format "${format}" cannot be converted`);
  }
}

function delimited(text: string, separator: string): Record<string, string>[] {
  const rows = splitRows(text, separator).filter((r) => r.some((cell) => cell !== ''));
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

/** RFC 4180-style rows: quoted cells may hold separators, quotes ("") and line breaks. */
function splitRows(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === separator) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

/** A small, strict XML reader for data documents (no DTDs, no external entities, ever). */
export function xmlToJson(text: string): unknown {
  const root = parseXml(text);
  return elementValue(root);
}

function elementValue(element: XmlElement): unknown {
  if (element.children.length === 0) return element.text.trim();
  const out: Record<string, unknown> = {};
  for (const child of element.children) {
    const value = elementValue(child);
    const existing = out[child.name];
    if (existing === undefined) out[child.name] = value;
    else if (Array.isArray(existing) && (existing as unknown[] & { repeated?: true }).repeated) existing.push(value);
    else out[child.name] = Object.assign([existing, value], { repeated: true as const });
  }
  return JSON.parse(JSON.stringify(out));
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1]!.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('XML with a DTD is refused');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let consumed = 0;
  for (const m of text.matchAll(tag)) {
    if (m.index !== consumed) throw new Error('malformed XML');
    consumed = m.index + m[0].length;
    const current = stack[stack.length - 1];
    if (m[1] !== undefined) {
      if (current) current.text += m[1];
    } else if (m[3] !== undefined) {
      if (m[2] === '/') {
        const closed = stack.pop();
        if (!closed || closed.name !== m[3]) throw new Error('malformed XML: mismatched closing tag');
        if (stack.length === 0) root = closed;
      } else {
        const element: XmlElement = { name: m[3], children: [], text: '' };
        if (current) current.children.push(element);
        else if (root) throw new Error('malformed XML: more than one root element');
        if (m[5] === '/') {
          if (!current) root = element;
        } else stack.push(element);
      }
    } else if (m[6] !== undefined && current) {
      current.text += decode(m[6]);
    }
  }
  if (consumed !== text.length || stack.length > 0 || !root) throw new Error('malformed XML');
  return root;
}
