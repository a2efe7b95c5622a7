// Globs for input lists, and how `defaults` and a capability's own settings merge.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../generator/config/apply.js';
import { expandGlob } from '../../../generator/config/glob.js';
import { merge } from '../../../generator/config/settings.js';
import { scratchDir } from '../../helpers/cli.js';

const root = scratchDir('glob');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('expandGlob', () => {
  for (const f of ['a.yaml', 'b.yml', 'x.txt', 'sub/c.yaml', 'sub/deep/d.yaml', '.hidden/e.yaml']) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  it.each([
    ['*.yaml', ['a.yaml']],
    ['*.y?ml', ['a.yaml']],
    ['*.y*', ['a.yaml', 'b.yml']],
    ['sub/*.yaml', ['sub/c.yaml']],
    ['**/*.yaml', ['a.yaml', 'sub/c.yaml', 'sub/deep/d.yaml']],
    ['sub/**/d.yaml', ['sub/deep/d.yaml']],
    ['nothing/*.yaml', []],
  ])('%s', (pattern, want) => {
    expect(expandGlob(pattern, root)).toEqual(want);
  });
  it('keeps an absolute pattern absolute', () => {
    expect(expandGlob(`${root}/*.yml`)).toEqual([`${root}/b.yml`]);
  });
});

describe('tool patterns', () => {
  it.each([
    ['get-*', 'get-token', true],
    ['get-*', 'list-get', false],
    ['*delete*', 'sql_delete-admin', true],
    ['get-?', 'get-ab', false],
    ['a.b', 'axb', false],
  ])('%s ~ %s', (pattern, name, want) => {
    expect(matchesPattern(name, pattern)).toBe(want);
  });
});

describe('merge', () => {
  it('merges field by field: maps key by key, retry objects, adapters; patterns are replaced', () => {
    const merged = merge(
      { timeoutMs: 1, retry: { retries: 1, minDelayMs: 5 }, consumes: { ns: { query: { a: '1', b: '1' }, timeoutMs: 9 } }, mcp: { toolPrefix: 'p_', exclude: ['x'] } },
      { retry: { retries: 3 }, consumes: { ns: { query: { b: '2' } }, other: { baseUri: 'http://h' } }, mcp: { exclude: ['y'] }, rest: { port: 1 } },
    );
    expect(merged).toEqual({
      timeoutMs: 1,
      retry: { retries: 3, minDelayMs: 5 },
      consumes: { ns: { query: { a: '1', b: '2' }, timeoutMs: 9 }, other: { baseUri: 'http://h' } },
      mcp: { toolPrefix: 'p_', exclude: ['y'] },
      rest: { port: 1 },
    });
  });
  it('false turns retrying off whatever the defaults say', () => {
    expect(merge({ retry: { retries: 5 } }, { retry: false }).retry).toBe(false);
  });
});
