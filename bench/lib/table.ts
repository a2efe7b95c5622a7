/** Plain-text tables for the benchmark report (also pasted into BENCHMARKS.md as Markdown). */

export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table (how a figure was measured, why something is n/a). */
  readonly notes?: readonly string[];
}

/** A Markdown table: readable in a terminal and pasteable as is. */
export function formatTable(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const out = [`### ${table.title}`, '', line(table.headers), rule, ...table.rows.map(line)];
  if (table.notes?.length) out.push('', ...table.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
