/** `naftiko-codegen openapi <capability>`: the OpenAPI 3.1 description of its REST adapter(s). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, hasErrors } from '../diagnostics.js';
import { InputError } from './inputs.js';
import { writeResult, type CommandContext } from './io.js';

export function registerOpenApiCommand(program: Command, ctx: CommandContext): void {
  program
    .command('openapi')
    .description("write an OpenAPI 3.1 description of a capability's REST adapter(s) (stdout, or --out)")
    .argument('<capability>', 'a capability file')
    .option('-o, --out <file>', 'write to a file instead of stdout: YAML when it ends .yaml/.yml, else JSON')
    .addHelpText('after', [
      '',
      'Examples:',
      '  naftiko-codegen openapi capabilities/azure-imds-get-token.yaml',
      '  naftiko-codegen openapi capabilities/azure-imds-get-token.yaml --out openapi.yaml',
      '',
      'The generated REST server serves the same document at GET /openapi.json.',
    ].join('\n'))
    .action(async (file: string, opts: { out?: string }) => {
      if (!existsSync(file)) throw new InputError(`${file}: no such file`);
      // Loaded here, not at start-up: other commands (an unchanged `generate`) do not need them.
      const [{ runPipeline }, { exportOpenApi, formatFor, openApiText }] = await Promise.all([import('../pipeline.js'), import('../openapi/export.js')]);
      const result = runPipeline(file, { outDir: resolve('generated'), validateOnly: true });
      for (const d of result.diagnostics) ctx.io.err(formatDiagnostic(d));
      if (result.importOnly) {
        ctx.io.err(`${file}: a shared consumes file exposes nothing; describe a capability that imports it`);
        return ctx.fail(1);
      }
      if (!result.model || hasErrors(result.diagnostics)) return ctx.fail(1);
      if (result.model.rest.length === 0) {
        ctx.io.err(`${file}: the capability has no REST adapter (exposes type: rest); there is nothing to describe`);
        return ctx.fail(1);
      }
      const { document, warnings } = exportOpenApi(result.model);
      for (const w of warnings) ctx.io.err(`${file}: warning: ${w}`);
      writeResult(ctx.io, openApiText(document, formatFor(opts.out)), opts.out);
    });
}
