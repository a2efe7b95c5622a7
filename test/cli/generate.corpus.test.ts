// `generate` over a whole external folder of capabilities (`npm run test:corpus [-- <folder>]`):
// every problem is a positioned diagnostic, never a stack trace.
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir } from '../helpers/cli.js';
import { corpusDir } from '../helpers/corpus.js';

const out = scratchDir('generate-corpus');
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('never prints a stack trace over the whole corpus folder', async () => {
  const run = await cli('generate', corpusDir(), '--out', out);
  for (const line of run.stderr.split('\n').filter(Boolean)) {
    expect(line).toMatch(/^(\S+:\d+:\d+: (error|warning): .+|  hint: .+|progress: \d+\/\d+ files .+)$/);
  }
  expect(run.stderr).not.toMatch(/\n\s+at /);
}, 300_000);
