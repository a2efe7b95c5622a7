// The generator, the tests and the committed generated/ code type-check under strict
// (the same as `npm run typecheck`), so a type error anywhere fails the suite.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

it('the whole repository type-checks under strict', () => {
  let report = '';
  try {
    execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    report = String((error as { stdout?: string }).stdout);
  }
  expect(report).toBe('');
}, 180_000);
