/**
 * One run over many capability files: each through the pipeline with its config settings, the
 * wanted output tree assembled (capability folders, the shared runtime, package.json, manifest).
 */
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { RUNTIME_DIR, runtimeFiles } from '../emit/runtime-files.js';
import type { CapabilityResult } from '../pipeline.js';
import { settingsFor } from '../config/settings.js';
import { capabilityName } from './inputs.js';
import type { LoadedConfig } from '../config/find.js';
import { GenerationCache } from '../write/cache.js';
import { dependencySet, outputPackageJson } from '../write/dependencies.js';
import { MANIFEST, manifestText, type OutputTree } from '../write/output.js';

export interface BatchOptions {
  readonly files: readonly string[];
  readonly outDir: string;
  readonly config?: LoadedConfig;
  readonly cache?: GenerationCache;
  readonly validateOnly?: boolean;
  /** Check against the official schema of each file's version too. */
  readonly strict?: boolean;
  /** Called after each file, for progress reporting. */
  readonly onFile?: (done: number, total: number, file: string) => void;
  /** Called with each file's diagnostics as soon as they are known. */
  readonly onDiagnostics?: (diagnostics: readonly Diagnostic[]) => void;
}

export interface Batch {
  readonly results: CapabilityResult[];
  readonly tree: OutputTree;
  /** Output folders of capabilities that failed (their last good output is kept). */
  readonly failed: Set<string>;
  /** Diagnostics not tied to one pipeline run (two files for one output folder). */
  readonly extra: Diagnostic[];
}

/**
 * The generator's stages (YAML, JSON Schema, model, templates, TypeScript formatter) are loaded
 * only when a capability has to be rendered: a run where nothing changed reads files and hashes.
 */
const loadPipeline = (): Promise<typeof import('../pipeline.js')> => import('../pipeline.js');

export async function runBatch(options: BatchOptions): Promise<Batch> {
  const tree: OutputTree = new Map();
  const failed = new Set<string>();
  const results: CapabilityResult[] = [];
  const extra: Diagnostic[] = [];
  const owners = new Map<string, string>();
  for (const [i, file] of options.files.entries()) {
    const name = capabilityName(file);
    const settings = settingsFor(options.config, name);
    const cached = options.validateOnly ? undefined : options.cache?.lookupFile(resolve(file), resolve(options.outDir, name), settings?.key ?? '');
    const result: CapabilityResult = cached ? { file, name, diagnostics: [], ...cached } : (await loadPipeline()).runPipeline(file, {
      outDir: options.outDir,
      ...(options.cache ? { cache: options.cache } : {}),
      ...(settings ? { settings } : {}),
      ...(options.validateOnly ? { validateOnly: true } : {}),
      ...(options.strict ? { strict: true } : {}),
    });
    // Import-only files produce no folder, so only capabilities can collide on one.
    const owner = result.importOnly ? undefined : owners.get(name);
    if (owner) {
      const d: Diagnostic = { severity: 'error', code: 'duplicate-output', file, line: 1, col: 1, message: `output folder "${name}" is already produced by ${owner}`, hint: 'rename one of the files' };
      extra.push(d);
      options.onDiagnostics?.([d]);
      failed.add(name);
      results.push({ file, name, diagnostics: [d] });
      options.onFile?.(i + 1, options.files.length, file);
      continue;
    }
    if (!result.importOnly) owners.set(name, file);
    results.push(result);
    options.onDiagnostics?.(result.diagnostics);
    if (!result.importOnly && !options.validateOnly) {
      if (!result.files) failed.add(name);
      else for (const [path, text] of result.files) tree.set(`${name}/${path}`, text);
    }
    options.onFile?.(i + 1, options.files.length, file);
  }
  if (tree.size > 0) {
    for (const [path, text] of runtimeFiles()) tree.set(`${RUNTIME_DIR}/${path}`, text);
    // Marks the output as ES modules wherever it is written (`--out` outside any package).
    // It also lists the packages the generated code imports (write/dependencies.ts).
    tree.set('package.json', outputPackageJson(dependencySet(tree)));
  }
  tree.set(MANIFEST, manifestText(tree.keys()));
  return { results, tree, failed, extra };
}

/** What one capability's generated files hold, counted from the files (cached runs have no model). */
export function countsOf(files: ReadonlyMap<string, string> | undefined): { operations: number; routes: number; tools: number; files: number } {
  const count = (path: string, re: RegExp): number => (files?.get(path)?.match(re) ?? []).length;
  return {
    operations: count('client.ts', /^export const \w+: OperationSpec = /gm),
    routes: count('routes.ts', /^\s*addRoute\b/gm),
    tools: count('mcp.ts', /^\s*addTool\b/gm),
    files: files?.size ?? 0,
  };
}
