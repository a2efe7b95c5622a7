// The OpenAPI export: valid OpenAPI 3.1 for the IMDS capability and every in-repo fixture, and
// given/want tables for how parameters, security, bodies and answers are described.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportOpenApi, openApiText } from '../../generator/openapi/export.js';
import { runPipeline } from '../../generator/pipeline.js';
import { cli, scratchDir } from '../helpers/cli.js';
import { corpusFiles, exportOf, IMDS, semanticProblems, validateOpenApi, type Doc } from './helpers.js';

const dir = scratchDir('openapi-export');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the IMDS capability', () => {
  it('exports valid OpenAPI 3.1 with its bearer auth, query parameters and problem answers, and no secret', async () => {
    const run = await cli('openapi', IMDS);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as Doc;
    expect(await validateOpenApi(doc)).toEqual({ valid: true, errors: undefined });
    expect(semanticProblems(doc)).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Microsoft Azure InstanceMetadataClient — Get Token');
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:8080', description: 'REST adapter instancemetadataclient-get-token-rest' }]);
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    const op = doc.paths['/v1/identity/oauth2/token'].get;
    expect(op.operationId).toBe('microsoftazureidentitygettoken');
    expect(op.parameters.map((p: Doc) => `${p.in}:${p.name}${p.required ? '!' : ''}`)).toEqual([
      'query:resource!', 'query:client_id', 'query:object_id', 'query:msi_res_id', 'query:authority', 'query:bypass_cache',
    ]);
    // The constants the capability adds (Metadata header, api-version) are not the caller's to send.
    expect(JSON.stringify(op.parameters)).not.toMatch(/Metadata|api-version/);
    expect(Object.keys(op.responses)).toEqual(['200', '400', '401', '404', '500', '502', '504']);
    expect(doc.components.responses.Unauthorized.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(run.stdout).not.toMatch(/IMDS_PROXY_TOKEN|proxy\.|\{\{/);
  });

  it('is deterministic, the same as generated/<cap>/openapi.json, and YAML when --out ends .yaml', async () => {
    const first = await cli('openapi', IMDS);
    const second = await cli('openapi', IMDS);
    expect(second.stdout).toBe(first.stdout);
    expect(readFileSync('generated/azure-imds-get-token/openapi.json', 'utf8')).toBe(`${first.stdout}\n`);
    const file = join(dir, 'nested', 'imds.yaml');
    expect((await cli('openapi', IMDS, '--out', file)).code).toBe(0);
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toMatch(/^openapi: 3\.1\.0\n/);
    expect(parse(yaml)).toEqual(JSON.parse(first.stdout));
    expect((await cli('openapi', IMDS, '--out', join(dir, 'imds.json'))).code).toBe(0);
    expect(readFileSync(join(dir, 'imds.json'), 'utf8')).toBe(`${first.stdout}\n`);
  });
});

describe('the in-repo fixtures', () => {
  const files = corpusFiles();
  it('the validator used here does reject a broken description', async () => {
    const doc = JSON.parse((await cli('openapi', IMDS)).stdout) as Doc;
    delete doc.paths['/v1/identity/oauth2/token'].get.parameters[0].in;
    expect((await validateOpenApi(doc)).valid).toBe(false);
    doc.paths['/v1/identity/oauth2/token'].get.parameters[0].in = 'path';
    expect(semanticProblems(doc)).toEqual(['GET /v1/identity/oauth2/token: path parameters resource ≠ template ']);
  });

  it('has the synthetic fixtures and the supported official examples', () => {
    expect(files.filter((f) => f.includes('/synthetic/'))).toHaveLength(7);
    expect(files.length).toBeGreaterThan(17);
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
});

// ---------- given/want tables ----------

interface OpSpec {
  method?: string;
  path?: string;
  consumedPath?: string;
  consumed?: object[];
  body?: unknown;
  exposed?: object[];
  outputs?: object[];
  outputRawFormat?: string;
  mock?: boolean;
}

function spec(op: OpSpec, auth?: object): object {
  const method = op.method ?? 'GET';
  return {
    naftiko: '1.0.0-alpha2',
    binds: [{ namespace: 'env', keys: { SECRET: 'TEST_SECRET' } }],
    capability: {
      consumes: [{
        type: 'http', namespace: 'up', baseUri: 'http://127.0.0.1:9',
        resources: [{
          name: 'r', path: op.consumedPath ?? '/things/{{id}}',
          operations: [{ name: 'op', method, inputParameters: op.consumed ?? [], ...(op.body !== undefined ? { body: op.body } : {}), ...(op.outputRawFormat ? { outputRawFormat: op.outputRawFormat } : {}) }],
        }],
      }],
      exposes: [{
        type: 'rest', namespace: 'api', port: 8080, ...(auth ? { authentication: auth } : {}),
        resources: [{
          path: op.path ?? '/things/{id}',
          operations: [{ method, name: 'op', ...(op.mock ? {} : { call: 'up.op' }), inputParameters: op.exposed ?? [], ...(op.outputs ? { outputParameters: op.outputs } : {}) }],
        }],
      }],
    },
  };
}

let counter = 0;
function operationOf(op: OpSpec, auth?: object): { doc: Doc; op: Doc } {
  const doc = exportOf(dir, `case${(counter += 1)}`, spec(op, auth));
  return { doc, op: doc.paths[op.path ?? '/things/{id}'][(op.method ?? 'GET').toLowerCase()] };
}

const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

describe('parameters', () => {
  const CASES: [string, OpSpec, Doc[]][] = [
    ['an implied path variable', {}, [ID]],
    ['a declared required integer query with a description', { exposed: [{ name: 'limit', in: 'query', type: 'integer', required: true, description: 'At most' }] },
      [ID, { name: 'limit', in: 'query', description: 'At most', required: true, schema: { type: 'integer' } }]],
    ['an implied optional header', { consumed: [{ name: 'X-Trace', in: 'header' }] }, [ID, { name: 'X-Trace', in: 'header', schema: { type: 'string' } }]],
    ['a cookie', { exposed: [{ name: 'session', in: 'cookie', type: 'string', description: 'Session' }] }, [ID, { name: 'session', in: 'cookie', description: 'Session', schema: { type: 'string' } }]],
    ['a query array', { consumed: [{ name: 'tags', in: 'query', type: 'array' }] }, [ID, { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } }]],
    ['a boolean query', { consumed: [{ name: 'deep', in: 'query', type: 'boolean', required: true }] }, [ID, { name: 'deep', in: 'query', required: true, schema: { type: 'boolean' } }]],
    ['a constant is not a parameter', { consumed: [{ name: 'api-version', in: 'query', value: '2020-01-01' }] }, [ID]],
    ['catalogue names stay verbatim', { consumed: [{ name: '$filter', in: 'query' }] }, [ID, { name: '$filter', in: 'query', schema: { type: 'string' } }]],
    ['locations are grouped path, query, header, cookie', {
      exposed: [{ name: 'c', in: 'cookie', type: 'string', description: 'c' }, { name: 'h', in: 'header', type: 'string', description: 'h' }, { name: 'q', in: 'query', type: 'number', description: 'q' }],
    }, [ID, { name: 'q', in: 'query', description: 'q', schema: { type: 'number' } }, { name: 'h', in: 'header', description: 'h', schema: { type: 'string' } }, { name: 'c', in: 'cookie', description: 'c', schema: { type: 'string' } }]],
  ];
  it.each(CASES)('%s', (_name, given, want) => {
    const { op } = operationOf(given);
    expect(op.parameters).toEqual(want);
  });

  it('{{x}} paths become {x} templates', () => {
    const doc = exportOf(dir, 'path-form', spec({ path: '/v1/things/{{id}}:purge' }));
    expect(Object.keys(doc.paths)).toEqual(['/v1/things/{id}:purge']);
  });
});

describe('security', () => {
  const CASES: [string, object | undefined, Doc | undefined][] = [
    ['bearer', { type: 'bearer', token: '{{SECRET}}' }, { bearerAuth: { type: 'http', scheme: 'bearer' } }],
    ['basic', { type: 'basic', username: '{{SECRET}}', password: '{{env.SECRET}}' }, { basicAuth: { type: 'http', scheme: 'basic' } }],
    ['apikey (header by default)', { type: 'apikey', key: 'X-Api-Key', value: '{{SECRET}}' }, { apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } }],
    ['apikey in the query', { type: 'apikey', key: 'code', value: '{{SECRET}}', placement: 'query' }, { apiKeyAuth: { type: 'apiKey', in: 'query', name: 'code' } }],
    ['none', undefined, undefined],
  ];
  it.each(CASES)('%s', (_name, auth, want) => {
    const { doc, op } = operationOf({}, auth);
    expect(doc.components.securitySchemes).toEqual(want);
    expect(doc.security).toEqual(want ? [{ [Object.keys(want)[0]!]: [] }] : undefined);
    expect(op.responses['401']).toEqual(want ? { $ref: '#/components/responses/Unauthorized' } : undefined);
    expect(JSON.stringify(doc)).not.toMatch(/SECRET|\{\{/);
  });

  it('adapters with different auth get per-operation security and their own servers', () => {
    const base = spec({}, { type: 'bearer', token: '{{SECRET}}' }) as Doc;
    const second = { type: 'rest', namespace: 'admin', port: 8081, authentication: { type: 'apikey', key: 'X-Admin', value: '{{SECRET}}' }, resources: [{ path: '/admin', operations: [{ method: 'POST', name: 'op', call: 'up.op', with: { id: 'admin.id' } }] }] };
    base.capability.exposes.push(second);
    const doc = exportOf(dir, 'two-adapters', base);
    expect(doc.security).toBeUndefined();
    expect(doc.paths['/things/{id}'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/admin'].post.security).toEqual([{ apiKeyAuth: [] }]);
    expect(doc.paths['/admin'].post.operationId).toBe('op-2');
    expect(doc.paths['/admin'].post.servers).toEqual([{ url: 'http://127.0.0.1:8081', description: 'REST adapter admin' }]);
    expect(doc.paths['/things/{id}'].get.servers).toBeUndefined();
    expect(doc.tags.map((t: Doc) => t.name)).toEqual(['admin', 'api']);
  });
});

describe('request bodies', () => {
  const CASES: [string, OpSpec, Doc | undefined][] = [
    ['no body on a GET', {}, undefined],
    ['a whole JSON body', { method: 'POST', consumed: [{ name: 'payload', in: 'body' }], exposed: [{ name: 'payload', in: 'body', type: 'object', required: true, description: 'The thing' }] },
      { required: true, description: 'The thing', content: { 'application/json': { schema: { type: 'object' } } } }],
    ['JSONPath fields nest, JSON only', {
      method: 'POST', body: '{"id":"{{userId}}","n":{{n}}}',
      exposed: [{ name: 'userId', in: 'body', type: 'string', value: '$.user.id', required: true, description: 'User' }, { name: 'n', in: 'body', type: 'integer', value: "$['count']", description: 'Count' }],
    }, {
      required: true,
      content: { 'application/json': { schema: { type: 'object', properties: { user: { type: 'object', properties: { id: { type: 'string', description: 'User' } }, required: ['id'] }, count: { type: 'integer', description: 'Count' } }, required: ['user'] } } },
    }],
    ['top-level fields: JSON, form and multipart', { method: 'PUT', body: '{"name":"{{name}}"}', exposed: [{ name: 'name', in: 'body', type: 'string', value: '$.name', description: 'Name' }] }, {
      content: Object.fromEntries(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].map((t) => [t, { schema: { type: 'object', properties: { name: { type: 'string', description: 'Name' } } } }])),
    }],
    ['form fields with a file: binary in multipart, base64 in JSON', { method: 'POST', consumed: [{ name: 'file', in: 'formData', type: 'file', required: true }, { name: 'note', in: 'formData' }] }, {
      required: true,
      content: {
        'application/json': { schema: { type: 'object', properties: { file: { type: 'string', contentEncoding: 'base64' }, note: { type: 'string' } }, required: ['file'] } },
        'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { file: { type: 'string', contentEncoding: 'base64' }, note: { type: 'string' } }, required: ['file'] } },
        'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' }, note: { type: 'string' } }, required: ['file'] } },
      },
    }],
  ];
  it.each(CASES)('%s', (_name, given, want) => {
    const { op } = operationOf(given);
    expect(op.requestBody).toEqual(want);
    expect(op.responses['413']).toEqual(want ? { $ref: '#/components/responses/ContentTooLarge' } : undefined);
  });
});

describe('answers', () => {
  it('pass-through relays the upstream answer with an open schema, typed by its raw format', () => {
    expect(operationOf({}).op.responses['200']).toEqual({ description: 'The upstream answer, relayed as it came: status, body and content type.', content: { 'application/json': { schema: {} } } });
    expect(Object.keys(operationOf({ outputRawFormat: 'xml' }).op.responses['200'].content)).toEqual(['application/xml']);
  });

  it('mapped outputs get a precise schema (mapped values may be null)', () => {
    const outputs = [{ type: 'object', properties: { id: { type: 'number', mapping: '$.id' }, tags: { type: 'array', mapping: '$.tags', items: { type: 'string', mapping: '$.' } } } }];
    const { op } = operationOf({ outputs });
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      type: 'object',
      properties: { id: { type: ['number', 'null'] }, tags: { type: ['array', 'null'], items: { type: ['string', 'null'] } } },
      required: ['id', 'tags'],
      additionalProperties: false,
    });
  });

  it('a mock answer is rendered text and never meets an upstream (no 502/504)', () => {
    const { op } = operationOf({ mock: true, outputs: [{ name: 'greeting', type: 'string', value: 'hello {{id}}' }] });
    expect(op.responses['200'].content['application/json'].schema).toEqual({ type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'], additionalProperties: false });
    expect(Object.keys(op.responses)).toEqual(['200', '400', '404', '500']);
  });
});

describe('the openapi command', () => {
  it('refuses a capability without a REST adapter (exit 1) and a missing file (exit 2)', async () => {
    const mcpOnly = await cli('openapi', 'test/fixtures/naftiko-examples/tests/mcp/mcp-capability.yaml');
    expect(mcpOnly.code).toBe(1);
    expect(mcpOnly.stderr).toContain('has no REST adapter');
    const missing = await cli('openapi', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });

  it('reports spec errors with positions and writes nothing (exit 1)', async () => {
    const out = join(dir, 'broken.json');
    const run = await cli('openapi', 'test/fixtures/naftiko-examples/tests/aggregates/aggregate-invalid-ref.yaml', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/aggregate-invalid-ref\.yaml:\d+:\d+: error: /);
    expect(existsSync(out)).toBe(false);
  });
});
