/**
 * `outputRawFormat: markdown` → `{ frontMatter, tables, sections }`, the shape the reference
 * engine gives Markdown: YAML front matter as an object, every pipe table as an array of row
 * objects keyed by its header, and every ATX heading as `{heading, level, content}`.
 * `outputSchema` is a heading prefix: only sections whose heading starts with it, and the
 * tables inside them, are kept. Fenced code blocks are content, never headings or tables.
 * The document is read by mdast-util-from-markdown (micromark, CommonMark) with the GFM table
 * extension; the front matter block is cut off first and read by the YAML parser.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { toString } from 'mdast-util-to-string';
import { gfmTable } from 'micromark-extension-gfm-table';
import { parse as parseYaml } from 'yaml';

export interface MarkdownJson {
  frontMatter: Record<string, unknown>;
  tables: Record<string, string>[][];
  sections: { heading: string; level: number; content: string }[];
}

export function markdownToJson(text: string, headingPrefix?: string): MarkdownJson {
  let lines = text.replace(/\r\n?/g, '\n').split('\n');
  let frontMatter: Record<string, unknown> = {};
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) {
      const parsed: unknown = parseYaml(lines.slice(1, end).join('\n'), { maxAliasCount: 100 });
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) frontMatter = parsed as Record<string, unknown>;
      lines = lines.slice(end + 1);
    }
  }

  // CommonMark + GFM tables by micromark/mdast: ATX and setext headings, fenced and indented
  // code (never headings or tables), escaped pipes in cells. A section's content is its source
  // text up to the next heading.
  const source = lines.join('\n');
  const tree = fromMarkdown(source, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] });
  const sections: (MarkdownJson['sections'][number] & { tables: Record<string, string>[][] })[] = [];
  const preamble: Record<string, string>[][] = [];
  let contentStart = 0;
  const flush = (end: number): void => {
    const last = sections[sections.length - 1];
    if (last) last.content = source.slice(contentStart, end).trim();
  };
  for (const node of tree.children) {
    if (node.type === 'heading') {
      flush(node.position?.start.offset ?? source.length);
      sections.push({ heading: toString(node), level: node.depth, content: '', tables: [] });
      contentStart = node.position?.end.offset ?? source.length;
    } else if (node.type === 'table') {
      const [head, ...body] = node.children.map((row) => row.children.map((cell) => toString(cell).trim()));
      const header = head ?? [];
      const rows = body.map((values) => Object.fromEntries(header.map((name, k) => [name, values[k] ?? ''])));
      (sections[sections.length - 1]?.tables ?? preamble).push(rows);
    }
  }
  flush(source.length);

  const kept = headingPrefix ? sections.filter((s) => s.heading.startsWith(headingPrefix)) : sections;
  return {
    frontMatter,
    tables: [...(headingPrefix ? [] : preamble), ...kept.flatMap((s) => s.tables)],
    sections: kept.map(({ heading, level, content }) => ({ heading, level, content })),
  };
}
