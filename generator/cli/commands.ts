/**
 * The generate, check and validate commands: resolve inputs (flags > config > defaults), run the
 * batch, compare with the disk, and report (summary line, `--json`, `--quiet`, `--dry-run`).
 */
import { hasErrors, type Diagnostic } from '../diagnostics.js';

import { ConfigError } from '../config/find.js';
import { GenerationCache } from '../write/cache.js';
import { dependencySet, installCommand, missingDependencies } from '../write/dependencies.js';
import { applyChanges, compare, type Change, type Comparison } from '../write/output.js';
import { countsOf, runBatch, type Batch } from './batch.js';
import { configFor, runContext, type CommonFlags, type RunContext } from './context.js';
import { capabilityName, InputError, noCapabilityMessage } from './inputs.js';
import type { Io } from './io.js';
import { jsonDiagnostic, plural, Reporter, type CapabilityReport, type OutputFlags } from './report.js';

export interface GenerateFlags extends CommonFlags, OutputFlags {
  readonly dryRun?: boolean;
}

export interface RunOutcome {
  readonly exitCode: number;
  /** The one-line summary (also printed unless quiet/json). */
  readonly summary: string;
  readonly context: RunContext;
  readonly batch: Batch;
}

/** Config entries for capabilities that are not among this run's inputs: probably a typo. */
function configWarnings(ctx: RunContext): Diagnostic[] {
  const config = ctx.config;
  if (!config || ctx.inputsFromFlags) return [];
  const names = new Set(ctx.files.map(capabilityName));
  return Object.keys(config.config.capabilities ?? {})
    .filter((n) => !names.has(n))
    .map((n) => {
      const at = config.locate(['capabilities', n]);
      return { severity: 'warning' as const, code: 'config', file: at.file, line: at.line, col: at.col, message: `capabilities.${n}: no input capability is named "${n}"`, hint: `the inputs give: ${[...names].slice(0, 10).join(', ') || 'none'}` };
    });
}

function capabilityReports(batch: Batch, changes: readonly Change[], status: (failed: boolean, changes: readonly Change[]) => string): CapabilityReport[] {
  return batch.results.map((r) => {
    const own = changes.filter((c) => c.path.startsWith(`${r.name}/`));
    const failed = batch.failed.has(r.name) && !r.files;
    return {
      name: r.name,
      file: r.file,
      status: r.importOnly ? 'import-only' : status(failed || hasErrors(r.diagnostics), own),
      counts: countsOf(r.files),
      changes: own,
      diagnostics: r.diagnostics.map(jsonDiagnostic),
    };
  });
}

function totals(capabilities: readonly CapabilityReport[], comparison?: Comparison): Record<string, number> {
  const real = capabilities.filter((c) => c.status !== 'import-only');
  const count = (kind: string): number => comparison?.changes.filter((c) => c.kind === kind).length ?? 0;
  const sum = (key: 'operations' | 'routes' | 'tools'): number => real.reduce((n, c) => n + c.counts[key], 0);
  const by = (status: string): number => real.filter((c) => c.status === status).length;
  return {
    capabilities: real.length,
    written: by('written'),
    unchanged: by('unchanged'),
    failed: by('failed'),
    operations: sum('operations'),
    routes: sum('routes'),
    tools: sum('tools'),
    filesAdded: count('added'),
    filesChanged: count('changed'),
    filesRemoved: count('removed'),
    filesUnchanged: comparison?.unchanged ?? 0,
  };
}

/** One generate run over a resolved context (also each round of --watch). */
export async function generateOnce(ctx: RunContext, flags: GenerateFlags, reporter: Reporter, printSummary = true, requireCapability = false): Promise<RunOutcome> {
  const warnings = configWarnings(ctx);
  reporter.diagnostics(warnings);
  const cache = new GenerationCache(ctx.outDir);
  const batch = await runBatch({
    files: ctx.files,
    outDir: ctx.outDir,
    ...(ctx.config ? { config: ctx.config } : {}),
    cache,
    onFile: (done, total, file) => reporter.progress(done, total, file),
    onDiagnostics: (list) => reporter.diagnostics(list),
  });
  if (requireCapability) {
    const none = noCapability('generate', ctx, batch, reporter);
    if (none !== undefined) return { exitCode: none, summary: '', context: ctx, batch };
  }
  const comparison = compare(ctx.outDir, batch.tree, batch.failed, false);
  if (!flags.dryRun) {
    applyChanges(ctx.outDir, batch.tree, comparison);
    cache.save();
  }
  const capabilities = capabilityReports(batch, comparison.changes, (failed, own) => (failed ? 'failed' : own.length ? 'written' : 'unchanged'));
  const t = totals(capabilities, comparison);
  const exitCode = batch.failed.size > 0 ? 1 : 0;
  const generated = batch.results.filter((r) => r.files).length;
  const what = `${plural(t.capabilities!, 'capability', 'capabilities')} into ${ctx.outShown} (${t.written} written, ${t.unchanged} unchanged, ${t.failed} failed; ${plural(t.operations!, 'operation')}, ${plural(t.routes!, 'route')}, ${plural(t.tools!, 'tool')})`;
  let summary: string;
  if (flags.dryRun) {
    const words = { added: 'would create', changed: 'would update', removed: 'would delete' } as const;
    for (const change of comparison.changes) reporter.line(`${words[change.kind]}: ${ctx.outShown}/${change.path}`);
    summary = `dry run, ${what}: would create ${t.filesAdded}, update ${t.filesChanged}, delete ${t.filesRemoved} files, ${t.filesUnchanged} unchanged; nothing written (${reporter.elapsedMs} ms)`;
  } else {
    summary = `generated ${plural(generated, 'capability', 'capabilities')} into ${ctx.outShown} (${t.written} written, ${t.unchanged} unchanged, ${t.failed} failed; ${plural(t.operations!, 'operation')}, ${plural(t.routes!, 'route')}, ${plural(t.tools!, 'tool')}): ` +
      `${t.filesAdded} added, ${t.filesChanged} changed, ${t.filesRemoved} removed, ${t.filesUnchanged} unchanged (${reporter.elapsedMs} ms)`;
  }
  if (printSummary) reporter.line(summary);
  reporter.json({
    version: 1, command: 'generate', ok: exitCode === 0, exitCode, ...(flags.dryRun ? { dryRun: true } : {}),
    out: ctx.outShown, ...(ctx.config ? { config: ctx.config.file } : {}), durationMs: reporter.elapsedMs, totals: t, capabilities,
    diagnostics: [...warnings, ...batch.extra].map(jsonDiagnostic), changes: comparison.changes,
  });
  return { exitCode, summary, context: ctx, batch };
}

/**
 * Inputs that yield no capability (an empty folder, only shared import files) end the command
 * with exit 1 and a message saying what was searched, never a silent "0 capabilities".
 */
function noCapability(command: string, ctx: RunContext, batch: Batch | undefined, reporter: Reporter): number | undefined {
  if (batch ? batch.results.some((r) => !r.importOnly) : ctx.files.length > 0) return undefined;
  const message = noCapabilityMessage(ctx.inputs, ctx.files);
  reporter.error(`error: ${message}`);
  reporter.json({ version: 1, command, ok: false, exitCode: 1, durationMs: reporter.elapsedMs, totals: {}, capabilities: [], diagnostics: [{ severity: 'error', code: 'no-capability', file: '', line: 0, col: 0, message }], changes: [] });
  return 1;
}

/**
 * The packages the generated code imports must be in the project's `dependencies`, or a
 * production install (`npm ci --omit=dev`) leaves the server unable to start (docs/deploy.md).
 */
function dependencyCheck(batch: Batch, outDir: string): Diagnostic[] {
  if (batch.tree.size <= 1) return [];
  const set = dependencySet(batch.tree);
  const found = missingDependencies(outDir, set);
  if (!found) return [];
  const out: Diagnostic[] = [];
  const names = Object.keys(found.missing);
  if (names.length > 0) {
    const dev = found.devOnly.length ? ` (${found.devOnly.join(', ')} only under devDependencies, which a production install omits)` : '';
    out.push({ severity: 'error', code: 'dependencies', file: found.file, line: 1, col: 1, message: `"dependencies" lacks ${names.join(', ')}, which the generated code imports${dev}`, hint: `run \`${installCommand(found.missing)}\` (the list is in the output's package.json)` });
  }
  const optional = Object.keys(found.optionalMissing);
  if (optional.length > 0) {
    out.push({ severity: 'warning', code: 'dependencies', file: found.file, line: 1, col: 1, message: `"dependencies" lacks ${optional.join(', ')}: the generated server runs without it, with no /docs page`, hint: `run \`${installCommand(found.optionalMissing)}\` to serve /docs` });
  }
  return out;
}

/** Runs `body`; a bad config or input ends the command with exit 2 (and a JSON report under --json). */
export async function guarded(command: string, flags: OutputFlags, io: Io, body: (reporter: Reporter) => Promise<number>): Promise<number> {
  const reporter = new Reporter(io, flags);
  try {
    return await body(reporter);
  } catch (error) {
    let diagnostics: readonly Diagnostic[];
    if (error instanceof ConfigError) diagnostics = error.diagnostics;
    else if (error instanceof InputError) diagnostics = [{ severity: 'error', code: 'input', file: '', line: 0, col: 0, message: error.message }];
    else throw error;
    if (error instanceof ConfigError) reporter.diagnostics(diagnostics);
    else reporter.error(`error: ${error.message}`);
    reporter.json({ version: 1, command, ok: false, exitCode: 2, durationMs: reporter.elapsedMs, totals: {}, capabilities: [], diagnostics: diagnostics.map(jsonDiagnostic), changes: [] });
    return 2;
  }
}

export function generateCommand(args: readonly string[], flags: GenerateFlags, io: Io): Promise<number> {
  return guarded('generate', flags, io, async (reporter) => {
    const ctx = await runContext(args, flags, await configFor(flags));
    const none = noCapability('generate', ctx, undefined, reporter);
    if (none !== undefined) return none;
    return (await generateOnce(ctx, flags, reporter, true, true)).exitCode;
  });
}

export function checkCommand(args: readonly string[], flags: CommonFlags & OutputFlags, io: Io): Promise<number> {
  return guarded('check', flags, io, async (reporter) => {
    const ctx = await runContext(args, flags, await configFor(flags));
    const none = noCapability('check', ctx, undefined, reporter);
    if (none !== undefined) return none;
    // Never the cache: check must look at every byte.
    const batch = await runBatch({
      files: ctx.files,
      outDir: ctx.outDir,
      ...(ctx.config ? { config: ctx.config } : {}),
      onFile: (done, total, file) => reporter.progress(done, total, file),
      onDiagnostics: (list) => reporter.diagnostics(list),
    });
    const noneFound = noCapability('check', ctx, batch, reporter);
    if (noneFound !== undefined) return noneFound;
    const comparison = compare(ctx.outDir, batch.tree, batch.failed, true);
    const words = { added: 'missing', changed: 'differs', removed: 'extra' } as const;
    if (!flags.json) {
      for (const change of comparison.changes.slice(0, 50)) reporter.error(`${words[change.kind]}: ${ctx.outShown}/${change.path}`);
      if (comparison.changes.length > 50) reporter.error(`… and ${comparison.changes.length - 50} more`);
    }
    const outdated = comparison.changes.length > 0 || batch.failed.size > 0;
    if (outdated && !flags.json) reporter.error(`${ctx.outShown} is out of date: run \`npm run generate\``);
    const dependencyDiagnostics = dependencyCheck(batch, ctx.outDir);
    reporter.diagnostics(dependencyDiagnostics);
    const stale = outdated || hasErrors(dependencyDiagnostics);
    if (!outdated) reporter.line(`${ctx.outShown} is up to date (${comparison.unchanged} files)${stale ? ', but the project lacks dependencies it imports' : ''}`);
    const capabilities = capabilityReports(batch, comparison.changes, (failed, own) => (failed ? 'failed' : own.length ? 'differs' : 'ok'));
    const exitCode = stale ? 1 : 0;
    reporter.json({
      version: 1, command: 'check', ok: !stale, exitCode, out: ctx.outShown, ...(ctx.config ? { config: ctx.config.file } : {}),
      durationMs: reporter.elapsedMs, totals: totals(capabilities, comparison), capabilities, diagnostics: [...batch.extra, ...dependencyDiagnostics].map(jsonDiagnostic), changes: comparison.changes,
    });
    return exitCode;
  });
}

export function validateCommand(args: readonly string[], flags: CommonFlags & OutputFlags & { strict?: boolean }, io: Io): Promise<number> {
  return guarded('validate', flags, io, async (reporter) => {
    const ctx = await runContext(args, flags, await configFor(flags));
    const none = noCapability('validate', ctx, undefined, reporter);
    if (none !== undefined) return none;
    const batch = await runBatch({
      files: ctx.files,
      outDir: ctx.outDir,
      ...(ctx.config ? { config: ctx.config } : {}),
      validateOnly: true,
      ...(flags.strict ? { strict: true } : {}),
      onFile: (done, total, file) => reporter.progress(done, total, file),
      onDiagnostics: (list) => reporter.diagnostics(list),
    });
    const noneFound = noCapability('validate', ctx, batch, reporter);
    if (noneFound !== undefined) return noneFound;
    const capabilities = capabilityReports(batch, [], (failed) => (failed ? 'invalid' : 'valid'));
    const invalid = batch.results.filter((r) => hasErrors(r.diagnostics)).length;
    reporter.line(`${ctx.files.length - invalid} valid, ${invalid} invalid`);
    const exitCode = invalid > 0 ? 1 : 0;
    reporter.json({
      version: 1, command: 'validate', ok: exitCode === 0, exitCode, ...(ctx.config ? { config: ctx.config.file } : {}), durationMs: reporter.elapsedMs,
      totals: { capabilities: capabilities.length, valid: capabilities.length - invalid, invalid }, capabilities, diagnostics: batch.extra.map(jsonDiagnostic), changes: [],
    });
    return exitCode;
  });
}
