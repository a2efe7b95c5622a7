/**
 * `outputRawFormat: markdown` → `{ frontMatter, tables, sections }`, the shape the reference
 * engine gives Markdown: YAML front matter as an object, every pipe table as an array of row
 * objects keyed by its header, and every ATX heading as `{heading, level, content}`.
 * `outputSchema` is a heading prefix: only sections whose heading starts with it, and the
 * tables inside them, are kept. Fenced code blocks are content, never headings or tables.
 */
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

  const sections: (MarkdownJson['sections'][number] & { tables: Record<string, string>[][] })[] = [];
  const preamble: Record<string, string>[][] = [];
  let body: string[] = [];
  let fence: string | undefined;
  const flush = (): void => {
    const last = sections[sections.length - 1];
    if (last) last.content = body.join('\n').trim();
    body = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      body.push(line);
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      body.push(line);
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      sections.push({ heading: heading[2]!, level: heading[1]!.length, content: '', tables: [] });
      continue;
    }
    if (isRow(line) && isSeparator(lines[i + 1] ?? '')) {
      const header = cells(line);
      const rows: Record<string, string>[] = [];
      let j = i + 2;
      for (; j < lines.length && isRow(lines[j]!); j += 1) {
        const values = cells(lines[j]!);
        rows.push(Object.fromEntries(header.map((name, k) => [name, values[k] ?? ''])));
      }
      (sections[sections.length - 1]?.tables ?? preamble).push(rows);
      body.push(...lines.slice(i, j));
      i = j - 1;
      continue;
    }
    body.push(line);
  }
  flush();

  const kept = headingPrefix ? sections.filter((s) => s.heading.startsWith(headingPrefix)) : sections;
  return {
    frontMatter,
    tables: [...(headingPrefix ? [] : preamble), ...kept.flatMap((s) => s.tables)],
    sections: kept.map(({ heading, level, content }) => ({ heading, level, content })),
  };
}

function isRow(line: string): boolean {
  return line.includes('|') && line.trim() !== '';
}

function isSeparator(line: string): boolean {
  const parts = cells(line);
  return parts.length > 0 && parts.every((p) => /^:?-{1,}:?$/.test(p));
}

/** Cells of a pipe-table row: outer pipes optional, `\|` is a literal pipe. */
function cells(line: string): string[] {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}
