// Hostile spec text never becomes code (openapi-mcp-generator had to fix exactly this: template-
// literal injection through descriptions). Every place a spec string lands in generated
// TypeScript gets payloads that would run if pasted raw; the output type-checks; importing and
// serving it never sets the sentinel the payloads set; and the values come out verbatim —
// upstream (query, header, path, body) and through MCP (descriptions, titles, instructions,
// results, prompts). What cannot be generated safely is refused with a positioned diagnostic.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatDiagnostic } from '../../generator/diagnostics.js';
import { runPipeline } from '../../generator/pipeline.js';
import { cli, scratchDir, startGenerated, typecheck } from '../helpers/cli.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';

const dir = scratchDir('injection');
afterAll(() => (process.env.KEEP ? undefined : rmSync(dir, { recursive: true, force: true })));

const SENTINEL = '__naftikoPwned';
const RUN = `globalThis.${SENTINEL} = 1`;
/** Each breaks out of one kind of place (comment, each quote style, template literal, HTML, line) if printed raw. */
const PAYLOADS = [
  `*/ ${RUN}; /*`,
  `/* ${RUN} */`,
  `\`; ${RUN}; \``,
  `\${${RUN}}`,
  `'; ${RUN}; '`,
  `"; ${RUN}; "`,
  `\\'; ${RUN}; //`,
  `\\"); ${RUN}; ("`,
  `</script><script>${RUN}</script>`,
  `\u2028${RUN}\u2029`,
  `a\u0000b`,
  `\n${RUN}\n//`,
  `\r\n${RUN}`,
  `{{${RUN}}}`,
  `}); ${RUN}; ({`,
];
const H = PAYLOADS.join(' | ');
const LONG = `${H} ${'x'.repeat(50_000)}`;
/** What a header can carry: the payloads minus line breaks and NUL (and, as a spec constant, minus `{{`: that is a template). */
const H_HEADER = "*/ ' \" ` ${x} \\ </script> ${y}";
const QNAME = "q*/'\"`${x}\\";
const KEY = "k*/'\"`${x}\\";
const NS = "up'\"`*/${x}";
const TOOL = `tool */ '" \` \${x}`;
/** Caller values: JSON, template and URL breakers. */
const INPUT = `"}, "x": 1, {"a": "{{who}}" ../%2F?#&=\` \${x} '\\`;

/** A YAML double-quoted scalar meaning exactly `s` (JSON escapes are YAML escapes; U+2028/9 spelled out). */
const y = (s: string): string => JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

// ---- fuzzing: corpus files with hostile scalars, dropped/duplicated keys and changed types ----

const STACK = /\n\s+at |\bat .+\.(ts|js):\d+:\d+/;
/** Wall-clock budget of the fuzz loop (fast-check stops generating new inputs after it); longer hunts: NAFTIKO_FUZZ_MS, NAFTIKO_FUZZ_SEED, NAFTIKO_FUZZ_TSC (outputs type-checked). */
const FUZZ_MS = Number(process.env.NAFTIKO_FUZZ_MS ?? 6_000);
const FUZZ_SEED = Number(process.env.NAFTIKO_FUZZ_SEED ?? 20260705);
const SAMPLE = 'test/fixtures/synthetic';
/** The smallest synthetic catalogue-dialect fixtures (fast to generate), the IMDS capability, and official examples with steps, mocks, resources and prompts. */
const FUZZ_SOURCES = [
  ...readdirSync(SAMPLE).filter((f) => f.endsWith('.yaml')).map((f) => join(SAMPLE, f)).sort((a, b) => statSync(a).size - statSync(b).size).slice(0, 6),
  'capabilities/azure-imds-get-token.yaml',
  'test/fixtures/naftiko-examples/tutorial/step-7-shipyard-orchestrated-lookup.yml',
  'test/fixtures/naftiko-examples/tests/mcp/mcp-resources-prompts-capability.yaml',
];

type Mutation =
  | { kind: 'scalar'; at: number; value: string }
  | { kind: 'type'; at: number; value: unknown }
  | { kind: 'drop'; at: number }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'splice'; at: number; text: string };

const hostileString = fc.oneof(
  fc.constantFrom(...PAYLOADS, H, '', ' ', '{{', '}}', '{x}', '{{x}}', '$.', '$..a[', '../', '%2F', '\\', 'a'.repeat(3000), '0', 'true', 'null', '-1'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ maxLength: 12 }).map((t) => `{{${t}}}`),
);
const otherType = fc.oneof(
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}),
  fc.array(hostileString, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), hostileString, { maxKeys: 2 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('scalar' as const), at: fc.nat(), value: hostileString }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('type' as const), at: fc.nat(), value: otherType }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), key: hostileString }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(':', '- ', '{', '[', '"', "'", '\t', '&a', '*a', '!!binary', '\n  x: 1\n', '\u0000', '%') }) },
);

/** Every [parent, key] in a document, in a stable order (objects and arrays alike). */
function slots(node: unknown, out: [Record<string | number, unknown>, string | number][] = []): [Record<string | number, unknown>, string | number][] {
  if (node !== null && typeof node === 'object') {
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push([node as Record<string | number, unknown>, key]);
      slots((node as Record<string | number, unknown>)[key], out);
    }
  }
  return out;
}

/** Applies structural mutations to a copy of the document, serialises it, then applies text mutations. */
function mutate(doc: unknown, mutations: readonly Mutation[]): string {
  const copy = structuredClone(doc);
  for (const m of mutations) {
    const all = slots(copy);
    if (all.length === 0) break;
    const [parent, key] = all[m.at % all.length]!;
    if (m.kind === 'scalar') {
      const scalars = all.filter(([p, k]) => p[k] === null || typeof p[k] !== 'object');
      const [sp, sk] = scalars[m.at % Math.max(1, scalars.length)] ?? [parent, key];
      sp[sk] = m.value;
    } else if (m.kind === 'type') parent[key] = m.value;
    else if (m.kind === 'drop') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === 'rename' && !Array.isArray(parent)) {
      const value = parent[key];
      delete parent[key];
      parent[m.key] = value;
    }
  }
  let text = stringifyYaml(copy, { lineWidth: 0 });
  for (const m of mutations) {
    if (m.kind === 'duplicate-line') {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      text = lines.join('\n');
    } else if (m.kind === 'splice') {
      const i = m.at % (text.length + 1);
      text = text.slice(0, i) + m.text + text.slice(i);
    }
  }
  return text;
}

function hostileSpec(): string {
  return `naftiko: 1.0.0-alpha2
info:
  label: ${y(H)}
  description: ${y(H)}
binds:
- namespace: env
  description: ${y(H)}
  keys: {HOSTILE_VAR: ${y("ENV*/'\"`${x}")}}
capability:
  consumes:
  - type: http
    namespace: ${y(NS)}
    baseUri: ${y("http://127.0.0.1:9/b'*/`${x}")}
    description: ${y(H)}
    inputParameters:
    - {name: X-Const, in: header, value: ${y(H_HEADER)}}
    - {name: q-const, in: query, value: ${y(H)}}
    resources:
    - name: ${y(`res ${H}`)}
      path: ${y("/odd/*/'\"`<script>/{id}/a b")}
      description: ${y(H)}
      operations:
      - name: get-item
        method: GET
        description: ${y(LONG)}
        inputParameters:
        - {name: id, in: path, type: string, description: ${y(H)}}
        - {name: ${y(QNAME)}, in: query, type: string, description: ${y(H)}}
        - {name: X-In, in: header, type: string, description: ${y(H)}}
    - name: notes
      path: /notes
      operations:
      - name: add-note
        method: POST
        description: ${y(H)}
        body: {type: json, data: {note: ${y(H)}, who: "{{who}}"}}
      - name: add-raw
        method: PUT
        body: ${y(`{"note": ${JSON.stringify(H)}, "who": "{{who}}"}`)}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    description: ${y(H)}
    resources:
    - path: ${y("/v1/odd'\"`<>/{id}")}
      description: ${y(H)}
      operations:
      - method: GET
        name: get-item
        description: ${y(H)}
        call: ${y(`${NS}.get-item`)}
    - path: /v1/notes
      operations:
      - {method: POST, name: add-note, call: ${y(`${NS}.add-note`)}}
      - {method: PUT, name: add-raw, call: ${y(`${NS}.add-raw`)}}
  - type: mcp
    namespace: tools
    port: 9090
    description: ${y(H)}
    tools:
    - name: ${y(TOOL)}
      label: ${y(H)}
      description: ${y(LONG)}
      call: ${y(`${NS}.get-item`)}
      outputParameters:
      - type: object
        properties:
          ${y(KEY)}: {type: string, mapping: $.echo.url}
    - name: echo
      description: ${y(H)}
      inputParameters:
      - {name: who, type: string, description: ${y(H)}, required: true}
      outputParameters:
      - {name: ${y(KEY)}, type: string, value: ${y(`${H} {{who}}`)}}
    resources:
    # Ignores its URI variable (an unused parameter once broke the strict type-check; found by the fuzzer).
    - name: hostile-resource
      uri: "data://items/{itemId}"
      description: ${y(H)}
      mimeType: application/json
      call: ${y(`${NS}.get-item`)}
      with: {id: fixed}
    prompts:
    # Arguments but nothing to render them into (an unused parameter once broke the type-check; fuzzer).
    - name: silent-prompt
      arguments: [{name: who}]
      template: []
    - name: hostile-prompt
      description: ${y(H)}
      arguments:
      - {name: who, description: ${y(H)}, required: true}
      template:
      - {role: user, content: ${y(`${H} {{who}}`)}}
  # An adapter that declares nothing (its unused \`server\` parameter broke the type-check; fuzzer).
  - type: mcp
    namespace: empty
    port: 9091
    tools: []
`;
}

const pwned = (): unknown => (globalThis as Record<string, unknown>)[SENTINEL];
/** Fuzzed inputs the generator accepted, type-checked together with the hostile spec (one tsc run). */
const accepted: string[] = [];
const MAX_TYPECHECKED = Number(process.env.NAFTIKO_FUZZ_TSC ?? 6);

describe('fuzzed corpus specs (fast-check, seeded, time-bounded)', () => {
  it('never crash: every problem is a positioned diagnostic without a stack trace', async () => {
    const sources = FUZZ_SOURCES.map((file) => ({ file, doc: parseYaml(readFileSync(file, 'utf8')) as unknown }));
    const fuzzDir = join(dir, 'fuzz');
    mkdirSync(fuzzDir, { recursive: true });
    let tried = 0;
    let rejected = 0;
    const rejectedFiles: string[] = [];
    const property = fc.property(fc.nat(sources.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
      const file = join(fuzzDir, `in-${tried}.yaml`);
      tried += 1;
      const text = mutate(sources[which]!.doc, mutations);
      writeFileSync(file, text);
      const result = runPipeline(file, { outDir: join(dir, 'fuzz-out') });
      const lines = text.split(/\r\n|\r|\n/).length;
      for (const d of result.diagnostics) {
        const where = `${formatDiagnostic(d)}\n--- input ---\n${text.slice(0, 2000)}`;
        expect(d.code, where).not.toBe('internal');
        expect(d.file, where).toBe(file);
        expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1, where).toBe(true);
        expect(Number.isInteger(d.col) && d.col >= 1, where).toBe(true);
        expect(d.message.length, where).toBeGreaterThan(0);
        expect(`${d.message} ${d.hint ?? ''}`, where).not.toMatch(STACK);
      }
      if (result.diagnostics.some((d) => d.severity === 'error')) {
        rejected += 1;
        if (rejectedFiles.length < 40) rejectedFiles.push(file);
      } else if (result.files && accepted.length < MAX_TYPECHECKED && mutations.some((m) => m.kind === 'scalar')) {
        const keep = join(dir, `fuzz-accepted-${accepted.length}.yaml`);
        writeFileSync(keep, text);
        accepted.push(keep);
      }
    });
    // A fixed first batch (so a busy machine still fuzzes), then as many more as the time budget allows.
    fc.assert(property, { seed: FUZZ_SEED, numRuns: 25 });
    fc.assert(property, { seed: FUZZ_SEED + 1, numRuns: 1_000_000, interruptAfterTimeLimit: FUZZ_MS });
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${tried} inputs tried, ${rejected} rejected with diagnostics, ${tried - rejected} accepted, ${accepted.length} kept for tsc`);
    expect(tried).toBeGreaterThanOrEqual(25);
    expect(rejected).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);

    // The CLI prints the rejected ones as file:line:col lines and hints only, never a stack trace.
    const run = await cli('validate', ...rejectedFiles);
    expect(run.code).toBe(1);
    for (const line of run.stderr.split('\n')) {
      expect(line).toMatch(/^(\S.*:\d+:\d+: (error|warning): .+|  hint: .*)$/);
    }
    expect(run.stderr).not.toMatch(STACK);
  }, 60_000 + FUZZ_MS);
});

describe('hostile spec text', () => {
  let out: string;
  let upstream: Recorder;
  let running: Awaited<ReturnType<typeof startGenerated>>;

  beforeAll(async () => {
    writeFileSync(join(dir, 'hostile.yaml'), hostileSpec());
    out = join(dir, 'out');
    const run = await cli('generate', join(dir, 'hostile.yaml'), ...accepted, '--out', out);
    // Accepted fuzz inputs may carry warnings (an ignored `with` key…), never errors.
    expect(run.stderr).not.toMatch(/: error: /);
    expect(run.code).toBe(0);
    upstream = await startRecorder();
    expect(pwned()).toBeUndefined();
    // Importing the generated modules runs their top level: an injected statement would run here.
    running = await startGenerated(out, 'hostile', { baseUris: { [NS]: `${upstream.url}/base` }, retry: false, timeoutMs: 5_000 });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await upstream?.close();
  });

  it('generates TypeScript that type-checks under strict (with the accepted fuzz inputs) and prints no payload raw', () => {
    expect(() => typecheck(out)).not.toThrow();
    for (const file of ['types.ts', 'client.ts', 'routes.ts', 'mcp.ts', 'server.ts', 'index.ts']) {
      const text = readFileSync(join(out, 'hostile', file), 'utf8');
      // Raw U+2028/9 and NUL would be line breaks or binary in source; they must be escapes.
      expect(text, file).not.toMatch(/[\u2028\u2029\u0000]/);
      // Every payload statement sits inside a string literal or comment: it never starts a line.
      expect(text, file).not.toMatch(new RegExp(`^\\s*${RUN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  }, 120_000);

  it('REST: nothing ran; spec constants and caller values reach the upstream verbatim, paths encoded', async () => {
    const rest = running.rest[0]!.url;
    const id = `../${INPUT}`;
    const url = `${rest}/v1/odd'%22%60%3C%3E/${encodeURIComponent(id)}?${encodeURIComponent(QNAME)}=${encodeURIComponent(INPUT)}`;
    const response = await fetch(url, { headers: { 'x-in': `${H_HEADER} {{who}}` } });
    expect(response.status, await response.clone().text()).toBe(200);
    const got = upstream.requests.at(-1)!;
    // The literal path text is kept, made valid; the caller's value is one encoded segment.
    expect(got.path).toBe(`/base/odd/*/'%22%60%3Cscript%3E/${encodeURIComponent(id)}/a%20b`);
    expect(new Map(got.query)).toEqual(new Map([['q-const', H], [QNAME, INPUT]]));
    expect(got.headers['x-const']).toBe(H_HEADER);
    expect(got.headers['x-in']).toBe(`${H_HEADER} {{who}}`);

    for (const method of ['POST', 'PUT']) {
      const note = await fetch(`${rest}/v1/notes`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ who: INPUT }) });
      expect(note.status, method).toBe(200);
      expect(JSON.parse(upstream.requests.at(-1)!.body.toString('utf8')), method).toEqual({ note: H, who: INPUT });
    }
    expect(pwned()).toBeUndefined();
  });

  it('MCP: descriptions, titles and instructions are verbatim; results and prompts carry values unrendered', async () => {
    const client = new Client({ name: 'injection', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
    try {
      expect(client.getInstructions()).toBe(H);
      const { tools } = await client.listTools();
      const tool = tools.find((t) => t.title === TOOL || t.annotations?.title === H)!;
      expect(tool, JSON.stringify(tools.map((t) => t.name))).toBeDefined();
      expect(tool.name).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
      expect(tool.description).toBe(LONG);
      const properties = tool.inputSchema.properties as Record<string, { description?: string }>;
      expect(Object.keys(properties)).toEqual(['id', QNAME, 'X-In']);
      for (const p of Object.values(properties)) expect(p.description).toBe(H);

      const called = await client.callTool({ name: tool.name, arguments: { id: INPUT, [QNAME]: INPUT } });
      expect(called.isError ?? false, JSON.stringify(called.content)).toBe(false);
      const sent = upstream.requests.at(-1)!;
      expect(sent.path).toBe(`/base/odd/*/'%22%60%3Cscript%3E/${encodeURIComponent(INPUT)}/a%20b`);
      expect(new Map(sent.query).get(QNAME)).toBe(INPUT);
      expect(called.structuredContent).toEqual({ [KEY]: sent.url });

      const echo = tools.find((t) => t.name === 'echo')!;
      expect(echo.description).toBe(H);
      const said = await client.callTool({ name: 'echo', arguments: { who: INPUT } });
      expect(said.structuredContent).toEqual({ [KEY]: `${H} ${INPUT}` });

      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates[0]!.description).toBe(H);
      const read = await client.readResource({ uri: 'data://items/42' });
      expect(upstream.requests.at(-1)!.path).toBe(`/base/odd/*/'%22%60%3Cscript%3E/fixed/a%20b`);
      expect(read.contents[0]).toMatchObject({ uri: 'data://items/42', mimeType: 'application/json' });

      const { prompts } = await client.listPrompts();
      expect(prompts.find((p) => p.name === 'hostile-prompt')!.description).toBe(H);
      const prompt = await client.getPrompt({ name: 'hostile-prompt', arguments: { who: INPUT } });
      expect((prompt.messages[0]!.content as { text: string }).text).toBe(`${H} ${INPUT}`);
    } finally {
      await client.close();
    }
    expect(pwned()).toBeUndefined();
  });
});

describe('what cannot be generated safely is refused with a positioned diagnostic', () => {
  const base = (param: string, exposedPath = '/v1/items'): string => `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://127.0.0.1:9
    inputParameters:
    - ${param}
    resources:
    - {name: items, path: /items, operations: [{name: list, method: GET}]}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - {path: ${y(exposedPath)}, operations: [{method: GET, name: list, call: up.list}]}
`;
  const mcp = (extra: string): string => `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://127.0.0.1:9
    resources:
    - {name: items, path: /items, operations: [{name: list, method: GET}]}
  exposes:
  - type: mcp
    namespace: tools
    tools: [{name: list, description: List, call: up.list}]
    ${extra}
`;
  it.each([
    ['a header name with a line break', base(`{name: ${y('X-A\r\nInjected: 1')}, in: header, type: string}`), 8, /header name .* is not a valid HTTP token/],
    ['a header name with a space', base('{name: "X A", in: header, type: string}'), 8, /not a valid HTTP token/],
    ['a cookie name with "="', base('{name: "a=b", in: cookie, type: string}'), 8, /cookie name .* is not a valid HTTP token/],
    ['a constant header value with CRLF', base(`{name: X-C, in: header, value: ${y('ok\r\nInjected: 1')}}`), 8, /line break or NUL/],
    ['a constant header value with NUL', base(`{name: X-C, in: header, value: ${y('a\u0000b')}}`), 8, /line break or NUL/],
    ['an exposed path with "*"', base('{name: q, in: query, type: string}', '/v1/*/items'), 16, /contains "\*"/],
    // Found by the fuzzer: the SDK refuses these when it builds the server, i.e. on every MCP request.
    ['a prompt argument without a name', mcp('prompts: [{name: p, template: [{role: user, content: x}], arguments: [{description: d}]}]'), 13, /prompt argument needs a name/],
    ['two prompt arguments of one name', mcp('prompts: [{name: p, template: [{role: user, content: x}], arguments: [{name: a}, {name: a}]}]'), 13, /prompt argument "a" is already declared/],
    ['two prompts of one name', mcp('prompts: [{name: p, template: [{role: user, content: x}]}, {name: p, template: [{role: user, content: y}]}]'), 13, /prompt "p" is already declared/],
    ['two inputs of one name', base('{name: q, in: query, type: string}').replace('operations: [{name: list, method: GET}]', 'operations: [{name: list, method: GET, inputParameters: [{name: id, in: query}, {name: id, in: header}]}]'), 10, /input "id" is already declared/],
    ['a resource that gives a required input no value', mcp('resources: [{name: r, uri: "data://x/{other}", call: up.get}]').replace('operations: [{name: list, method: GET}]', 'operations: [{name: list, method: GET}]}\n    - {name: one, path: "/items/{id}", operations: [{name: get, method: GET}]'), 14, /resource "r" gives no value for required input "id"/],
    ['two resources of one URI', mcp('resources: [{name: a, uri: "data://x", call: up.list}, {name: b, uri: "data://x", call: up.list}]'), 13, /resource URI "data:\/\/x" is already declared/],
  ])('%s', async (_name, yaml, line, message) => {
    const file = join(dir, `refused-${line}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const run = await cli('generate', file, '--out', join(dir, 'refused'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: error: `));
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
