/**
 * Finding the config file, and the error a bad one raises: light on purpose (no ajv, no YAML),
 * so commands that find no config never load the heavy loader (load.ts).
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Position, SpecPath } from '../load/load.js';
import type { NaftikoConfig } from './define.js';

export const CONFIG_NAMES = ['naftiko-codegen.config.ts', 'naftiko-codegen.config.mts', 'naftiko-codegen.config.js', 'naftiko-codegen.config.mjs', 'naftiko-codegen.config.json'];

export interface LoadedConfig {
  /** Path as shown in messages (relative to the cwd when below it). */
  readonly file: string;
  /** Absolute folder paths in the config are resolved against. */
  readonly dir: string;
  readonly config: NaftikoConfig;
  /** Where a config path was written (line 1 for TS/JS, whose source positions are unknown). */
  locate(path: SpecPath): Position;
}

/** A config file that cannot be used: its diagnostics say why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

/** The config file of `cwd`, if there is exactly one; two are ambiguous. */
export function findConfig(cwd: string): string | undefined {
  const found = CONFIG_NAMES.map((n) => resolve(cwd, n)).filter((p) => existsSync(p));
  if (found.length > 1) {
    throw new ConfigError([diag(shown(found[1]!), 1, 1, 'config-ambiguous', `more than one config file: ${found.map(shown).join(', ')}`, 'keep one, or choose with --config <file>')]);
  }
  return found[0];
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel.split('\\').join('/') : path;
}

function diag(file: string, line: number, col: number, code: string, message: string, hint?: string): Diagnostic {
  return { severity: 'error', code, file, line, col, message, ...(hint ? { hint } : {}) };
}
