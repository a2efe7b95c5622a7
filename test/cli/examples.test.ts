// Every official example either generates or gets exactly one positioned error diagnostic
// naming what is not supported; the deliberately invalid fixture is rejected for its bad ref.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../generator/pipeline.js';
import { scratchDir } from '../helpers/cli.js';

const ROOT = '../shared/corpus/naftiko-examples';
const out = scratchDir('examples');
afterAll(() => rmSync(out, { recursive: true, force: true }));

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}
const files = listYaml(ROOT).filter((f) => !f.includes('/tutorial/shared/'));

describe('official examples', () => {
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s generates or gets one positioned diagnostic', (_name, file) => {
    const result = runPipeline(file, { outDir: out });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (result.files) {
      expect(errors).toEqual([]);
      return;
    }
    expect(errors.length, JSON.stringify(errors)).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    for (const e of errors) {
      expect(e.file).toBe(file);
      expect(e.line).toBeGreaterThan(1);
      expect(e.message).toMatch(/not supported|must not end with|names no aggregate function/);
    }
  });

  it('rejects the invalid aggregate reference with a clear message', () => {
    const result = runPipeline(join(ROOT, 'tests/aggregates/aggregate-invalid-ref.yaml'), { outDir: out });
    expect(result.files).toBeUndefined();
    const ref = result.diagnostics.find((d) => d.code === 'unknown-ref')!;
    expect(ref.message).toContain('ref "unknown.nonexistent" names no aggregate function');
    expect(ref.hint).toContain('data.read-items');
  });

  it('the shared consumes files are import targets, not capabilities', () => {
    for (const file of listYaml(join(ROOT, 'tutorial/shared')).filter((f) => !f.endsWith('secrets.yaml'))) {
      const result = runPipeline(file, { outDir: out });
      expect(result.importOnly, file).toBe(true);
      expect(result.diagnostics.filter((d) => d.severity === 'error'), file).toEqual([]);
    }
  });
});
