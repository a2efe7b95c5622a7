/**
 * `npm run bench`: every benchmark section in one bounded run (about five minutes on two cores),
 * printing tables of medians over repeated runs and ratios measured side by side in this run,
 * then which of the targets were met. `--quick` is a seconds-long smoke run of the same
 * code (tiny sizes, one round); `--only generation,rest` runs some sections.
 * Sections: generation, scaling, peers, rest, mcp, coldstart, budget (see BENCHMARKS.md).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { canPin } from './lib/proc.js';
import type { Mode, Section, SectionResult, Target } from './lib/section.js';
import { formatTable } from './lib/table.js';
import * as budget from './budget.js';
import * as coldstart from './coldstart.js';
import * as generation from './generation.js';
import * as mcp from './mcp.js';
import * as peers from './peers.js';
import * as rest from './rest.js';
import * as scaling from './scaling.js';

const SECTIONS: readonly Section[] = [
  { name: 'generation', run: generation.run },
  { name: 'scaling', run: scaling.run },
  { name: 'peers', run: peers.run },
  { name: 'rest', run: rest.run },
  { name: 'mcp', run: mcp.run },
  { name: 'coldstart', run: coldstart.run },
  { name: 'budget', run: budget.run },
];

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const mode: Mode = { quick: values.quick ?? false };
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

// Ctrl-C or a kill ends the run through process.exit, so children are stopped (bench/lib/proc.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const started = performance.now();
const cpu = cpus();
console.log(`naftiko-codegen benchmarks${mode.quick ? ' (--quick: smoke run, figures are not meaningful)' : ''}`);
console.log(`machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}; ${process.platform}/${process.arch}`);
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; CPU pinning ${canPin ? 'on (taskset)' : 'off'}\n`);

const targets: Target[] = [];
let failures = 0;
for (const section of SECTIONS.filter((s) => !only || only.includes(s.name))) {
  const sectionStart = performance.now();
  let result: SectionResult;
  try {
    result = await section.run(mode);
  } catch (error) {
    failures += 1;
    result = { tables: [{ title: section.name, headers: ['figure', 'value'], rows: [['failed', (error as Error).message.split('\n')[0]!]] }], targets: [] };
    console.error(`${section.name}: ${(error as Error).stack ?? String(error)}`);
  }
  for (const table of result.tables) console.log(formatTable(table));
  console.log(`(${section.name}: ${((performance.now() - sectionStart) / 1000).toFixed(0)} s)\n`);
  targets.push(...result.targets);
}

if (targets.length > 0) {
  console.log(formatTable({
    title: 'Targets',
    headers: ['target', 'goal', 'this run', 'met'],
    rows: targets.map((t) => [t.name, t.goal, t.value, t.met === undefined ? 'n/a' : t.met ? 'yes' : 'no']),
  }));
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exit(failures > 0 ? 1 : 0);
