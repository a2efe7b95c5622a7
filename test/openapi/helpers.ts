// Shared by the OpenAPI tests: the validator, corpus lists, and a spec → export shortcut.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { stringify } from 'yaml';
import { exportOpenApi } from '../../generator/openapi/export.js';
import { runPipeline } from '../../generator/pipeline.js';

export type Doc = Record<string, any>;

/** The team's synthetic catalogue-dialect fixtures (test/fixtures/synthetic/make.ts). */
export const SAMPLE = 'test/fixtures/synthetic';
export const EXAMPLES = 'test/fixtures/naftiko-examples';
export const IMDS = 'capabilities/azure-imds-get-token.yaml';

export function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

/** Capability files under `dir` that generate (the others get a diagnostic; see test/cli), without the tutorial's import-only files. */
export function supportedFiles(dir: string): string[] {
  const supported = (file: string): boolean => {
    const result = runPipeline(file, { outDir: 'generated', validateOnly: true });
    return result.model !== undefined && !result.diagnostics.some((d) => d.severity === 'error');
  };
  return listYaml(dir).filter((f) => !f.includes('/tutorial/shared/') && supported(f));
}

/** The synthetic fixtures and the official examples that generate. */
export function corpusFiles(): string[] {
  return [...listYaml(SAMPLE), ...supportedFiles(EXAMPLES)];
}

const validator = new Validator();

/** Validates against the OpenAPI 3.1 JSON Schema (one validator: compiling it is the slow part). */
export async function validateOpenApi(doc: Doc): Promise<{ valid: boolean; errors: unknown }> {
  const result = await validator.validate(structuredClone(doc));
  return { valid: result.valid, errors: result.errors };
}

/** Checks the schema cannot: path templates and path parameters agree, operationIds are unique, $refs resolve. */
export function semanticProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const params = (op.parameters ?? []) as Doc[];
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name as string).sort();
      if (JSON.stringify(declared) !== JSON.stringify(templated)) problems.push(`${where}: path parameters ${declared} ≠ template ${templated}`);
      if (params.some((p) => p.in === 'path' && p.required !== true)) problems.push(`${where}: a path parameter is not required`);
      const keys = params.map((p) => `${p.in}:${p.name}`);
      if (new Set(keys).size !== keys.length) problems.push(`${where}: duplicate parameters`);
      if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is not unique`);
      ids.add(op.operationId);
    }
  }
  const text = JSON.stringify(doc);
  for (const m of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
    let node: unknown = doc;
    for (const part of m[1]!.split('/')) node = (node as Doc | undefined)?.[part];
    if (node === undefined) problems.push(`$ref #/${m[1]} resolves to nothing`);
  }
  return problems;
}

/** Writes a capability object as YAML into `dir` and exports it (errors fail loudly). */
export function exportOf(dir: string, name: string, spec: object): Doc {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(spec));
  const result = runPipeline(file, { outDir: join(dir, 'out'), validateOnly: true });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.model || errors.length) throw new Error(`${name} does not build: ${JSON.stringify(errors)}`);
  return exportOpenApi(result.model).document as Doc;
}
