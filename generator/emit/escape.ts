/**
 * Escapers for every kind of place a spec value can land in generated TypeScript. Templates
 * reach them through handlebars helpers (handlebars.ts); nothing from a spec is printed raw.
 */

/** A fragment of code built from escaped parts; the only thing the `code` helper prints. */
export class Code {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A single-quoted TypeScript string literal that means exactly `value`. */
export function stringLiteral(value: string): string {
  // Single quotes by default; double quotes when that avoids escaping (as a formatter would).
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote) out += `\\${quote}`;
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfeff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}${quote}`;
}

export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** An object-literal or interface key: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return isIdentifierName(name) ? name : stringLiteral(name);
}

/** `target.name` or `target['na-me']`. */
export function propertyAccess(target: string, name: string): string {
  return isIdentifierName(name) ? `${target}.${name}` : `${target}[${stringLiteral(name)}]`;
}

/** Doc-comment text: one safe line per input line; `*\/` can never close the comment early. */
export function docLines(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    // Control characters would survive into the file; none belongs in documentation.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((line) => line.trimEnd())
    .reduce<string[]>((acc, line) => (line === '' && (acc.length === 0 || acc[acc.length - 1] === '') ? acc : [...acc, line]), [])
    .filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

/** A full `/** … *\/` block (empty when there is nothing to say). */
export function docComment(...paragraphs: (string | undefined)[]): string {
  const lines: string[] = [];
  for (const p of paragraphs) {
    const ls = docLines(p);
    if (ls.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(...ls);
  }
  if (lines.length === 0) return '';
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ['/**', ...lines.map((l) => (l ? ` * ${l}` : ' *')), ' */'].join('\n');
}

/** Text for a `//` line comment: control characters and line breaks become spaces. */
export function lineComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

/** A TypeScript literal for JSON-like data; strings escaped, keys quoted when needed. */
export function literal(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return value === null ? 'null' : 'undefined';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    // Short lists of scalars stay on one line, as a person would write them.
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const inline = `[${value.map((v) => literal(v)).join(', ')}]`;
      if (inline.length <= 80) return inline;
    }
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
}
