/**
 * naftiko-codegen's command line: generate, check, validate and serve (docs/cli.md); openapi,
 * import and new register themselves from their own modules.
 * Exit codes: 0 success, 1 invalid input or stale output, 2 usage error. Command logic lives in
 * commands.ts (generate/check/validate), watch.ts and the config loader (generator/config).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { RUNTIME_DIR } from '../emit/runtime-files.js';
import { checkCommand, generateCommand, validateCommand } from './commands.js';
import { InputError } from './inputs.js';
import { processIo, type CommandContext, type Io } from './io.js';
import { registerImportCommand } from './import.js';
import { registerMigrateCommand } from './migrate.js';
import { registerNewCommand } from './new.js';
import { registerOpenApiCommand } from './openapi.js';
import { watchCommand } from './watch.js';

export type { Io } from './io.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EXIT_CODES = `
Exit codes:
  0  success
  1  a capability has errors (generate, validate), or the output is out of date (check)
  2  usage error: unknown flag, missing input, invalid config file

Docs: docs/cli.md (commands), docs/config.md (naftiko-codegen.config.*), docs/tutorial.md`;

interface CommandOptions {
  out?: string;
  config?: string | false;
  quiet?: boolean;
  json?: boolean;
  watch?: boolean;
  dryRun?: boolean;
  strict?: boolean;
}

/** The flags generate, check and validate share. */
function common(command: Command, withOut = true): Command {
  if (withOut) command.option('-o, --out <dir>', 'output folder (default: the config\'s "out", else generated)');
  return command
    .option('-c, --config <file>', 'config file (default: naftiko-codegen.config.{ts,mts,js,mjs,json} in the current folder)')
    .option('--no-config', 'ignore any config file')
    .option('-q, --quiet', 'print errors only')
    .option('--json', 'print a machine-readable report on stdout (docs/cli.md#json-report)');
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('naftiko-codegen')
    .description('Generate typed TypeScript (client, Fastify routes, MCP tools, server) from Naftiko capability specs.')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError()
    .enablePositionalOptions()
    .addHelpText('after', `
Examples:
  naftiko-codegen generate                       # capabilities/ → generated/
  naftiko-codegen generate --watch               # again on every change
  naftiko-codegen check                          # exit 1 when generated/ is stale (CI)
  naftiko-codegen serve generated/my-capability --rest-port 8080
${EXIT_CODES}`);

  common(
    program
      .command('generate')
      .description('generate code for capability files, folders or globs (default: the config\'s inputs, else capabilities/)')
      .argument('[inputs...]', 'capability files, folders or globs'),
  )
    .option('-w, --watch', 'generate again whenever a capability, an imported file or the config changes')
    .option('--dry-run', 'print which files would be created, updated or deleted; write nothing')
    .addHelpText('after', `
Examples:
  naftiko-codegen generate
  naftiko-codegen generate capabilities/x.yaml --out src/generated
  naftiko-codegen generate 'specs/**/*.yaml' --config deploy/naftiko-codegen.config.ts
  naftiko-codegen generate --dry-run
  naftiko-codegen generate --watch
  naftiko-codegen generate --json > report.json
${EXIT_CODES}`)
    .action(async (inputs: string[], opts: CommandOptions) => {
      exitCode = opts.watch ? await watchCommand(inputs, opts, io) : await generateCommand(inputs, opts, io);
    });

  common(
    program
      .command('check')
      .description('exit 1 when the output is missing, stale, hand-edited or has extra files')
      .argument('[inputs...]', 'capability files, folders or globs'),
  )
    .addHelpText('after', `
Examples:
  naftiko-codegen check
  naftiko-codegen check capabilities --out generated --json
${EXIT_CODES}`)
    .action(async (inputs: string[], opts: CommandOptions) => {
      exitCode = await checkCommand(inputs, opts, io);
    });

  common(
    program
      .command('validate')
      .description('report diagnostics only; generate nothing')
      .argument('[inputs...]', 'capability files, folders or globs'),
    false,
  )
    .option('--strict', "also check each file against the official schema of its own version (alpha2 or Ikanos beta5)")
    .addHelpText('after', `
Examples:
  naftiko-codegen validate
  naftiko-codegen validate --strict capabilities/x.yaml
  naftiko-codegen validate capabilities/x.yaml --json
${EXIT_CODES}`)
    .action(async (inputs: string[], opts: CommandOptions) => {
      exitCode = await validateCommand(inputs, opts, io);
    });

  const serve = program
    .command('serve')
    .description('run a generated capability folder (server options follow; see --help of the server)')
    .argument('<dir>', 'a generated capability folder, e.g. generated/azure-imds-get-token')
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .argument('[options...]', 'server options (--rest-port, --base-uri ns=url, ...)')
    .addHelpText('after', `
Examples:
  naftiko-codegen serve generated/azure-imds-get-token --rest-port 8080 --mcp-port 9090
  naftiko-codegen serve generated/x --base-uri x-api=http://127.0.0.1:8099 --mcp-transport stdio
  naftiko-codegen serve generated/x --help      # the server's own options
${EXIT_CODES}`)
    .action(async (dir: string, rest: string[]) => {
      if (dir === '--help' || dir === '-h') {
        const { SERVER_USAGE } = await import('../runtime/server.js');
        io.out(`${serve.helpInformation().trimEnd()}\n\nServer ${SERVER_USAGE.replace(/^Options/, 'options')}`);
        return;
      }
      const mod = (await import(pathToFileURL(resolve(dir, 'server.ts')).href)) as { definition?: unknown };
      const { runCapability } = (await import(pathToFileURL(resolve(dir, '..', RUNTIME_DIR, 'server.ts')).href)) as typeof import('../runtime/server.js');
      if (!mod.definition) throw new InputError(`${dir}: server.ts exports no definition; is it a generated capability folder?`);
      // How an MCP client starts this same server (--print-mcp-config): this CLI's bin, by absolute path.
      const bin = fileURLToPath(new URL('../../bin/naftiko-codegen.js', import.meta.url));
      await runCapability(mod.definition as Parameters<typeof runCapability>[0], rest, { command: process.execPath, args: [bin, 'serve', resolve(dir)] });
    });

  const ctx: CommandContext = { io, fail: (code) => void (exitCode = Math.max(exitCode, code)) };
  registerOpenApiCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerMigrateCommand(program, ctx);
  registerNewCommand(program, ctx);

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
