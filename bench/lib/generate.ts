/** Runs the generator in a fresh child process: what a user's `npm run generate` costs. */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lastJson, ROOT, runProcess, tsxCommand } from './proc.js';

export interface GenerationRun {
  /** Spawn to exit: Node and module start-up included. */
  readonly wallMs: number;
  /** Inside the process, from the command's start to its end. */
  readonly inProcessMs: number;
  readonly maxRssBytes: number;
}

export async function generateInChild(inputs: readonly string[], outDir: string): Promise<GenerationRun> {
  const run = await runProcess(tsxCommand(join(ROOT, 'bench/children/generate.ts'), [...inputs, '--out', outDir]));
  const report = lastJson<{ code: number; ms: number; maxRssBytes: number; errors: string[] }>(run.stdout);
  if (run.code !== 0 || report.code !== 0) throw new Error(`generate ${inputs.join(' ')} failed:\n${report.errors.join('\n')}${run.stderr.slice(-2000)}`);
  return { wallMs: run.wallMs, inProcessMs: report.ms, maxRssBytes: report.maxRssBytes };
}

/** Removes the incremental-generation cache entry the generator keeps for an output folder. */
export function forgetCache(outDir: string): void {
  const key = createHash('sha256').update(resolve(outDir)).digest('hex').slice(0, 16);
  rmSync(join(ROOT, 'node_modules', '.cache', 'naftiko-codegen', `${key}.json`), { force: true });
}
