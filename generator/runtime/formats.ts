/**
 * `outputRawFormat` conversions to JSON, as the reference engine applies them before mapping:
 * xml (root element dropped, repeated children become arrays, every scalar a string), yaml, and
 * csv/tsv/psv (first row is the header; rows become objects of strings; csv-parse), html tables
 * and markdown (front matter, tables, sections). XML is read by fast-xml-parser.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
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

/** Rows of a delimited text (RFC 4180 quoting: separators, `""` and line breaks inside quotes), by csv-parse. */
function delimited(text: string, delimiter: string): Record<string, string>[] {
  const rows = parseCsv(text, {
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header, ...body] = rows.filter((r) => r.some((cell) => cell !== ''));
  if (!header) return [];
  return body.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

/**
 * fast-xml-parser for data documents: attributes, comments, processing instructions and the
 * declaration ignored, every value a string, CDATA merged into the text. Documents with a DTD are
 * refused before parsing (no entity expansion, ever); only the five XML entities and character
 * references are decoded.
 */
const xml = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  commentPropName: false,
  cdataPropName: false,
});
const TEXT = '#text';

/** XML → JSON as the engine maps it: the root element dropped, repeated children arrays, scalars strings. */
export function xmlToJson(text: string): unknown {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('XML with a DTD is refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = xml.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1) throw new Error('malformed XML: one root element expected');
  return plain(doc[roots[0]!]);
}

/** An element with children keeps only them (text between children is dropped); a leaf is its text. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value === undefined || value === null ? '' : String(value);
  const entries = Object.entries(value).filter(([key]) => key !== TEXT);
  if (entries.length === 0) return String((value as Record<string, unknown>)[TEXT] ?? '');
  return Object.fromEntries(entries.map(([key, child]) => [key, plain(child)]));
}
