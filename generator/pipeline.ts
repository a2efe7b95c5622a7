/**
 * One capability file through every stage: load → validate → model → emit. Diagnostics of every
 * stage are collected; a file with an error produces no output (never a half-generated folder).
 */
import { basename, relative, resolve } from 'node:path';
import { applySettings } from './config/apply.js';
import type { ResolvedSettings } from './config/settings.js';
import { hasErrors, type Diagnostic } from './diagnostics.js';
import { generateCapability, type FileSet } from './emit/generate.js';
import { importPath, loadSpecFile, type LoadedSpec, type LoadResult } from './load/load.js';
import { buildModel } from './model/build.js';
import type { CapabilityModel } from './model/ir.js';
import { officialDiagnostics } from './validate/official.js';
import { validateSpec } from './validate/validate.js';
import { GenerationCache } from './write/cache.js';
import { capabilityName } from './cli/inputs.js';

export interface CapabilityResult {
  readonly file: string;
  /** Output folder name. */
  readonly name: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly model?: CapabilityModel;
  readonly files?: FileSet;
  /** A shared consumes file (root `consumes`, no `capability`): an import target, not generated. */
  readonly importOnly?: boolean;
  /** Other files this capability reads (imported consumes files, bind files): what `--watch` watches. */
  readonly dependencies?: readonly string[];
}

export { capabilityName };

export interface PipelineOptions {
  /** Output root (absolute or relative to cwd). */
  readonly outDir: string;
  /** Stop after validation. */
  readonly validateOnly?: boolean;
  /** Also check each file against the official schema of its own version (`validate --strict`). */
  readonly strict?: boolean;
  /** Incremental generation: unchanged capabilities are read back instead of rendered. */
  readonly cache?: GenerationCache;
  /** Deployment settings of this capability from the config file (generator/config). */
  readonly settings?: ResolvedSettings;
}

export function runPipeline(file: string, options: PipelineOptions): CapabilityResult {
  const loaded = loadSpecFile(file);
  const result = run(file, loaded, options);
  return loaded.spec ? { ...result, dependencies: dependencies(loaded.spec) } : result;
}

/** Absolute paths of imported files and local bind files (which may be missing or broken: watch them anyway). */
function dependencies(spec: LoadedSpec): string[] {
  const doc = spec.doc as { binds?: unknown; capability?: { binds?: unknown; consumes?: unknown } } | null;
  const entries = [doc?.binds, doc?.capability?.binds, doc?.capability?.consumes].flatMap((b) => (Array.isArray(b) ? b : []));
  const out: string[] = [];
  for (const entry of entries) {
    const location = (entry as { location?: unknown } | null)?.location;
    const path = typeof location === 'string' ? importPath(location, spec.dir) : undefined;
    if (path) out.push(path);
  }
  return [...new Set(out)];
}

function run(file: string, loaded: LoadResult, options: PipelineOptions): CapabilityResult {
  const name = capabilityName(file);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (!loaded.spec || hasErrors(diagnostics)) return { file, name, diagnostics };
  let inputKey: string | undefined;
  const imports = [...loaded.imports.values()].map((i) => resolve(i.file));
  const deps = dependencies(loaded.spec);
  if (options.cache && !options.validateOnly) {
    inputKey = GenerationCache.inputKey(resolve(options.outDir), loaded.spec.text, [...[...loaded.imports.values()].map((i) => i.text), options.settings?.key ?? '']);
    const files = options.cache.lookup(resolve(file), inputKey, resolve(options.outDir, name));
    if (files) return { file, name, diagnostics, files };
  }
  const doc = loaded.spec.doc as Record<string, unknown>;
  if (options.strict) {
    diagnostics.push(...officialDiagnostics(loaded.spec));
    for (const imported of loaded.imports.values()) diagnostics.push(...officialDiagnostics(imported));
  }
  if (doc.capability === undefined && (doc.consumes !== undefined || doc.exposes !== undefined || doc.aggregates !== undefined || doc.binds !== undefined)) {
    diagnostics.push(...validateSpec(loaded.spec));
    if (options.cache && inputKey && diagnostics.length === 0) options.cache.remember(resolve(file), inputKey, new Map(), imports, true, deps);
    return { file, name, diagnostics, importOnly: true };
  }
  const foreign = foreignDocument(file, doc);
  if (foreign) return { file, name, diagnostics: [...diagnostics, foreign] };
  diagnostics.push(...validateSpec(loaded.spec));
  for (const imported of loaded.imports.values()) diagnostics.push(...validateSpec(imported));
  if (hasErrors(diagnostics)) return { file, name, diagnostics };

  const source = relative(process.cwd(), resolve(file)).split('\\').join('/');
  const built = buildModel(loaded.spec, loaded.imports, {
    name,
    source: source.startsWith('..') ? basename(file) : source,
    outDir: resolve(options.outDir, name),
  });
  diagnostics.push(...built.diagnostics);
  if (built.model && options.settings && !hasErrors(diagnostics)) diagnostics.push(...applySettings(built.model, options.settings));
  if (!built.model || hasErrors(diagnostics) || options.validateOnly) return { file, name, diagnostics, ...(built.model ? { model: built.model } : {}) };
  try {
    const files = generateCapability(built.model);
    // Only clean results are cached, so warnings are printed again on every run.
    if (options.cache && inputKey && diagnostics.length === 0) options.cache.remember(resolve(file), inputKey, files, imports, false, deps);
    return { file, name, diagnostics, model: built.model, files };
  } catch (error) {
    // A generator bug, not a spec problem: say so plainly, at the spec, and write nothing.
    diagnostics.push({
      severity: 'error', code: 'internal', file, line: 1, col: 1,
      message: `naftiko-codegen failed while generating this capability: ${(error as Error).message.split('\n')[0]}`,
      hint: 'this is a bug in naftiko-codegen; please report it with this spec',
    });
    return { file, name, diagnostics, model: built.model };
  }
}

/**
 * A YAML file in a capabilities folder that is something else (an OpenAPI document, a bind
 * values file): one diagnostic saying what it is and what to do, instead of a schema error for
 * every top-level key.
 */
function foreignDocument(file: string, doc: Record<string, unknown>): Diagnostic | undefined {
  if (doc.capability !== undefined || doc.naftiko !== undefined || doc.ikanos !== undefined) return undefined;
  const at = { file, line: 1, col: 1 };
  if (typeof doc.openapi === 'string' || typeof doc.swagger === 'string') {
    const kind = typeof doc.openapi === 'string' ? `an OpenAPI ${doc.openapi}` : `a Swagger ${String(doc.swagger)}`;
    return { severity: 'error', code: 'openapi-document', ...at, message: `this is ${kind} document, not a capability`,
      hint: `write a capability from it: naftiko-codegen import ${basename(file)} --out <name>.yaml (or move it out of the capabilities folder)` };
  }
  const values = Object.values(doc);
  if (values.length > 0 && values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
    return { severity: 'error', code: 'not-a-capability', ...at, message: 'this file holds only plain values (a bind values file?), not a capability',
      hint: 'a capability reads such a file through binds: [{ namespace, location: file:///./this-file.yaml, keys }]; keep it out of the files passed to generate' };
  }
  return undefined;
}
