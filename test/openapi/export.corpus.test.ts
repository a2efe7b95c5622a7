// The OpenAPI export over an external folder of capabilities (`npm run test:corpus [-- <folder>]`):
// every file that generates exports valid OpenAPI 3.1 with one operation per route.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { exportOpenApi, openApiText } from '../../generator/openapi/export.js';
import { runPipeline } from '../../generator/pipeline.js';
import { corpusDir } from '../helpers/corpus.js';
import { scratchDir } from '../helpers/cli.js';
import { semanticProblems, supportedFiles, validateOpenApi, type Doc } from './helpers.js';

const dir = scratchDir('openapi-export-corpus');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = supportedFiles(corpusDir());

it('the corpus folder has capability files that generate', () => {
  expect(files.length).toBeGreaterThan(0);
});

it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f]))('%s exports valid OpenAPI 3.1 (or has no REST adapter)', async (_name, file) => {
  const model = runPipeline(file, { outDir: join(dir, 'out'), validateOnly: true }).model!;
  if (model.rest.length === 0) return;
  const { document, warnings } = exportOpenApi(model);
  expect(warnings).toEqual([]);
  expect(await validateOpenApi(document)).toEqual({ valid: true, errors: undefined });
  expect(semanticProblems(document)).toEqual([]);
  const count = model.rest.reduce((n, r) => n + r.operations.length + r.forwards.reduce((m, f) => m + f.methods.length, 0), 0);
  expect(Object.values(document.paths as Doc).reduce((n: number, item) => n + Object.keys(item as Doc).length, 0)).toBe(count);
  expect(openApiText(exportOpenApi(model).document, 'json')).toBe(openApiText(document, 'json'));
});
