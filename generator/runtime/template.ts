/**
 * Mustache-style `{{name}}` rendering, as the Naftiko spec uses it in paths, parameter values,
 * bodies and auth fields. Only variable substitution exists (no sections, no partials), which is
 * all the spec relies on. Missing values render as the empty string, like the reference engine.
 */

/** Looks a template variable up; `undefined` means "absent". */
export type Resolve = (name: string) => unknown;

const VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** Text form of a value: strings as-is, arrays and objects as JSON. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return JSON.stringify(value);
}

/** Renders every `{{name}}` with `resolve(name)` in plain text. */
export function renderText(template: string, resolve: Resolve): string {
  // Most values are constants (`api-version`, `Metadata: true`): skip the regex for them.
  if (!template.includes('{{')) return template;
  return template.replace(VARIABLE, (_m, name: string) => stringify(resolve(name)));
}

/** Renders an XML text template: values are escaped so they stay character data. */
export function renderXml(template: string, resolve: Resolve): string {
  return template.replace(VARIABLE, (_m, name: string) =>
    stringify(resolve(name)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'));
}

/** True when the text contains at least one `{{name}}`. */
export function hasVariables(template: string): boolean {
  return template.includes('{{') && /\{\{\s*[^{}\s]+\s*\}\}/.test(template);
}

/** The variable names a template uses, in order of first appearance. */
export function variablesOf(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1]!;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Renders a JSON text template so that the result stays valid JSON whatever the values hold:
 * inside a string literal a value is JSON-escaped; outside one it is written as a JSON value
 * (a string that already is JSON text, such as `[1,2]` or `42`, is kept as that JSON).
 * The reference engine pastes values raw, so `"{{x}}"` with `x = a"b` breaks the body; we do not.
 */
export function renderJson(template: string, resolve: Resolve): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      const end = template.indexOf('}}', i + 2);
      const name = end > 0 ? template.slice(i + 2, end).trim() : '';
      if (end > 0 && name.length > 0 && !/[{}\s]/.test(name)) {
        const value = resolve(name);
        out += inString ? JSON.stringify(stringify(value)).slice(1, -1) : jsonValueText(value);
        i = end + 2;
        continue;
      }
    }
    if (inString && ch === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
    i += 1;
  }
  return out;
}

function jsonValueText(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.length > 0 && isJsonText(trimmed)) return trimmed;
    return JSON.stringify(value);
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  return JSON.stringify(value) ?? 'null';
}

function isJsonText(text: string): boolean {
  const first = text[0]!;
  if (!'[{-0123456789tfn'.includes(first)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Renders JSON data whose string leaves may hold templates: a leaf that is exactly `{{x}}`
 * takes x's value as it is (arrays stay arrays), any other leaf is rendered as text.
 */
export function renderData(data: unknown, resolve: Resolve): unknown {
  if (typeof data === 'string') {
    const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(data);
    if (whole) {
      const value = resolve(whole[1]!);
      return value === undefined ? null : value;
    }
    return renderText(data, resolve);
  }
  if (Array.isArray(data)) return data.map((item) => renderData(item, resolve));
  if (typeof data === 'object' && data !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) out[key] = renderData(value, resolve);
    return out;
  }
  return data;
}
