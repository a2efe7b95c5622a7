/**
 * `body: {type: xml, data: {…}}` with structured data: the schema means an XML document, so the
 * data becomes an XML text template at generation time (the engine sends the JSON text instead).
 * A single object-valued key is the root element; anything else is wrapped in `<root>`, the
 * element our XML reader drops, so data read back from such a body round-trips.
 * Arrays repeat their element; leaves stay `{{templates}}`, XML-escaped when rendered.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The XML template for `data`, or the first key that is not a valid XML element name. */
export function xmlTemplate(data: Record<string, unknown>): { template: string } | { badName: string } {
  const entries = Object.entries(data);
  const bad = firstBadName(data);
  if (bad !== undefined) return { badName: bad };
  if (entries.length === 1 && isObject(entries[0]![1])) return { template: element(entries[0]![0], entries[0]![1]) };
  return { template: element('root', data) };
}

function element(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (isObject(value)) return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v)).join('')}</${name}>`;
  if (value === null || value === undefined) return `<${name}/>`;
  return `<${name}>${escapeLiteral(String(value))}</${name}>`;
}

/** Escapes literal text but keeps `{{variables}}` (escaped when rendered). */
function escapeLiteral(text: string): string {
  return text.split(/(\{\{[^{}]*\}\})/).map((part, i) => (i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))).join('');
}

function firstBadName(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const bad = firstBadName(item);
      if (bad !== undefined) return bad;
    }
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (!NAME.test(key) || /^xml/i.test(key)) return key;
      const bad = firstBadName(child);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
