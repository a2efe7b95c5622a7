// Runs the naftiko-codegen CLI in-process with captured output (fast; same code path as the bin).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../generator/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'naftiko-codegen', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A scratch folder inside the repo (so generated code resolves the repo's node_modules). */
export function scratchDir(prefix: string): string {
  const base = resolve('.cache/test');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

/** A scratch-folder maker whose folders are removed after the file's tests (call at top level). */
export function scratchDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = scratchDir(prefix);
    made.push(d);
    return d;
  };
}

/** Type-checks a generated output folder under the repository's strict tsconfig; throws tsc's report. */
export function typecheck(dir: string): void {
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({ extends: relative(dir, resolve('tsconfig.json')), include: ['.'], compilerOptions: { noEmit: true } }));
  try {
    execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', tsconfig], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`tsc found errors:\n${(error as { stdout?: string }).stdout ?? ''}`);
  }
}

/** Starts a capability generated into `outDir` with its own copied runtime (free ports by default). */
export async function startGenerated(
  outDir: string,
  name: string,
  options: import('../../generator/runtime/server.js').ServerOptions = {},
): Promise<import('../../generator/runtime/server.js').RunningCapability<Record<string, { close(): Promise<void> }>>> {
  const { definition } = (await import(pathToFileURL(join(outDir, name, 'index.ts')).href)) as { definition: never };
  const { startCapability } = (await import(pathToFileURL(join(outDir, '_runtime/index.ts')).href)) as typeof import('../../generator/runtime/index.js');
  return startCapability(definition, { restPort: 0, mcpPort: 0, ...options });
}
