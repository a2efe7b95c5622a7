// Snapshots of generated folders: the IMDS capability and in-repo fixtures chosen for coverage
// (templated host + apikey auth + body, bearer auth, formData with a file part, arrays, cookies and
// lower-cased path variables, HEAD and header inputs, official-dialect templates). The snapshots are type-checked too.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, typecheck } from '../helpers/cli.js';

const CASES = [
  'capabilities/azure-imds-get-token.yaml',
  'test/fixtures/synthetic/larder-docstore-scripts.yaml',
  'test/fixtures/synthetic/larder-text-complete.yaml',
  'test/fixtures/synthetic/larder-blob-check.yaml',
  'test/fixtures/synthetic/larder-field-records.yaml',
  'test/fixtures/synthetic/larder-batch-jobs.yaml',
  'test/fixtures/naftiko-examples/tests/http/http-body-capability.yaml',
  'test/fixtures/naftiko-examples/tutorial/step-3-shipyard-auth.yml',
];
const FILES = ['types.ts', 'outputs.ts', 'client.ts', 'routes.ts', 'mcp.ts', 'server.ts', 'index.ts', 'openapi.json'];
const out = scratchDir('snapshot');

beforeAll(async () => {
  const run = await cli('generate', ...CASES, '--out', out);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(CASES.map((c) => [c.split('/').pop()!.replace(/\.ya?ml$/, '')]))('%s', (name) => {
  it.each(FILES)('%s matches its snapshot', async (file) => {
    let text: string;
    try {
      text = readFileSync(join(out, name, file), 'utf8');
    } catch {
      return; // adapters the spec does not declare produce no file
    }
    await expect(text).toMatchFileSnapshot(`__snapshots__/${name}/${file}.snap`);
  });
});

it('the snapshotted output type-checks under strict', () => {
  expect(() => typecheck(out)).not.toThrow();
}, 120_000);
