// `npm run bench`: generation speed, measured side by side in one run (medians of repeated runs).
// Cold = empty output folder; incremental = nothing changed since the previous run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../generator/cli/main.js';
import { runPipeline } from '../generator/pipeline.js';

const SAMPLE = process.argv[2] ?? '../shared/corpus/azure-sample';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const files = readdirSync(SAMPLE).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(SAMPLE, f));
const quiet = { out: () => {}, err: () => {} };

const operations = files.reduce((n, f) => n + (runPipeline(f, { outDir: tmpdir(), validateOnly: true }).model?.consumes.reduce((m, c) => m + c.operations.length, 0) ?? 0), 0);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cold: number[] = [];
const incremental: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const out = mkdtempSync(join(tmpdir(), 'naftiko-bench-'));
  cold.push(await time(() => main(['node', 'naftiko-codegen', 'generate', SAMPLE, '--out', out], quiet)));
  incremental.push(await time(() => main(['node', 'naftiko-codegen', 'generate', SAMPLE, '--out', out], quiet)));
  rmSync(out, { recursive: true, force: true });
}
const c = median(cold);
const i = median(incremental);
const rows: [string, string][] = [
  ['capabilities', String(files.length)],
  ['operations', String(operations)],
  [`cold generation (median of ${ROUNDS})`, `${c.toFixed(0)} ms`],
  [`incremental, nothing changed (median of ${ROUNDS})`, `${i.toFixed(0)} ms`],
  ['cold per operation', `${(c / operations).toFixed(2)} ms`],
  ['incremental / cold', `${(i / c).toFixed(2)}×`],
  ['peak resident memory', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`generation benchmark: ${SAMPLE} (Node ${process.version})`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
