// Given a broken spec, want one diagnostic at the right line and column, with a useful message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../../generator/diagnostics.js';
import { runPipeline } from '../../../generator/pipeline.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function diagnose(yaml: string | Buffer): Diagnostic[] {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-diag-'));
  made.push(dir);
  const file = join(dir, 'spec.yaml');
  writeFileSync(file, yaml);
  return [...runPipeline(file, { outDir: join(dir, 'out'), validateOnly: true }).diagnostics];
}

const VALID = `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: api
    baseUri: https://api.example.com
    resources:
    - name: items
      path: /items/{id}
      operations:
      - name: get-item
        method: GET
  exposes:
  - type: rest
    namespace: api-rest
    port: 8080
    resources:
    - path: /v1/items/{id}
      operations:
      - method: GET
        name: get-item
        call: api.get-item
`;

interface Case {
  name: string;
  yaml: string | Buffer;
  line: number;
  col: number;
  message: RegExp;
  hint?: RegExp;
}

const cases: Case[] = [
  { name: 'YAML syntax error', yaml: 'naftiko: 1.0.0-alpha2\ncapability:\n  exposes: [\n', line: 4, col: 1, message: /YAML syntax error/ },
  { name: 'duplicate key', yaml: VALID.replace('    port: 8080\n', '    port: 8080\n    port: 9090\n'), line: 17, col: 5, message: /duplicate key/ },
  { name: 'missing required field', yaml: VALID.replace('        method: GET\n  exposes', '  exposes'), line: 11, col: 9, message: /missing required property "method"/, hint: /method: GET/ },
  { name: 'bad enum with suggestion', yaml: VALID.replace('        method: GET\n  exposes', '        method: GETT\n  exposes'), line: 12, col: 17, message: /"GETT" is not one of GET/, hint: /did you mean "GET"/ },
  { name: 'unknown key with suggestion', yaml: VALID.replace('    resources:\n    - path: /v1', '    resource:\n    - path: /v1'), line: 17, col: 5, message: /unknown property "resource"/, hint: /did you mean "resources"/ },
  { name: 'unknown call target', yaml: VALID.replace('call: api.get-item', 'call: api.get-itm'), line: 22, col: 15, message: /no operation "get-itm"/, hint: /did you mean "api.get-item"/ },
  { name: 'unknown namespace', yaml: VALID.replace('call: api.get-item', 'call: nowhere.get-item'), line: 22, col: 15, message: /namespace "nowhere", which does not exist/, hint: /declared namespaces: api/ },
  { name: 'bad aggregate reference', yaml: VALID.replace('        call: api.get-item', '        ref: agg.missing'), line: 22, col: 14, message: /ref "agg.missing" names no aggregate function/ },
  { name: 'trailing slash base URI', yaml: VALID.replace('https://api.example.com', 'https://api.example.com/'), line: 6, col: 14, message: /must not end with "\/"/ },
  { name: 'not UTF-8', yaml: Buffer.concat([Buffer.from('naftiko: 1.0.0-alpha2\ninfo:\n  label: a'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]), line: 3, col: 11, message: /not valid UTF-8/ },
  { name: 'empty file', yaml: '', line: 1, col: 1, message: /empty/ },
  { name: 'root is not a mapping', yaml: '- a\n- b\n', line: 1, col: 1, message: /must be a mapping/ },
  { name: 'alias bomb', yaml: `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`, line: 1, col: 1, message: /aliases/ },
  { name: 'deep nesting', yaml: `naftiko: x\ninfo: ${'['.repeat(80)}${']'.repeat(80)}\n`, line: 2, col: 71, message: /nests deeper/ },
];

describe('diagnostics for broken specs', () => {
  it.each(cases)('$name', ({ yaml, line, col, message, hint }) => {
    const diagnostics = diagnose(yaml).filter((d) => d.severity === 'error');
    expect(diagnostics.length, JSON.stringify(diagnostics)).toBeGreaterThanOrEqual(1);
    const first = diagnostics[0]!;
    expect(first.message).toMatch(message);
    expect([first.line, first.col]).toEqual([line, col]);
    if (hint) expect(first.hint).toMatch(hint);
    expect(formatDiagnostic(first)).toMatch(/^\S+spec\.yaml:\d+:\d+: error: /);
  });

  it('a valid spec has no diagnostics', () => {
    expect(diagnose(VALID)).toEqual([]);
  });
});
