// Files that sit among capabilities but are something else: an OpenAPI document, a bind values
// file, an import-only leaf that shares a capability's name. Each gets one clear diagnostic (or
// none), never a schema error per top-level key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratchDirs } from '../helpers/cli.js';

const dir = scratchDirs();
const IMDS = 'capabilities/azure-imds-get-token.yaml';

describe('files that are not capabilities', () => {
  it('an OpenAPI document gets one error that says what it is and how to import it', async () => {
    const root = dir('foreign');
    const file = join(root, 'petstore.yaml');
    writeFileSync(file, 'openapi: 3.0.3\ninfo: {title: Pets, version: "1"}\nservers: [{url: "https://pets.example.org"}]\npaths: {}\n');
    const run = await cli('generate', file, '--out', join(root, 'out'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('petstore.yaml:1:1: error: this is an OpenAPI 3.0.3 document, not a capability');
    expect(run.stderr).toContain('naftiko-codegen import petstore.yaml');
    expect(run.stderr.match(/error:/g)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a Swagger 2 document too', async () => {
    const root = dir('foreign');
    const file = join(root, 'legacy.yaml');
    writeFileSync(file, 'swagger: "2.0"\ninfo: {title: Legacy, version: "1"}\nhost: legacy.example.org\npaths: {}\n');
    const run = await cli('generate', file, '--out', join(root, 'out'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('this is a Swagger 2.0 document, not a capability');
  });

  it('a bind values file gets one error pointing at binds', async () => {
    const root = dir('foreign');
    const file = join(root, 'secrets.yaml');
    writeFileSync(file, 'api-token: abc\nregion: westeurope\n');
    const run = await cli('generate', file, '--out', join(root, 'out'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('secrets.yaml:1:1: error: this file holds only plain values');
    expect(run.stderr.match(/error:/g)).toHaveLength(1);
    // The values themselves are never echoed.
    expect(run.stderr).not.toContain('abc');
  });

  it('an import-only leaf never collides with a capability of the same file name', async () => {
    const root = dir('foreign');
    mkdirSync(join(root, 'shared'));
    const leaf = join(root, 'shared', 'azure-imds-get-token.yaml');
    writeFileSync(leaf, 'naftiko: "1.0.0-alpha2"\nconsumes:\n  - namespace: extra\n    type: http\n    baseUri: https://extra.example.org\n    resources: []\n');
    const run = await cli('generate', IMDS, leaf, '--out', join(root, 'out'));
    expect(run.stderr).not.toContain('already produced');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/generated 1 capability/);
  });

  it('two capabilities of one file name still do', async () => {
    const root = dir('foreign');
    mkdirSync(join(root, 'copy'));
    const copy = join(root, 'copy', 'azure-imds-get-token.yaml');
    writeFileSync(copy, (await import('node:fs')).readFileSync(IMDS, 'utf8'));
    const run = await cli('generate', IMDS, copy, '--out', join(root, 'out'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('output folder "azure-imds-get-token" is already produced by');
  });
});
