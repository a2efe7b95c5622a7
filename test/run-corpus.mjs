#!/usr/bin/env node
// `npm run test:corpus [-- <folder>] [vitest options]`: runs the *.corpus.test.ts files (checks
// over a whole external folder of capability files) against <folder>, by default ../shared/corpus
// when it exists. The folder reaches the tests as NAFTIKO_CORPUS. `npm test` never runs these.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const DEFAULT = '../shared/corpus';
const args = process.argv.slice(2);
const at = args.findIndex((a) => !a.startsWith('-'));
// An option's value (`--outputFile x`) is not a folder: only a first argument that is a directory counts.
const given = at >= 0 && (at === 0 || !args[at - 1].startsWith('--') || args[at - 1].includes('=')) ? args[at] : undefined;
const rest = given === undefined ? args : [...args.slice(0, at), ...args.slice(at + 1)];
const folder = given ?? (existsSync(DEFAULT) ? DEFAULT : undefined);

if (folder === undefined || !existsSync(folder) || !statSync(folder).isDirectory()) {
  console.error(
    folder === undefined
      ? `test:corpus needs a folder of capability files (${DEFAULT} is not there); pass one: npm run test:corpus -- <folder>`
      : `test:corpus: ${folder} is not a folder; it needs a folder of capability files; pass one: npm run test:corpus -- <folder>`,
  );
  process.exit(2);
}

const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
console.log(`test:corpus over ${resolve(folder)}`);
const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.corpus.config.ts', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, NAFTIKO_CORPUS: resolve(folder) },
});
process.exit(run.status ?? 1);
