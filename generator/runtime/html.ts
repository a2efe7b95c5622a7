/**
 * `outputRawFormat: html` → `{ tables: [[{header: cell}]] }`, as the reference engine reads HTML
 * (jsoup there): each table becomes an array of row objects keyed by its header cells; header
 * rows are skipped. `outputSchema` is an optional CSS selector choosing the tables: compound
 * selectors (`table`, `.products`, `#main`, `table.products`) joined by descendant spaces.
 * A small tolerant tree builder, enough for tables: void elements, implied end tags of cells,
 * rows and paragraphs, comments, script/style content and character references.
 */

interface Element {
  readonly tag: string;
  readonly id: string;
  readonly classes: readonly string[];
  readonly parent: Element | undefined;
  readonly children: (Element | string)[];
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', euro: '€', mdash: '—', ndash: '–', hellip: '…' };

export function htmlToJson(html: string, selector?: string): { tables: Record<string, string>[][] } {
  const root = parseHtml(html);
  const tables = selector && selector.trim() !== '' ? selectTables(root, selector) : descendants(root).filter((e) => e.tag === 'table');
  return { tables: tables.map(tableRows) };
}

function parseHtml(html: string): Element {
  const root: Element = { tag: '#root', id: '', classes: [], parent: undefined, children: [] };
  let current = root;
  const token = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\?[^>]*>|<\/([a-zA-Z][a-zA-Z0-9-]*)\s*>|<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/g;
  let last = 0;
  for (let match = token.exec(html); match; match = token.exec(html)) {
    if (match.index > last) current.children.push(decode(html.slice(last, match.index)));
    last = token.lastIndex;
    const [, closing, opening, attributes = '', selfClosing] = match;
    if (closing) {
      const tag = closing.toLowerCase();
      for (let open: Element | undefined = current; open && open !== root; open = open.parent) {
        if (open.tag === tag) {
          current = open.parent!;
          break;
        }
      }
    } else if (opening) {
      const tag = opening.toLowerCase();
      current = closeImplied(current, tag);
      const element: Element = { tag, id: attribute(attributes, 'id'), classes: attribute(attributes, 'class').split(/\s+/).filter(Boolean), parent: current, children: [] };
      current.children.push(element);
      if (RAW_TEXT.has(tag)) {
        const end = html.toLowerCase().indexOf(`</${tag}`, last);
        const stop = end < 0 ? html.length : end;
        element.children.push(decode(html.slice(last, stop)));
        const close = html.indexOf('>', stop);
        last = close < 0 ? html.length : close + 1;
        token.lastIndex = last;
      } else if (!VOID.has(tag) && !selfClosing) {
        current = element;
      }
    }
  }
  if (last < html.length) current.children.push(decode(html.slice(last)));
  return root;
}

/** End tags HTML lets authors omit: a new cell ends the open cell, a new row the open row. */
function closeImplied(current: Element, tag: string): Element {
  const closes: Record<string, readonly string[]> = {
    td: ['td', 'th'], th: ['td', 'th'], tr: ['tr', 'td', 'th'], thead: ['tbody', 'thead', 'tr', 'td', 'th'], tbody: ['thead', 'tbody', 'tr', 'td', 'th'], tfoot: ['thead', 'tbody', 'tr', 'td', 'th'], p: ['p'], li: ['li'],
  };
  const closable = closes[tag];
  if (!closable) return current;
  let node = current;
  while (node.parent && closable.includes(node.tag)) node = node.parent;
  return node;
}

function attribute(attributes: string, name: string): string {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attributes);
  return decode(match?.[1] ?? match?.[2] ?? match?.[3] ?? '');
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

function descendants(element: Element): Element[] {
  const out: Element[] = [];
  const walk = (e: Element): void => {
    for (const child of e.children) {
      if (typeof child === 'string') continue;
      out.push(child);
      walk(child);
    }
  };
  walk(element);
  return out;
}

function textOf(element: Element): string {
  const parts: string[] = [];
  const walk = (e: Element): void => {
    for (const child of e.children) {
      if (typeof child === 'string') parts.push(child);
      else if (child.tag !== 'script' && child.tag !== 'style') walk(child);
      if (typeof child !== 'string' && child.tag === 'br') parts.push(' ');
    }
  };
  walk(element);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Tables matched by the selector, or inside the elements it matches. */
function selectTables(root: Element, selector: string): Element[] {
  const chain = selector.trim().split(/\s+/).map(compound);
  const matched = descendants(root).filter((e) => matchesChain(e, chain));
  const tables: Element[] = [];
  for (const element of matched) {
    for (const table of element.tag === 'table' ? [element] : descendants(element).filter((e) => e.tag === 'table')) {
      if (!tables.includes(table)) tables.push(table);
    }
  }
  return tables;
}

interface Compound {
  readonly tag?: string | undefined;
  readonly id?: string | undefined;
  readonly classes: readonly string[];
}

function compound(text: string): Compound {
  const tag = /^[a-zA-Z][a-zA-Z0-9-]*/.exec(text)?.[0]?.toLowerCase();
  const id = /#([^.#\s]+)/.exec(text)?.[1];
  const classes = [...text.matchAll(/\.([^.#\s]+)/g)].map((m) => m[1]!);
  return { ...(tag ? { tag } : {}), ...(id ? { id } : {}), classes };
}

function matches(element: Element, c: Compound): boolean {
  return (c.tag === undefined || c.tag === '*' || element.tag === c.tag) && (c.id === undefined || element.id === c.id) && c.classes.every((k) => element.classes.includes(k));
}

function matchesChain(element: Element, chain: readonly Compound[]): boolean {
  if (!matches(element, chain[chain.length - 1]!)) return false;
  let index = chain.length - 2;
  for (let ancestor = element.parent; ancestor && index >= 0; ancestor = ancestor.parent) {
    if (matches(ancestor, chain[index]!)) index -= 1;
  }
  return index < 0;
}

/** Rows of one table (nested tables excluded) as objects keyed by the header cells. */
function tableRows(table: Element): Record<string, string>[] {
  const rows: Element[][] = [];
  const collect = (e: Element): void => {
    for (const child of e.children) {
      if (typeof child === 'string' || child.tag === 'table') continue;
      if (child.tag === 'tr') rows.push(child.children.filter((c): c is Element => typeof c !== 'string' && (c.tag === 'td' || c.tag === 'th')));
      else collect(child);
    }
  };
  collect(table);
  const headerIndex = rows.findIndex((cells) => cells.length > 0 && cells.every((c) => c.tag === 'th'));
  const header = (headerIndex >= 0 ? rows[headerIndex] : rows[0])?.map(textOf) ?? [];
  const body = rows.filter((cells, i) => (headerIndex >= 0 ? i !== headerIndex && !cells.every((c) => c.tag === 'th') : i !== 0) && cells.length > 0);
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ? textOf(cells[i]!) : ''])));
}
