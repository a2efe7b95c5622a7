// Every Ikanos 1.0.0-beta5 example of the engine (the in-repo copy) either generates or is one of
// the known refusals, each with its positioned error(s) saying why: a construct not supported
// yet, a deliberately invalid fixture, or a control-only capability. Files that are not
// capability documents at all (bind values, sample data) are not in the table.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../generator/pipeline.js';
import { cli, scratchDir } from '../helpers/cli.js';

const ROOT = 'test/fixtures/ikanos-examples';
const out = scratchDir('ikanos-examples');
afterAll(() => rmSync(out, { recursive: true, force: true }));

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}
/** Capability documents only: the OpenAPI inputs, bind values and sample data are not specs. */
const files = listYaml(ROOT).filter((f) => /^ikanos:/m.test(readFileSync(f, 'utf8')));

const CONTROL = /"control" adapters are not supported/;
/** The only examples that may be refused, why, and how many errors (1 unless the fixture has several faults). */
const REFUSED: Record<string, { reason: RegExp; errors?: number }> = {
  'schemas/examples/reverse-tunnel-ziti.yml': { reason: /not supported yet: consumes tunnel \(OpenZiti overlay\)/ },
  'spec-tests/rules/spectral-tunnel-fallback-direct-public.yaml': { reason: /not supported yet: consumes tunnel/ },
  'spec-tests/rules/spectral-tunnel-identity-bound.yaml': { reason: /not supported yet: consumes tunnel/ },
  'spec-tests/rules/spectral-tunnel-identity-unbound.yaml': { reason: /not supported yet: consumes tunnel/ },
  'spec-tests/imports/aggregate-duplicate-function-name.yaml': { reason: /aggregate function "weather.get-forecast" is declared twice/ },
  'spec-tests/imports/aggregates-namespace-missing.yaml': { reason: /aggregates\[0\]: missing required property "namespace"/ },
  'spec-tests/imports/capability-aggregates-namespace-missing.yaml': { reason: /missing required property "namespace"/ },
  'spec-tests/imports/capability-exposes-namespace-missing.yaml': { reason: /missing required property "namespace"/ },
  'spec-tests/imports/exposes-namespace-missing.yaml': { reason: /missing required property "namespace"/ },
  'spec-tests/imports/import-duplicate-alias.yaml': { reason: /imported file ".\/weather-api.yml" not found/, errors: 2 },
  'spec-tests/imports/import-from-self.yaml': { reason: /consumes\[0\]\.from: "\." is this file itself/ },
  'spec-tests/imports/import-missing-fields.yaml': { reason: /missing required property "import"/, errors: 2 },
  'spec-tests/imports/standalone-with-imports.yaml': { reason: /a file without "capability" cannot import \(imports are not transitive\)/ },
  'tests/aggregates/aggregate-invalid-ref.yaml': { reason: /ref "unknown.nonexistent" names no aggregate function/ },
  'tests/baseuri-trailing-slash-capability.yaml': { reason: /must not end with/ },
  'tests/control/control-capability.yaml': { reason: CONTROL },
  'tests/control/control-observability-disabled.yaml': { reason: CONTROL },
  'tests/control/control-scripting-capability.yaml': { reason: CONTROL },
  'tests/observability/observability-capability.yaml': { reason: CONTROL },
  'tests/observability/observability-disabled.yaml': { reason: CONTROL },
};

describe('Ikanos beta5 examples', () => {
  it('finds the examples', () => {
    expect(files.length).toBeGreaterThan(80);
    for (const name of Object.keys(REFUSED)) expect(files, name).toContain(join(ROOT, name));
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s generates, or is one of the known refusals with a positioned error', (name, file) => {
    const result = runPipeline(file, { outDir: out });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const refusal = REFUSED[name];
    if (!refusal) {
      expect(errors).toEqual([]);
      expect(result.files ?? result.importOnly).toBeTruthy();
      return;
    }
    expect(result.files).toBeUndefined();
    expect(errors).toHaveLength(refusal.errors ?? 1);
    expect(errors[0]!.file).toBe(file);
    expect(errors[0]!.line).toBeGreaterThan(1);
    expect(errors[0]!.message).toMatch(refusal.reason);
    // No stack traces, no generator internals.
    expect(errors.map((e) => e.code)).not.toContain('internal');
  });

  it('the malformed import fixture is a positioned YAML syntax error', () => {
    const result = runPipeline(join(ROOT, 'tests/imports/invalid/malformed.yml'), { outDir: out });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'yaml-syntax' && e.line >= 1)).toBe(true);
  });

  it('speaks beta5 words and places: the map key, `display`, `from`', () => {
    const result = runPipeline(join(ROOT, 'tests/aggregates/aggregate-invalid-ref.yaml'), { outDir: out });
    const ref = result.diagnostics.find((d) => d.code === 'unknown-ref')!;
    expect(ref.message).toMatch(/^capability\.exposes\[0\]\.tools\.bad-tool\.ref: /);
    expect(ref.hint).toBe('declared flows: data.read-items');
  });

  it('--strict checks each file against the official schema of its own version', () => {
    const strict = (file: string) => runPipeline(file, { outDir: out, validateOnly: true, strict: true }).diagnostics.filter((d) => d.code === 'official-schema');
    expect(strict(join(ROOT, 'tutorial/step-9-shipyard-aggregates.yml'))).toEqual([]);
    expect(strict('test/fixtures/naftiko-examples/tutorial/step-9-shipyard-aggregates.yml')).toEqual([]);
    // The engine's own fixture of a spurious `name` inside a map keyed by name: lenient here, refused by the official schema.
    const spurious = strict(join(ROOT, 'spec-tests/capabilities/capability-spurious-name.yml'));
    expect(spurious.length).toBeGreaterThan(0);
    expect(spurious[0]!.message).toMatch(/\(official Ikanos 1\.0\.0-beta5 schema\)$/);
    expect(spurious[0]!.line).toBeGreaterThan(1);
    // The catalogue dialect's deviations (typed consumed parameters) fail the official alpha2 schema.
    const imds = strict('capabilities/azure-imds-get-token.yaml');
    expect(imds.length).toBeGreaterThan(0);
    expect(imds[0]!.message).toMatch(/unknown property "type" \(official Naftiko 1\.0\.0-alpha2 schema\)/);
  });

  it('the generated code of every generated example type-checks under strict', async () => {
    // Batches of distinct output names: some examples share a file name (tutorial/ and tests/tutorial/).
    const batches: string[][] = [];
    for (const file of files.filter((f) => !REFUSED[f.slice(ROOT.length + 1)])) {
      const name = file.split('/').pop()!.replace(/\.ya?ml$/, '');
      let batch = batches.find((b) => !b.some((f) => f.split('/').pop()!.replace(/\.ya?ml$/, '') === name));
      if (!batch) batches.push((batch = []));
      batch.push(file);
    }
    for (const [i, batch] of batches.entries()) {
      const run = await cli('generate', ...batch, '--out', join(out, `tc${i}`), '--quiet');
      expect(run.code, run.stderr).toBe(0);
    }
    writeFileSync(join(out, 'tsconfig.json'), JSON.stringify({ extends: resolve('tsconfig.json'), include: batches.map((_, i) => `tc${i}`) }));
    let report = '';
    try {
      execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      report = String((error as { stdout?: string }).stdout);
    }
    expect(report).toBe('');
  }, 180_000);

  it('the binary content example generates, its declared responses in the OpenAPI export', () => {
    const result = runPipeline(join(ROOT, 'schemas/examples/capability-binary-content.yml'), { outDir: out });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const openapi = JSON.parse(result.files!.get('openapi.json')!) as { paths: Record<string, Record<string, { responses: Record<string, { description: string; content?: Record<string, { schema: object }> }> }>> };
    const image = openapi.paths['/photos/{id}/image']!.get!.responses;
    expect(image['200']).toEqual({ description: 'Original image bytes.', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } });
    expect(image['404']).toEqual({ description: 'Photo not found.', content: { 'application/json': { schema: { type: 'object' } } } });
    const thumbnail = openapi.paths['/photos/{id}/thumbnail']!.get!.responses;
    expect(thumbnail['200']).toEqual({ description: 'Thumbnail image bytes.', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } });
    const mcp = result.files!.get('mcp.ts')!;
    // The resource is read as a blob; the tool relays under the MCP adapter's 25MiB limit.
    expect(mcp).toMatch(/resourceResult\(uri\.href, 'image\/jpeg', \(\) => [\s\S]*?\), true\)\);/);
    expect(mcp).toMatch(/toolResult\(\(\) => [\s\S]*?\), 'GET', 26214400\)\);/);
  });
});
