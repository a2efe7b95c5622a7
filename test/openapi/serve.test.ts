// Generated REST servers serve their OpenAPI description at GET /openapi.json, byte for byte what
// `naftiko-codegen openapi` prints, without authentication; and the description is true: a
// client that knows only the document reaches every operation it lists, and the answers match
// the schemas it gives.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilityModel } from '../../generator/model/ir.js';
import { runPipeline } from '../../generator/pipeline.js';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';
import { EXAMPLES, IMDS, SAMPLE, type Doc } from './helpers.js';

const TOKEN = 'served-openapi-token';
const SECRET = 'bind-secret-value';

describe('the committed IMDS server', () => {
  let running: Awaited<ReturnType<typeof startGenerated>>;
  let upstream: Recorder;
  beforeAll(async () => {
    upstream = await startRecorder();
    running = await startGenerated('generated', 'azure-imds-get-token', {
      baseUris: { 'instancemetadataclient-get-token': upstream.url },
      env: { IMDS_PROXY_TOKEN: TOKEN },
      retry: false,
    });
  });
  afterAll(async () => {
    await running?.close();
    await upstream?.close();
  });

  it('serves /openapi.json without credentials, equal to the CLI export', async () => {
    const response = await fetch(`${running.rest[0]!.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await response.text();
    const exported = await cli('openapi', IMDS);
    expect(text).toBe(`${exported.stdout}\n`);
    const head = await fetch(`${running.rest[0]!.url}/openapi.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('only the description is public: the operation it lists still wants the token', async () => {
    const doc = (await (await fetch(`${running.rest[0]!.url}/openapi.json`)).json()) as Doc;
    const url = `${running.rest[0]!.url}/v1/identity/oauth2/token?resource=x`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    expect(Object.keys(doc.paths['/v1/identity/oauth2/token'].get.responses)).toContain('401');
    expect(upstream.requests).toHaveLength(0);
    // A missing required input is the 400 problem the document promises.
    const bad = await fetch(`${running.rest[0]!.url}/v1/identity/oauth2/token`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = ajv.compile(doc.components.schemas.Problem);
    expect(problem(await bad.json()), JSON.stringify(problem.errors)).toBe(true);
  });
});

// ---------- every listed operation, called the way a client that knows only the document would ----------

const FILES = [
  IMDS,
  `${SAMPLE}/larder-field-records.yaml`,
  `${SAMPLE}/larder-docstore-scripts.yaml`,
  `${SAMPLE}/larder-blob-check.yaml`,
  `${EXAMPLES}/tests/http/http-body-capability.yaml`,
  `${EXAMPLES}/tests/register.capability.yml`,
  `${EXAMPLES}/tests/aggregates/aggregate-basic.yaml`,
  `${EXAMPLES}/tutorial/step-10-shipyard-rest-adapter.yml`,
];
const out = scratchDir('openapi-serve');
const ajv = new Ajv2020({ strict: false, validateFormats: false });

beforeAll(async () => {
  const run = await cli('generate', ...FILES, '--out', out);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A value a schema accepts. */
function sample(schema: Doc | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema!.type[0] : schema?.type;
  switch (type) {
    case 'integer':
      return 7;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return ['a', 'b c'];
    case 'object':
      return Object.fromEntries(Object.entries((schema!.properties ?? {}) as Record<string, Doc>).map(([k, s]) => [k, sample(s)]));
    case 'string':
      return schema!.contentEncoding === 'base64' ? Buffer.from('bytes').toString('base64') : 'v 1';
    default:
      return {};
  }
}

function credentialsFor(model: CapabilityModel): Record<string, string> {
  const auth = model.rest[0]?.auth;
  // Every bind variable is given SECRET (bindValues), so every credential template renders to it.
  const secret = (template: string): string => template.replace(/\{\{[^}]+\}\}/g, SECRET);
  if (auth?.type === 'bearer') return { authorization: `Bearer ${secret(auth.token)}` };
  if (auth?.type === 'basic') return { authorization: `Basic ${Buffer.from(`${secret(auth.username)}:${secret(auth.password)}`).toString('base64')}` };
  if (auth?.type === 'apikey') return { [auth.key.toLowerCase()]: secret(auth.value) };
  return {};
}

/** The request an OpenAPI client builds for one operation, every parameter given. */
function requestFor(base: string, path: string, method: string, op: Doc, credentials: Record<string, string>): { url: string; init: RequestInit } {
  const params = (op.parameters ?? []) as Doc[];
  let url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(sample(params.find((p) => p.in === 'path' && p.name === name)?.schema))));
  const query = new URLSearchParams();
  const headers: Record<string, string> = { ...credentials };
  const cookies: string[] = [];
  for (const p of params) {
    const value = sample(p.schema);
    if (p.in === 'query') for (const item of Array.isArray(value) ? value : [value]) query.append(p.name, String(item));
    if (p.in === 'header') headers[p.name.toLowerCase()] = p.name.toLowerCase() === 'content-type' ? 'application/json' : String(value);
    if (p.in === 'cookie') cookies.push(`${p.name}=${encodeURIComponent(String(value))}`);
  }
  if (cookies.length) headers.cookie = cookies.join('; ');
  let body: string | Uint8Array | undefined;
  const content = op.requestBody?.content as Record<string, Doc> | undefined;
  if (content?.['application/json']) {
    body = JSON.stringify(sample(content['application/json'].schema));
    headers['content-type'] = 'application/json';
  } else if (content?.['application/octet-stream']) {
    body = Buffer.from('bytes');
    headers['content-type'] = 'application/octet-stream';
  } else if (content?.['*/*']) {
    body = '{}';
    headers['content-type'] = 'application/json';
  }
  const search = query.toString();
  url = `${base}${url}${search ? `?${search}` : ''}`;
  return { url, init: { method: method.toUpperCase(), headers, ...(body !== undefined ? { body } : {}) } };
}

describe.each(FILES.map((f) => [f.split('/').pop()!.replace(/\.ya?ml$/, ''), f]))('%s', (name, file) => {
  let running: Awaited<ReturnType<typeof startGenerated>>;
  let upstream: Recorder;
  let model: CapabilityModel;
  beforeAll(async () => {
    model = runPipeline(file, { outDir: out, validateOnly: true }).model!;
    upstream = await startRecorder();
    const bindValues = Object.fromEntries(model.binds.flatMap((b) => Object.keys(b.keys).map((k) => [k, SECRET])));
    running = await startGenerated(out, name, {
      baseUris: Object.fromEntries(model.consumes.map((c) => [c.namespace, upstream.url])),
      env: { IMDS_PROXY_TOKEN: TOKEN, MICROSOFT_AZURE_API_KEY: SECRET },
      bindValues,
      retry: false,
    });
  });
  afterAll(async () => {
    await running?.close();
    await upstream?.close();
  });

  it('answers every operation its /openapi.json lists, as described', async () => {
    const base = running.rest[0]!.url;
    const served = await (await fetch(`${base}/openapi.json`)).text();
    expect(served).toBe(`${(await cli('openapi', file)).stdout}\n`);
    const doc = JSON.parse(served) as Doc;
    let calls = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
      for (const [method, op] of Object.entries(item as Record<string, Doc>)) {
        const { url, init } = requestFor(base, path, method, op, credentialsFor(model));
        upstream.requests.length = 0;
        const response = await fetch(url, init);
        const text = await response.text();
        const context = `${method.toUpperCase()} ${path}: ${text.slice(0, 300)}`;
        expect(response.status, context).toBe(200);
        // Operations that may meet the upstream (502/504 listed) reach it; mocks never do.
        expect(upstream.requests.length > 0, context).toBe(op.responses['502'] !== undefined);
        const described = op.responses['200'].content?.['application/json']?.schema as Doc | undefined;
        if (described && method !== 'head') {
          const check = ajv.compile(described);
          expect(check(JSON.parse(text)), `${context} ${JSON.stringify(check.errors)}`).toBe(true);
        }
        calls += 1;
      }
    }
    expect(calls).toBeGreaterThan(0);
  });
});

it('a spec that declares its own GET /openapi.json keeps it', async () => {
  const spec = `naftiko: 1.0.0-alpha2
capability:
  exposes:
  - type: rest
    namespace: own
    port: 8080
    resources:
    - path: /openapi.json
      operations:
      - {method: GET, name: my-doc, outputParameters: [{name: mine, type: string, value: 'yes'}]}
`;
  const dir = scratchDir('openapi-own');
  try {
    writeFileSync(join(dir, 'own.yaml'), spec);
    expect((await cli('generate', join(dir, 'own.yaml'), '--out', join(dir, 'out'))).code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'own', 'routes.ts'), 'utf8')).not.toContain("new URL('./openapi.json'");
    const running = await startGenerated(join(dir, 'out'), 'own');
    try {
      expect(await (await fetch(`${running.rest[0]!.url}/openapi.json`)).json()).toEqual({ mine: 'yes' });
    } finally {
      await running.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
