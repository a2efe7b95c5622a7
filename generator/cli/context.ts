/**
 * Where a command's inputs and output come from: command-line flags first, then the config file
 * (`--config <file>`, or `naftiko-codegen.config.*` in the current folder), then the defaults
 * (`capabilities/` in, `generated/` out). Paths in the config are relative to the config file.
 */
import { relative, resolve } from 'node:path';
import { findConfig, type LoadedConfig } from '../config/find.js';
import { expandInputs } from './inputs.js';

export interface CommonFlags {
  /** `--config <file>`, or false for `--no-config`. */
  readonly config?: string | false;
  readonly out?: string;
}

export interface RunContext {
  readonly config?: LoadedConfig;
  /** Inputs as written (before expansion), relative to the cwd. */
  readonly inputs: readonly string[];
  /** Capability files, in a stable order. */
  readonly files: readonly string[];
  readonly outDir: string;
  /** The output folder as shown in messages. */
  readonly outShown: string;
  /** Whether the inputs came from the command line (then the config's other capabilities are not expected). */
  readonly inputsFromFlags: boolean;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel.split('\\').join('/');
}

export async function configFor(flags: CommonFlags): Promise<LoadedConfig | undefined> {
  if (flags.config === false) return undefined;
  const file = flags.config ?? findConfig(process.cwd());
  // The loader (ajv, YAML, tsx) is loaded only when there is a config to load.
  return file ? (await import('../config/load.js')).loadConfig(file) : undefined;
}

/** Resolves inputs and output for generate / check / validate; throws InputError or ConfigError. */
export async function runContext(args: readonly string[], flags: CommonFlags, config?: LoadedConfig): Promise<RunContext> {
  const base = config?.dir ?? process.cwd();
  const inputs = args.length > 0 ? [...args] : (config?.config.inputs ?? ['capabilities']).map((i) => shown(resolve(base, i)));
  const outDir = flags.out !== undefined ? resolve(flags.out) : resolve(base, config?.config.out ?? 'generated');
  return { ...(config ? { config } : {}), inputs, files: expandInputs(inputs), outDir, outShown: flags.out ?? shown(outDir), inputsFromFlags: args.length > 0 };
}
