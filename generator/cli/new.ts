/** `naftiko-codegen new <name>`: a commented starter capability that validates and generates. */
import type { Command } from 'commander';
import { kebabCase } from '../openapi/import-names.js';
import { starterCapability } from './starter.js';
import { InputError } from './inputs.js';
import { writeResult, type CommandContext } from './io.js';

export function registerNewCommand(program: Command, ctx: CommandContext): void {
  program
    .command('new')
    .description('write a commented starter capability (one consumed operation, REST and MCP adapters); never overwrites')
    .argument('<name>', 'the capability name, kebab-case: it names the file, the folder it generates into and its adapters')
    .option('-o, --out <file>', 'where to write it (default: capabilities/<name>.yaml)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  naftiko-codegen new weather',
      '  naftiko-codegen new weather --out specs/weather.yaml',
      '',
      'Then: naftiko-codegen generate capabilities/weather.yaml && npx tsx generated/weather/server.ts',
    ].join('\n'))
    .action((name: string, opts: { out?: string }) => {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new InputError(`the name must be kebab-case (lower-case letters, digits and "-"), e.g. "${kebabCase(name, 'my-capability')}"`);
      const file = opts.out ?? `capabilities/${name}.yaml`;
      if (!writeResult(ctx.io, starterCapability(name), file, { overwrite: false })) {
        ctx.io.err(`error: ${file} already exists; nothing was written (choose another name or --out)`);
        return ctx.fail(1);
      }
      ctx.io.out(`wrote ${file}\nnext: naftiko-codegen generate ${file} && npx tsx generated/${name}/server.ts`);
    });
}
