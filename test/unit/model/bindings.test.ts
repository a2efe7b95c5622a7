// The resolution algorithm (semantics doc §7.4) as given/want tables over small specs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapabilityModel } from '../../../generator/model/ir.js';
import { runPipeline } from '../../../generator/pipeline.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function model(yaml: string): CapabilityModel {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-model-'));
  made.push(dir);
  writeFileSync(join(dir, 'spec.yaml'), yaml);
  const result = runPipeline(join(dir, 'spec.yaml'), { outDir: join(dir, 'out'), validateOnly: true });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.model!;
}

const catalogue = (consumedPath: string, exposedPath: string, params: string, withBlock = '') => `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: svc
    baseUri: https://svc.example.com
    resources:
    - name: r
      path: ${consumedPath}
      operations:
      - name: op
        method: POST
        inputParameters:
${params}
  exposes:
  - type: rest
    namespace: svc-rest
    port: 8080
    resources:
    - path: ${exposedPath}
      operations:
      - method: POST
        name: op
        call: svc.op
${withBlock}
  - type: mcp
    namespace: svc-mcp
    port: 9090
    tools:
    - name: op
      call: svc.op
${withBlock.replace(/rest\./g, 'tools.').replace(/^  /gm, '')}
`;

describe('catalogue dialect', () => {
  it('implies inputs from the consumed operation; lower-cased exposed path variables match by name', () => {
    const m = model(catalogue('/items/{itemId}/parts/{part_id}', '/v1/items/{itemid}/parts/{part-id}', `        - name: api-version
          in: query
          type: string
          required: true
        - name: x-ms-flag
          in: header
          type: boolean
        - name: body
          in: body
          type: object
          required: true`, `        with:
          api-version: rest.api-version
          body: rest.body`));
    const op = m.rest[0]!.operations[0]!;
    expect(op.routePath).toBe('/v1/items/:itemid/parts/:part_id');
    expect(op.inputs.map((i) => [i.name, i.in, i.required])).toEqual([
      ['itemid', 'path', true],
      ['part-id', 'path', true],
      ['api-version', 'query', true],
      ['x-ms-flag', 'header', false],
      ['body', 'body', true],
    ]);
    expect(op.call!.bindings.map((b) => [b.target, b.source])).toEqual([
      ['api-version', { kind: 'input', input: 'api-version' }],
      ['x-ms-flag', { kind: 'input', input: 'x-ms-flag' }],
      ['body', { kind: 'input', input: 'body' }],
      ['itemId', { kind: 'input', input: 'itemid' }],
      ['part_id', { kind: 'input', input: 'part-id' }],
    ]);
    const tool = m.mcp[0]!.tools[0]!;
    expect(tool.inputs.map((i) => [i.name, i.required])).toEqual([
      ['api-version', true],
      ['x-ms-flag', false],
      ['body', true],
      ['itemId', true],
      ['part_id', true],
    ]);
  });

  it('a path variable the exposed path lost becomes a required query input; others match by position', () => {
    const m = model(catalogue('/models/{modelId}:detect/{other}', '/v1/models/modelid-detect/{x}', '        - name: q\n          in: query'));
    const inputs = m.rest[0]!.operations[0]!.inputs.map((i) => [i.name, i.in, i.required]);
    expect(inputs).toContainEqual(['modelId', 'query', true]);
    expect(m.rest[0]!.operations[0]!.call!.bindings.find((b) => b.target === 'other')!.source).toEqual({ kind: 'input', input: 'x' });
  });
});

describe('official dialect', () => {
  it('namespace references, templates and literals in with', () => {
    const m = model(`naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: registry
    baseUri: https://registry.example.com
    resources:
    - name: ship
      path: /ships/{{imo_number}}
      operations:
      - name: get-ship
        method: GET
        inputParameters:
        - name: view
          in: query
        - name: mode
          in: query
  exposes:
  - type: mcp
    namespace: tools-ns
    port: 9090
    tools:
    - name: get-ship
      description: d
      inputParameters:
      - name: imo
        type: string
        description: IMO
      - name: detail
        type: string
        description: level
        required: false
      call: registry.get-ship
      with:
        imo_number: "{{imo}}"
        view: tools-ns.detail
        mode: full
`);
    const tool = m.mcp[0]!.tools[0]!;
    expect(tool.inputs.map((i) => [i.name, i.required])).toEqual([['imo', true], ['detail', false]]);
    expect(Object.fromEntries(tool.call!.bindings.map((b) => [b.target, b.source]))).toEqual({
      imo_number: { kind: 'template', template: '{{imo}}' },
      view: { kind: 'input', input: 'detail' },
      mode: { kind: 'literal', value: 'full' },
    });
  });
});
