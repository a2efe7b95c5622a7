// Users compile the committed generated/ code with their own tsconfig, not ours. The IMDS output
// (generated/) and the 420-operation synthetic fixture's output type-check under each of: the
// repository's tsconfig; the @tsconfig/node20 and @tsconfig/node22 presets with strict; a plain
// strict NodeNext config; and the same with exactOptionalPropertyTypes + noUncheckedIndexedAccess.
// One tsc run per config over both folders.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, scratchDir } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const dir = scratchDir('portability');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const run = await cli('generate', 'test/fixtures/synthetic/larder-depot-large.yaml', '--out', join(dir, 'out'));
  expect(run.code, run.stderr).toBe(0);
}, 120_000);

const plain = { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], skipLibCheck: true };
const CONFIGS: [string, Record<string, unknown>][] = [
  ['the repository tsconfig', { extends: resolve('tsconfig.json') }],
  ['@tsconfig/node20 + strict', { extends: require.resolve('@tsconfig/node20/tsconfig.json'), compilerOptions: { strict: true } }],
  ['@tsconfig/node22 + strict', { extends: require.resolve('@tsconfig/node22/tsconfig.json'), compilerOptions: { strict: true } }],
  ['plain strict ES2022 NodeNext', { compilerOptions: plain }],
  ['plain + exactOptionalPropertyTypes + noUncheckedIndexedAccess', { compilerOptions: { ...plain, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true } }],
];

it.each(CONFIGS.map(([name, config], i) => [name, config, i] as const))('generated code type-checks under %s', (_name, config, i) => {
  const file = join(dir, `tsconfig.${i}.json`);
  const compilerOptions = { ...((config.compilerOptions as object | undefined) ?? {}), noEmit: true };
  writeFileSync(file, JSON.stringify({ ...config, compilerOptions, include: [relative(dir, resolve('generated')), 'out'] }, null, 2));
  let report = '';
  try {
    execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    report = String((error as { stdout?: string }).stdout);
  }
  expect(report).toBe('');
}, 180_000);
