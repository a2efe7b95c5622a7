// Every official example either generates or gets exactly one positioned error diagnostic
// naming what is not supported; the deliberately invalid fixture is rejected for its bad ref.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../generator/pipeline.js';
import { scratchDir } from '../helpers/cli.js';

const ROOT = 'test/fixtures/naftiko-examples';
const out = scratchDir('examples');
afterAll(() => rmSync(out, { recursive: true, force: true }));

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}
const files = listYaml(ROOT).filter((f) => !f.includes('/tutorial/shared/'));

/** The only examples that may be refused, and why: nothing else is allowed to fail. */
const REFUSED: Record<string, RegExp> = {
  'tests/control/control-capability.yaml': /"control" adapters are not supported/,
  'tests/control/control-observability-disabled.yaml': /"control" adapters are not supported/,
  'tests/control/control-scripting-capability.yaml': /"control" adapters are not supported/,
  'tests/observability/observability-capability.yaml': /"control" adapters are not supported/,
  'tests/observability/observability-disabled.yaml': /"control" adapters are not supported/,
  'schemas/examples/script-step.yml': /not supported yet: script steps/,
  'tests/baseuri-trailing-slash-capability.yaml': /must not end with/,
  'tests/aggregates/aggregate-invalid-ref.yaml': /names no aggregate function/,
};

describe('official examples', () => {
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s generates, or is one of the known refusals with one positioned error', (name, file) => {
    const result = runPipeline(file, { outDir: out });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const refusal = REFUSED[name];
    if (!refusal) {
      expect(errors).toEqual([]);
      expect(result.files).toBeDefined();
      return;
    }
    expect(result.files).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.file).toBe(file);
    expect(errors[0]!.line).toBeGreaterThan(1);
    expect(errors[0]!.message).toMatch(refusal);
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
