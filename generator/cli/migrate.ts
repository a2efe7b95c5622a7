/** `naftiko-codegen migrate <files…> [--write]`: catalogue-dialect and alpha2 capabilities rewritten as Ikanos beta5. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from './inputs.js';
import type { CommandContext } from './io.js';

function expand(input: string): string[] {
  let stat;
  try {
    stat = statSync(input);
  } catch {
    throw new InputError(`${input}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [input];
  return readdirSync(input, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? expand(join(input, e.name)) : /\.ya?ml$/.test(e.name) ? [join(input, e.name)] : []))
    .sort();
}

export function registerMigrateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('migrate')
    .description('rewrite catalogue-dialect and naftiko 1.0.0-alpha2 capabilities as Ikanos 1.0.0-beta5 (prints a diff; --write rewrites the files)')
    .argument('<files...>', 'capability files or folders')
    .option('--write', 'rewrite the files in place instead of printing a diff')
    .addHelpText('after', [
      '',
      'Comments and key order are kept. Generating from the migrated file gives the same code.',
      '',
      'Examples:',
      '  naftiko-codegen migrate capabilities/azure-imds-get-token.yaml',
      '  naftiko-codegen migrate capabilities --write',
    ].join('\n'))
    .action(async (inputs: string[], opts: { write?: boolean }) => {
      const { migrateText, unifiedDiff } = await import('../migrate/migrate.js');
      const files = inputs.flatMap(expand);
      let migrated = 0;
      for (const file of files) {
        const before = readFileSync(file, 'utf8');
        const result = migrateText(before);
        if (result.text === undefined) {
          ctx.io.err(`${file}: skipped: ${result.notes.join('; ')}`);
          if (/not valid YAML/.test(result.notes.join(' '))) ctx.fail(1);
          continue;
        }
        for (const note of result.notes) ctx.io.err(`${file}: note: ${note}`);
        migrated += 1;
        if (opts.write) writeFileSync(file, result.text);
        else ctx.io.out(unifiedDiff(before, result.text, file).replace(/\n$/, ''));
      }
      ctx.io.err(`${opts.write ? 'migrated' : 'would migrate'} ${migrated} of ${files.length} file(s) to Ikanos 1.0.0-beta5`);
    });
}
