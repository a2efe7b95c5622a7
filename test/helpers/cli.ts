// Runs the naftiko-codegen CLI in-process with captured output (fast; same code path as the bin).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
