/**
 * The handlebars environment for templates/. Every `{{expression}}` goes through an escaping
 * helper: a plain string reaching the output unescaped is a generator bug, so the environment's
 * escapeExpression throws instead of printing it (helpers return SafeStrings, numbers pass).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { Code, docComment, lineComment, literal, propertyAccess, propertyKey, stringLiteral, isIdentifierName } from './escape.js';

const hb = Handlebars.create();
const safe = (text: string): Handlebars.SafeString => new hb.SafeString(text);

function refuseRawValue(value: unknown): string {
  if (value instanceof hb.SafeString) return value.toHTML();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null || value === '') return '';
  throw new Error(`template printed a raw value ${JSON.stringify(String(value)).slice(0, 80)}; use an escaping helper`);
}
// handlebars reads escapeExpression from its utils object when a template is instantiated.
(hb.Utils as { escapeExpression: (v: unknown) => string }).escapeExpression = refuseRawValue;

hb.registerHelper('str', (value: unknown) => safe(stringLiteral(String(value ?? ''))));
hb.registerHelper('key', (value: unknown) => safe(propertyKey(String(value))));
hb.registerHelper('access', (target: unknown, name: unknown) => safe(propertyAccess(String(target), String(name))));
hb.registerHelper('id', (value: unknown) => {
  const name = String(value);
  if (!isIdentifierName(name)) throw new Error(`"${name}" is not an identifier; the name planner must allocate it`);
  return safe(name);
});
hb.registerHelper('literal', (value: unknown) => safe(literal(value)));
hb.registerHelper('doc', (...args: unknown[]) => safe(docComment(...(args.slice(0, -1) as (string | undefined)[]))));
hb.registerHelper('comment', (value: unknown) => safe(lineComment(String(value ?? ''))));
hb.registerHelper('code', (value: unknown) => {
  if (!(value instanceof Code)) throw new Error('the code helper prints only Code fragments built from escaped parts');
  return safe(value.text);
});
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
const cache = new Map<string, Handlebars.TemplateDelegate>();
for (const name of readdirSync(`${templatesDir}partials`)) {
  if (name.endsWith('.hbs')) hb.registerPartial(name.slice(0, -4), readFileSync(`${templatesDir}partials/${name}`, 'utf8'));
}

/** Renders `templates/<name>.hbs` with a view object. */
export function render(name: string, view: object): string {
  let template = cache.get(name);
  if (!template) {
    template = hb.compile(readFileSync(`${templatesDir}${name}.hbs`, 'utf8'), { strict: true, noEscape: false });
    cache.set(name, template);
  }
  return template(view);
}
