/**
 * Generation of the whole azure-sample folder (50 capabilities, 345 operations): cold (empty
 * output folder, no cache) and incremental (run again, nothing changed), each in a fresh
 * process, median of several rounds; peak memory of the cold run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../generator/pipeline.js';
import { forgetCache, generateInChild, type GenerationRun } from './lib/generate.js';
import { ROOT } from './lib/proc.js';
import { scratch, type Mode, type SectionResult } from './lib/section.js';
import { count, median, mib, ms, seconds } from './lib/stats.js';

const SHARED_SAMPLE = join(ROOT, '../shared/corpus/azure-sample');
/** The team's synthetic catalogue-dialect fixtures (in the repository). */
export const SYNTHETIC = join(ROOT, 'test/fixtures/synthetic');
/** The corpus of the full run: the azure sample beside the checkout, else the in-repo fixtures. Quick mode (npm test) always uses the in-repo fixtures. */
export const SAMPLE = existsSync(SHARED_SAMPLE) ? SHARED_SAMPLE : SYNTHETIC;

export function countOperations(files: readonly string[]): number {
  return files.reduce((n, file) => {
    const model = runPipeline(file, { outDir: join(ROOT, '.cache/bench'), validateOnly: true }).model;
    return n + (model?.consumes.reduce((m, c) => m + c.operations.length, 0) ?? 0);
  }, 0);
}

export async function run(mode: Mode): Promise<SectionResult> {
  const dir = mode.quick ? SYNTHETIC : SAMPLE;
  const all = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  // Quick mode: the three smallest in-repo fixtures, one round — proves the harness, measures nothing.
  const files = mode.quick ? [...all].sort((a, b) => statSync(a).size - statSync(b).size).slice(0, 3) : all;
  const input = mode.quick ? files : [dir];
  const rounds = mode.quick ? 1 : 3;
  const operations = countOperations(files);

  const cold: GenerationRun[] = [];
  const incremental: GenerationRun[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const out = scratch('gen');
    try {
      cold.push(await generateInChild(input, out.dir));
      incremental.push(await generateInChild(input, out.dir));
    } finally {
      forgetCache(out.dir);
      out.remove();
    }
  }
  const coldWall = median(cold.map((r) => r.wallMs));
  const incWall = median(incremental.map((r) => r.wallMs));
  const coldIn = median(cold.map((r) => r.inProcessMs));
  const incIn = median(incremental.map((r) => r.inProcessMs));
  const label = mode.quick ? `${files.length} fixture files` : dir === SYNTHETIC ? 'in-repo fixtures' : 'azure-sample';
  return {
    tables: [{
      title: `Generation: ${label} (${files.length} capabilities, ${operations} operations), median of ${rounds}`,
      headers: ['figure', 'cold', 'nothing changed'],
      rows: [
        ['process wall time (node start to exit)', seconds(coldWall), seconds(incWall)],
        ['inside the process (start-up excluded)', seconds(coldIn), seconds(incIn)],
        ['CPU time of the process (user + system)', seconds(median(cold.map((r) => r.cpuMs))), seconds(median(incremental.map((r) => r.cpuMs)))],
        ['per operation (wall)', ms(coldWall / operations), ms(incWall / operations)],
        ['per operation (inside the process)', ms(coldIn / operations), ms(incIn / operations)],
        ['peak resident memory', mib(median(cold.map((r) => r.maxRssBytes))), mib(median(incremental.map((r) => r.maxRssBytes)))],
        ['operations', count(operations), count(operations)],
      ],
      notes: [
        'cold = empty output folder and no incremental cache; nothing changed = the same command again on its own output',
        'wall time is what a user waits; CPU time counts every thread of the process (garbage collector, the tsx loader) and barely depends on what else the machine runs',
      ],
    }],
    targets: mode.quick ? [] : [
      { name: 'azure-sample cold generation', goal: '< 5 s', value: seconds(coldWall), met: coldWall < 5_000 },
      { name: 'azure-sample, nothing changed', goal: '< 1 s', value: seconds(incWall), met: incWall < 1_000 },
    ],
  };
}
