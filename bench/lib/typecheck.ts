/** `tsc --noEmit` of a generated output folder under the repository's strict settings, in a child process. */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, runProcess } from './proc.js';

export async function typecheckInChild(outDir: string): Promise<number> {
  const tsconfig = join(outDir, 'tsconfig.json');
  // `include` is set explicitly: the inherited one would pull in the whole repository.
  writeFileSync(tsconfig, JSON.stringify({ extends: relative(outDir, join(ROOT, 'tsconfig.json')), include: ['.'], compilerOptions: { noEmit: true } }));
  const run = await runProcess([process.execPath, join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig]);
  if (run.code !== 0) throw new Error(`tsc found errors in ${outDir}:\n${run.stdout.slice(0, 3000)}`);
  return run.wallMs;
}
