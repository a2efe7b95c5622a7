/** `naftiko-codegen import <openapi>`: a capability (consumes + REST + MCP) from an OpenAPI 2/3 document. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from './inputs.js';
import { writeResult, type CommandContext } from './io.js';

export function registerImportCommand(program: Command, ctx: CommandContext): void {
  program
    .command('import')
    .description('write a capability from an OpenAPI 2 or 3 document: consumes every operation, exposes REST and MCP (stdout, or --out)')
    .argument('<openapi>', 'an OpenAPI 3 or Swagger 2 file, YAML or JSON')
    .option('--tag <tag>', 'import only the operations with this tag')
    .option('-o, --out <file>', 'write the capability to this file instead of stdout')
    .option('--base-uri <url>', "the upstream's base URI, when the document names none or another one")
    .option('--force', 'replace the --out file when it exists')
    .addHelpText('after', [
      '',
      'Examples:',
      '  naftiko-codegen import petstore.yaml --out capabilities/petstore.yaml',
      '  naftiko-codegen import api.json --tag pets --base-uri https://api.example.com/v1 > capabilities/pets.yaml',
      '',
      'Then: naftiko-codegen validate capabilities/petstore.yaml && naftiko-codegen generate',
    ].join('\n'))
    .action(async (file: string, opts: { tag?: string; out?: string; baseUri?: string; force?: boolean }) => {
      if (!existsSync(file)) throw new InputError(`${file}: no such file`);
      // Loaded here, not at start-up: other commands (an unchanged `generate`) do not need it.
      const { ImportError, importOpenApiFile } = await import('../openapi/import.js');
      if (opts.baseUri !== undefined && !/^https?:\/\/[^/]+/i.test(opts.baseUri)) throw new InputError(`--base-uri must be an http(s) URL, not "${opts.baseUri}"`);
      let result;
      try {
        result = importOpenApiFile(file, { ...(opts.tag !== undefined ? { tag: opts.tag } : {}), ...(opts.baseUri !== undefined ? { baseUri: opts.baseUri } : {}) });
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        ctx.io.err(`error: ${file}: ${error.message}`);
        return ctx.fail(1);
      }
      for (const w of result.warnings) ctx.io.err(`${file}: warning: ${w}`);
      if (!writeResult(ctx.io, result.text, opts.out, { overwrite: opts.force === true })) {
        ctx.io.err(`error: ${opts.out} already exists; nothing was written (pass --force to replace it)`);
        return ctx.fail(1);
      }
      if (opts.out !== undefined) {
        ctx.io.out(`imported ${result.operations} operation${result.operations === 1 ? '' : 's'} into ${opts.out}${result.environment.length ? `; set ${result.environment.join(', ')} before serving` : ''}`);
      }
    });
}
