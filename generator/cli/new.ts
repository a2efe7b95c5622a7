/** `naftiko-codegen new <name>`: a commented starter capability that validates and generates. */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { SCHEMA_FILES } from '../validate/schema-files.js';
import { kebabCase } from '../openapi/import-names.js';
import { starterCapability } from './starter.js';
import { InputError } from './inputs.js';
import { writeResult, type CommandContext } from './io.js';

/**
 * Where the written file's `# yaml-language-server: $schema=` line points: the alpha2 schema this
 * package ships (node_modules/naftiko-codegen/schemas/… in a project that installed it), relative
 * to the file so that the repository can move; absolute when the package sits outside the
 * current folder (a global or npx install).
 */
export function schemaReference(file: string): string {
  const schema = fileURLToPath(new URL(`../../schemas/${SCHEMA_FILES.alpha2}`, import.meta.url));
  const rel = relative(dirname(resolve(file)), schema).split(sep).join('/');
  const inside = !relative(process.cwd(), schema).startsWith('..');
  return inside ? (rel.startsWith('.') ? rel : `./${rel}`) : schema.split(sep).join('/');
}

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
      if (!writeResult(ctx.io, starterCapability(name, schemaReference(file)), file, { overwrite: false })) {
        ctx.io.err(`error: ${file} already exists; nothing was written (choose another name or --out)`);
        return ctx.fail(1);
      }
      ctx.io.out(`wrote ${file}\nnext: naftiko-codegen generate ${file} && npx tsx generated/${name}/server.ts`);
    });
}
