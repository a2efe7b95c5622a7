// Snapshots of generated folders: the IMDS capability and corpus files chosen for coverage
// (templated host + apikey auth + body, bearer auth, formData with a file part, arrays and
// lower-cased path variables, official-dialect templates). The snapshots are type-checked too.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, typecheck } from '../helpers/cli.js';

const CASES = [
  'capabilities/azure-imds-get-token.yaml',
  '../shared/corpus/azure-sample/azure-cosmos-db-stored-procedures.yaml',
  '../shared/corpus/azure-sample/azure-openai-service-completions.yaml',
  '../shared/corpus/azure-sample/cloudnativetest-file.yaml',
  '../shared/corpus/azure-sample/azure-agfoodplatform-data-plane-service-applicationdata.yaml',
  '../shared/corpus/naftiko-examples/tests/http/http-body-capability.yaml',
  '../shared/corpus/naftiko-examples/tutorial/step-3-shipyard-auth.yml',
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
