/** Command-line inputs (files, folders or globs) → the capability files to process, in a stable order. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expandGlob, isGlob } from '../config/glob.js';

export class InputError extends Error {
  override name = 'InputError';
}

const YAML_FILE = /\.ya?ml$/i;
/** A top-level `capability:` key (block or flow style, quoted or not): what makes a file a capability. */
const CAPABILITY_KEY = /^(?:\{\s*)?["']?capability["']?\s*:/m;

/**
 * Whether a file found in a sub-folder is a capability (not a shared file that capabilities
 * import — `consumes`/`exposes`/`binds` without `capability` — nor unrelated YAML). A text test,
 * so that a run where nothing changed still parses no YAML.
 */
function isCapabilityFile(file: string): boolean {
  try {
    return CAPABILITY_KEY.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The `*.yaml`/`*.yml` files of a folder: every file at its top level (shared files there are
 * reported as import-only), and the capability files of its sub-folders at any depth, skipping
 * `node_modules`, dot folders and the import-only leaves.
 */
function folderFiles(dir: string, top = true): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...folderFiles(full, false));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && YAML_FILE.test(entry.name) && !entry.name.startsWith('.')) {
      if (top || isCapabilityFile(full)) out.push(full);
    }
  }
  return out;
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
    if (statSync(input).isDirectory()) files.push(...folderFiles(input));
    else files.push(input);
  }
  return [...new Set(files)];
}

/** The error of a run whose inputs hold no capability (only shared import files, or nothing). */
export function noCapabilityMessage(inputs: readonly string[], files: readonly string[]): string {
  const where = inputs.join(', ') || '(none)';
  return files.length === 0
    ? `no capability file in ${where}: folders are searched for *.yaml / *.yml files (sub-folders too, without node_modules and dot folders); pass a file, a folder or a glob that holds one, or write one with \`naftiko-codegen new <name>\``
    : `no capability in ${where}: the ${files.length === 1 ? 'file holds' : `${files.length} files hold`} only shared definitions that capabilities import (no \`capability:\` key); pass the capability files that import them`;
}

/** Output folder name of a capability file: its base name without `.yaml`/`.yml`. */
export function capabilityName(file: string): string {
  return basename(file).replace(/\.(ya?ml)$/i, '');
}
