/**
 * `outputRawFormat: html` → `{ tables: [[{header: cell}]] }`, as the reference engine reads HTML
 * (jsoup there): each table becomes an array of row objects keyed by its header cells; header
 * rows are skipped. `outputSchema` is an optional CSS selector choosing the tables (a table it
 * matches, or the tables inside an element it matches). The page is parsed by htmlparser2 (a
 * forgiving parser: implied end tags of cells, rows and paragraphs, raw-text script/style, every
 * HTML character reference) and the selector run by css-select — the pair cheerio is built on.
 */
import { selectAll } from 'css-select';
import { isTag, isText, type AnyNode, type Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';

export function htmlToJson(html: string, selector?: string): { tables: Record<string, string>[][] } {
  const document = parseDocument(html, { decodeEntities: true, lowerCaseTags: true });
  const tables = selector && selector.trim() !== '' ? selectTables(document.children, selector.trim()) : descendants(document.children).filter((e) => e.name === 'table');
  return { tables: tables.map(tableRows) };
}

/** Elements under `nodes`, in document order. */
function descendants(nodes: readonly AnyNode[]): Element[] {
  const out: Element[] = [];
  const walk = (list: readonly AnyNode[]): void => {
    for (const node of list) {
      if (!isTag(node)) continue;
      out.push(node);
      walk(node.children);
    }
  };
  walk(nodes);
  return out;
}

/** Tables matched by the selector, or inside the elements it matches. */
function selectTables(nodes: AnyNode[], selector: string): Element[] {
  const tables: Element[] = [];
  for (const element of selectAll(selector, nodes).filter(isTag)) {
    for (const table of element.name === 'table' ? [element] : descendants(element.children).filter((e) => e.name === 'table')) {
      if (!tables.includes(table)) tables.push(table);
    }
  }
  return tables;
}

/** The text of a cell: script/style left out, `<br>` a space, white space collapsed. */
function textOf(element: Element): string {
  const parts: string[] = [];
  const walk = (list: readonly AnyNode[]): void => {
    for (const node of list) {
      if (isText(node)) parts.push(node.data);
      else if (isTag(node)) {
        if (node.name === 'br') parts.push(' ');
        else if (node.name !== 'script' && node.name !== 'style') walk(node.children);
      }
    }
  };
  walk(element.children);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Rows of one table (nested tables excluded) as objects keyed by the header cells. */
function tableRows(table: Element): Record<string, string>[] {
  const rows: Element[][] = [];
  const collect = (list: readonly AnyNode[]): void => {
    for (const node of list) {
      if (!isTag(node) || node.name === 'table') continue;
      if (node.name === 'tr') rows.push(node.children.filter((c): c is Element => isTag(c) && (c.name === 'td' || c.name === 'th')));
      else collect(node.children);
    }
  };
  collect(table.children);
  const headerIndex = rows.findIndex((cells) => cells.length > 0 && cells.every((c) => c.name === 'th'));
  const header = (headerIndex >= 0 ? rows[headerIndex] : rows[0])?.map(textOf) ?? [];
  const body = rows.filter((cells, i) => (headerIndex >= 0 ? i !== headerIndex && !cells.every((c) => c.name === 'th') : i !== 0) && cells.length > 0);
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ? textOf(cells[i]!) : ''])));
}
