/**
 * naftiko-codegen's command line: generate, check, validate and serve (docs/cli.md).
 * Exit codes: 0 success, 1 invalid input or stale output, 2 usage error.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { formatDiagnostic } from '../diagnostics.js';
import { RUNTIME_DIR, runtimeFiles } from '../emit/generate.js';
import { capabilityName, runPipeline, type CapabilityResult } from '../pipeline.js';
import { applyChanges, compare, MANIFEST, manifestText, type OutputTree } from '../write/output.js';
import { expandInputs, InputError } from './inputs.js';

const VERSION = '0.1.0';

interface Io {
  out(line: string): void;
  err(line: string): void;
}

const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** Runs every input through the pipeline and assembles the wanted output tree. */
function render(inputs: string[], outDir: string, io: Io): { results: CapabilityResult[]; tree: OutputTree; failed: Set<string> } {
  const files = expandInputs(inputs.length ? inputs : ['capabilities']);
  const tree: OutputTree = new Map();
  const failed = new Set<string>();
  const results: CapabilityResult[] = [];
  const owners = new Map<string, string>();
  for (const file of files) {
    const name = capabilityName(file);
    const owner = owners.get(name);
    if (owner) {
      io.err(`${file}:1:1: error: output folder "${name}" is already produced by ${owner}\n  hint: rename one of the files`);
      failed.add(name);
      continue;
    }
    owners.set(name, file);
    const result = runPipeline(file, { outDir });
    results.push(result);
    for (const d of result.diagnostics) io.err(formatDiagnostic(d));
    if (result.importOnly) continue;
    if (!result.files) {
      failed.add(name);
      continue;
    }
    for (const [path, text] of result.files) tree.set(`${name}/${path}`, text);
  }
  if (tree.size > 0) for (const [path, text] of runtimeFiles()) tree.set(`${RUNTIME_DIR}/${path}`, text);
  tree.set(MANIFEST, manifestText(tree.keys()));
  return { results, tree, failed };
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('naftiko-codegen')
    .description('Generate typed TypeScript (client, Fastify routes, MCP tools, server) from Naftiko capability specs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError()
    .enablePositionalOptions();

  program
    .command('generate')
    .description('generate code for capability files or folders (default: capabilities/)')
    .argument('[inputs...]', 'capability files or folders')
    .option('-o, --out <dir>', 'output folder', 'generated')
    .addHelpText('after', '\nExamples:\n  naftiko-codegen generate\n  naftiko-codegen generate capabilities/x.yaml --out src/generated')
    .action((inputs: string[], opts: { out: string }) => {
      const outDir = resolve(opts.out);
      const started = Date.now();
      const { results, tree, failed } = render(inputs, outDir, io);
      const comparison = compare(outDir, tree, failed, false);
      applyChanges(outDir, tree, comparison);
      const generated = results.filter((r) => r.files).length;
      const count = (k: string) => comparison.changes.filter((c) => c.kind === k).length;
      io.out(
        `generated ${generated} capabilit${generated === 1 ? 'y' : 'ies'} into ${opts.out}: ${count('added')} added, ${count('changed')} changed, ` +
          `${count('removed')} removed, ${comparison.unchanged} unchanged${failed.size ? `; ${failed.size} failed` : ''} (${Date.now() - started} ms)`,
      );
      if (failed.size > 0) exitCode = 1;
    });

  program
    .command('check')
    .description('exit 1 when the output is missing, stale, hand-edited or has extra files')
    .argument('[inputs...]', 'capability files or folders')
    .option('-o, --out <dir>', 'output folder', 'generated')
    .action((inputs: string[], opts: { out: string }) => {
      const outDir = resolve(opts.out);
      const { tree, failed } = render(inputs, outDir, io);
      const comparison = compare(outDir, tree, failed, true);
      const words = { added: 'missing', changed: 'differs', removed: 'extra' } as const;
      for (const change of comparison.changes.slice(0, 50)) io.err(`${words[change.kind]}: ${opts.out}/${change.path}`);
      if (comparison.changes.length > 50) io.err(`… and ${comparison.changes.length - 50} more`);
      if (comparison.changes.length > 0 || failed.size > 0) {
        io.err(`${opts.out} is out of date: run \`npm run generate\``);
        exitCode = 1;
      } else {
        io.out(`${opts.out} is up to date (${comparison.unchanged} files)`);
      }
    });

  program
    .command('validate')
    .description('report diagnostics only; generate nothing')
    .argument('[inputs...]', 'capability files or folders')
    .action((inputs: string[]) => {
      const files = expandInputs(inputs.length ? inputs : ['capabilities']);
      let failures = 0;
      for (const file of files) {
        const result = runPipeline(file, { outDir: resolve('generated'), validateOnly: true });
        for (const d of result.diagnostics) io.err(formatDiagnostic(d));
        if (result.diagnostics.some((d) => d.severity === 'error')) failures += 1;
      }
      io.out(`${files.length - failures} valid, ${failures} invalid`);
      if (failures > 0) exitCode = 1;
    });

  program
    .command('serve')
    .description('run a generated capability folder (server options follow; see --help of the server)')
    .argument('<dir>', 'a generated capability folder, e.g. generated/azure-imds-get-token')
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .argument('[options...]', 'server options (--rest-port, --base-uri ns=url, ...)')
    .action(async (dir: string, rest: string[]) => {
      const mod = (await import(pathToFileURL(resolve(dir, 'server.ts')).href)) as { definition?: unknown };
      const { runCapability } = (await import(pathToFileURL(resolve(dir, '..', RUNTIME_DIR, 'server.ts')).href)) as typeof import('../runtime/server.js');
      if (!mod.definition) throw new InputError(`${dir}: server.ts exports no definition; is it a generated capability folder?`);
      await runCapability(mod.definition as Parameters<typeof runCapability>[0], rest);
    });

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      io.err(`error: ${(error as Error).message.split('\n')[0]}`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}
