/** Command-line inputs (files, folders or globs) → the capability files to process, in a stable order. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expandGlob, isGlob } from '../config/glob.js';

export class InputError extends Error {
  override name = 'InputError';
}

export function expandInputs(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (isGlob(input) && !existsSync(input)) {
      const matches = expandGlob(input);
      if (matches.length === 0) throw new InputError(`${input}: no file matches this pattern`);
      files.push(...matches);
      continue;
    }
    if (!existsSync(input)) throw new InputError(`${input}: no such file or folder`);
    if (statSync(input).isDirectory()) {
      // Top level only: sub-folders hold shared files that capabilities import.
      const names = readdirSync(input).filter((n) => /\.ya?ml$/i.test(n)).sort();
      files.push(...names.map((n) => join(input, n)));
    } else {
      files.push(input);
    }
  }
  return [...new Set(files)];
}

/** Output folder name of a capability file: its base name without `.yaml`/`.yml`. */
export function capabilityName(file: string): string {
  return basename(file).replace(/\.(ya?ml)$/i, '');
}
