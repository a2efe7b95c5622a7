// Importing OpenAPI 2/3 documents as capabilities, and `new`: what they write validates, generates,
// type-checks and runs; export(import(x)) describes the same operations as x; import(export(cap))
// generates; the alpha2 shape holds except for the two documented keys.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kebabCase, UniqueNames } from '../../generator/openapi/import-names.js';
import { cli, scratchDir, startGenerated, typecheck } from '../helpers/cli.js';
import { startRecorder } from '../corpus/recorder.js';
import { EXAMPLES, IMDS, SAMPLE, type Doc } from './helpers.js';

const FIXTURES = 'test/openapi/fixtures';
const dir = scratchDir('openapi-import');
const out = join(dir, 'out');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IMPORTS: [string, string, string][] = [
  ['OpenAPI 3', `${FIXTURES}/petstore-3.yaml`, 'pet-store'],
  ['Swagger 2', `${FIXTURES}/petstore-2.json`, 'legacy-shop'],
];
/** Capabilities exported and imported back (import(export(cap))). */
const ROUND_TRIPS = [IMDS, `${SAMPLE}/larder-docstore-scripts.yaml`, `${SAMPLE}/larder-blob-check.yaml`, `${SAMPLE}/larder-field-records.yaml`, `${EXAMPLES}/tests/http/http-body-capability.yaml`];

const official = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  .compile(JSON.parse(readFileSync('generator/validate/official/naftiko-schema-1.0.0-alpha2.json', 'utf8')) as object);

beforeAll(async () => {
  for (const [, source, name] of IMPORTS) {
    const run = await cli('import', source, '--out', join(dir, 'caps', `${name}.yaml`));
    expect(run.code, run.stderr).toBe(0);
  }
  for (const file of ROUND_TRIPS) {
    const name = file.split('/').pop()!.replace(/\.ya?ml$/, '');
    expect((await cli('openapi', file, '--out', join(dir, 'exported', `${name}.json`))).code).toBe(0);
    const run = await cli('import', join(dir, 'exported', `${name}.json`), '--out', join(dir, 'caps', `back-${name}.yaml`));
    expect(run.code, run.stderr).toBe(0);
  }
  expect((await cli('new', 'starter-demo', '--out', join(dir, 'caps', 'starter-demo.yaml'))).code).toBe(0);
  const run = await cli('generate', join(dir, 'caps'), '--out', out);
  expect(run.stderr.split('\n').filter((l) => !l.startsWith('progress:')).join('\n')).toBe(''); // progress lines come on a slow machine
  expect(run.code).toBe(0);
}, 60_000);

describe.each(IMPORTS)('%s', (_dialect, source, name) => {
  const file = () => join(dir, 'caps', `${name}.yaml`);

  it('writes a capability with a header saying where it came from, that validates with no warning', async () => {
    const text = readFileSync(file(), 'utf8');
    expect(text.split('\n')[0]).toBe(`# Imported by naftiko-codegen from ${source} (${source.endsWith('.json') ? 'Swagger 2.0 "Legacy Shop" 0.9' : 'OpenAPI 3.0.3 "Pet Store" 1.2.0'}).`);
    expect(text).toMatch(/^naftiko: "1\.0\.0-alpha2"$/m);
    const run = await cli('validate', file());
    expect(run).toEqual({ code: 0, stdout: '1 valid, 0 invalid', stderr: '' });
  });

  it('is official alpha2 except `required` on REST inputs, `in: formData` and `type: array` consumed parameters', () => {
    const doc = parse(readFileSync(file(), 'utf8')) as Doc;
    expect(official(doc)).toBe(false);
    let deviations = 0;
    for (const r of doc.capability.exposes[0].resources) for (const o of r.operations) for (const p of o.inputParameters ?? []) if ('required' in p) (deviations += 1, delete p.required);
    for (const r of doc.capability.consumes[0].resources) for (const o of r.operations) {
      for (const p of o.inputParameters ?? []) if (p.type === 'array' && p.in !== 'formData') (deviations += 1, delete p.type);
      const kept = (o.inputParameters ?? []).filter((p: Doc) => p.in !== 'formData');
      deviations += (o.inputParameters?.length ?? 0) - kept.length;
      if (o.inputParameters) o.inputParameters = kept;
    }
    expect(deviations).toBeGreaterThan(0);
    expect(official(doc), JSON.stringify(official.errors?.slice(0, 3))).toBe(true);
  });

  it('export(import(x)) describes the operations, paths and parameters of x', async () => {
    const run = await cli('openapi', file());
    expect(run.code, run.stderr).toBe(0);
    const want = summarise(parseSource(source), false);
    expect(Object.keys(want)).toHaveLength(name === 'pet-store' ? 7 : 5);
    expect(summarise(JSON.parse(run.stdout) as Doc, true)).toEqual(want);
  });
});

// ---------- the round-trip comparison, computed independently of the importer ----------

type Summary = Record<string, { id: string; params: string[]; body: 'none' | 'optional' | 'required' }>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function parseSource(file: string): Doc {
  return parse(readFileSync(file, 'utf8')) as Doc;
}

function deref(doc: Doc, node: Doc): Doc {
  if (typeof node?.$ref !== 'string') return node;
  return deref(doc, node.$ref.slice(2).split('/').reduce((n: Doc, k: string) => n[k], doc));
}

/** method+path → operationId (kebab-case in the source), `in:name[!]` parameters, whether a body is required. */
function summarise(doc: Doc, exported: boolean): Summary {
  const out: Summary = {};
  const apiKey = Object.values((doc.securityDefinitions ?? doc.components?.securitySchemes ?? {}) as Record<string, Doc>).find((s) => s.type === 'apiKey');
  for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method] as Doc;
      const all = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Doc) => deref(doc, p));
      const params = all
        .filter((p) => ['path', 'query', 'header', 'cookie'].includes(p.in))
        // OpenAPI says to ignore these headers; the upstream credential is the capability's, not the caller's.
        .filter((p) => !(p.in === 'header' && ['accept', 'content-type', 'authorization'].includes(p.name.toLowerCase())))
        .filter((p) => !(apiKey && p.in === apiKey.in && p.name === apiKey.name));
      const v2Body = all.filter((p) => p.in === 'body' || p.in === 'formData');
      const rb = op.requestBody ? deref(doc, op.requestBody) : undefined;
      const fieldsRequired = (schema: Doc | undefined): boolean => (deref(doc, schema ?? {})?.required ?? []).length > 0;
      const body = rb
        ? rb.required === true || (!exported && Object.values(rb.content as Record<string, Doc>).some((m) => /form/.test(Object.keys(rb.content)[0]!) && fieldsRequired(m.schema))) ? 'required' : 'optional'
        : v2Body.length ? (v2Body.some((p) => p.required === true) ? 'required' : 'optional') : 'none';
      out[`${method.toUpperCase()} ${path}`] = {
        id: exported ? op.operationId : kebabCase(op.operationId ?? `${method} ${path}`, method),
        params: params.map((p) => `${p.in}:${p.name}${p.required || p.in === 'path' ? '!' : ''}`).sort(),
        body,
      };
    }
  }
  return out;
}

describe('round trips: media types', () => {
  it('every source body media type is one the exported route accepts', async () => {
    for (const [, source, name] of IMPORTS) {
      const exported = JSON.parse((await cli('openapi', join(dir, 'caps', `${name}.yaml`))).stdout) as Doc;
      const src = parseSource(source);
      for (const [path, item] of Object.entries(src.paths as Record<string, Doc>)) {
        for (const method of METHODS.filter((m) => item[m])) {
          const op = item[method] as Doc;
          const sourceTypes = op.requestBody ? Object.keys(op.requestBody.content) : (op.parameters ?? []).some((p: Doc) => p.in === 'body') ? ['application/json'] : (op.parameters ?? []).some((p: Doc) => p.in === 'formData') ? op.consumes ?? ['application/x-www-form-urlencoded'] : [];
          const exportedTypes = Object.keys(exported.paths[path][method].requestBody?.content ?? {});
          for (const t of sourceTypes) expect(exportedTypes, `${method} ${path}`).toContain(t);
          if (sourceTypes.length === 0) expect(exportedTypes, `${method} ${path}`).toEqual([]);
        }
      }
    }
  });
});

describe('import(export(cap))', () => {
  it.each(ROUND_TRIPS)('%s: exported, imported back, generated (type-checked below)', (file) => {
    const name = file.split('/').pop()!.replace(/\.ya?ml$/, '');
    expect(existsSync(join(out, `back-${name}`, 'routes.ts'))).toBe(true);
    expect(existsSync(join(out, `back-${name}`, 'mcp.ts'))).toBe(true);
    const doc = parse(readFileSync(join(dir, 'caps', `back-${name}.yaml`), 'utf8')) as Doc;
    // The import calls the exported server: its base URI is the REST adapter's address.
    expect(doc.capability.consumes[0].baseUri).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
  });

  it('everything imported or written by `new` type-checks under strict', () => {
    expect(() => typecheck(out)).not.toThrow();
  }, 120_000);
});

describe('the imported capability runs', () => {
  it('REST and MCP calls reach the upstream as the OpenAPI document describes them, with its credential', async () => {
    const upstream = await startRecorder();
    const running = await startGenerated(out, 'pet-store', { baseUris: { 'pet-store': `${upstream.url}/v1` }, env: { PET_STORE_TOKEN: 'pet-token' }, retry: false });
    const client = new Client({ name: 'import-test', version: '1.0.0' });
    try {
      const rest = running.rest[0]!.url;
      const list = await fetch(`${rest}/pets?limit=5&tags=a&tags=b`, { headers: { 'x-request-id': 'r-1' } });
      expect(list.status).toBe(200);
      expect(upstream.requests[0]).toMatchObject({ method: 'GET', path: '/v1/pets', query: [['limit', '5'], ['tags', 'a,b']] });
      expect(upstream.requests[0]!.headers).toMatchObject({ 'x-request-id': 'r-1', authorization: 'Bearer pet-token' });
      // The required header the document declares is enforced before anything goes upstream.
      expect((await fetch(`${rest}/pets`)).status).toBe(400);
      expect(upstream.requests).toHaveLength(1);

      const form = new FormData();
      form.append('file', new Blob([Buffer.from('PNG bytes')]), 'rex.png');
      form.append('caption', 'Rex');
      expect((await fetch(`${rest}/pets/42/photo`, { method: 'POST', body: form })).status).toBe(200);
      const upload = upstream.requests[1]!;
      expect(upload.path).toBe('/v1/pets/42/photo');
      expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data/);
      expect(upload.body.toString('utf8')).toContain('PNG bytes');
      expect(upload.body.toString('utf8')).toContain('Rex');

      await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
      const tools = (await client.listTools()).tools;
      expect(tools.map((t) => t.name)).toEqual(['list-pets', 'create-pet', 'get-pet-by-id', 'replace-pet', 'delete-pet', 'upload-photo', 'patch-owners-owner-id-notes']);
      expect(tools.find((t) => t.name === 'delete-pet')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
      const created = await client.callTool({ name: 'create-pet', arguments: { body: { name: 'Rex', tag: 'dog' } } });
      expect(created.isError).toBeFalsy();
      const post = upstream.requests[2]!;
      expect(post).toMatchObject({ method: 'POST', path: '/v1/pets' });
      expect(JSON.parse(post.body.toString('utf8'))).toEqual({ name: 'Rex', tag: 'dog' });
    } finally {
      await client.close();
      await running.close();
      await upstream.close();
    }
  });

  it('a Swagger 2 API key travels in its header, from the environment', async () => {
    const upstream = await startRecorder();
    const running = await startGenerated(out, 'legacy-shop', { baseUris: { 'legacy-shop': upstream.url }, env: { LEGACY_SHOP_API_KEY: 'k-1' }, retry: false });
    try {
      expect((await fetch(`${running.rest[0]!.url}/orders?status=open`)).status).toBe(200);
      expect(upstream.requests[0]).toMatchObject({ method: 'GET', path: '/orders', query: [['status', 'open']] });
      expect(upstream.requests[0]!.headers['x-api-key']).toBe('k-1');
      const order = await fetch(`${running.rest[0]!.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea","qty":2}' });
      expect(order.status).toBe(200);
      expect(JSON.parse(upstream.requests[1]!.body.toString('utf8'))).toEqual({ item: 'tea', qty: 2 });
    } finally {
      await running.close();
      await upstream.close();
    }
  });
});

describe('names and hints', () => {
  const NAMES: [string, string][] = [
    ['listPets', 'list-pets'],
    ['get_user_byId', 'get-user-by-id'],
    ['Pets.Create', 'pets-create'],
    ['GET /pets/{petId}/photos', 'get-pets-pet-id-photos'],
    ['HTTPServerList', 'http-server-list'],
    ['$$$', 'fallback'],
  ];
  it.each(NAMES)('%s → %s', (given, want) => {
    expect(kebabCase(given, 'fallback')).toBe(want);
  });

  it('names stay unique', () => {
    const names = new UniqueNames();
    expect(['list', 'list', 'list-2', 'list'].map((n) => names.take(n))).toEqual(['list', 'list-2', 'list-2-2', 'list-3']);
  });

  it('hints follow the method; operations without operationId are named from method and path', async () => {
    const doc = {
      openapi: '3.1.0', info: { title: 'Hints', version: '1' }, servers: [{ url: 'https://h.example.com' }],
      paths: {
        '/a': { get: { operationId: 'readA', responses: {} }, post: { operationId: 'readA', responses: {} }, put: { responses: {} }, patch: { responses: {} }, delete: { responses: {} } },
      },
    };
    writeFileSync(join(dir, 'hints.json'), JSON.stringify(doc));
    const run = await cli('import', join(dir, 'hints.json'));
    expect(run.code, run.stderr).toBe(0);
    const tools = (parse(run.stdout) as Doc).capability.exposes[1].tools as Doc[];
    expect(Object.fromEntries(tools.map((t) => [t.name, t.hints]))).toEqual({
      'read-a': { readOnly: true, destructive: false, idempotent: true },
      'read-a-2': { readOnly: false, destructive: false, idempotent: false },
      'put-a': { readOnly: false, destructive: true, idempotent: true },
      'patch-a': { readOnly: false, destructive: false, idempotent: false },
      'delete-a': { readOnly: false, destructive: true, idempotent: true },
    });
  });
});

describe('the import command', () => {
  it('--tag keeps the tagged operations; an unknown tag lists the known ones', async () => {
    const run = await cli('import', `${FIXTURES}/petstore-3.yaml`, '--tag', 'owners');
    expect(run.code).toBe(0);
    const doc = parse(run.stdout) as Doc;
    expect(doc.capability.exposes[1].tools.map((t: Doc) => t.name)).toEqual(['patch-owners-owner-id-notes']);
    expect(run.stdout).toContain('operations tagged "owners"');
    const unknown = await cli('import', `${FIXTURES}/petstore-3.yaml`, '--tag', 'cats');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no operation has the tag "cats"; its tags: owners, pets');
  });

  it('--base-uri replaces the server; a relative server is left empty with a warning', async () => {
    const doc = { openapi: '3.0.0', info: { title: 'Rel', version: '1' }, servers: [{ url: '/api' }], paths: { '/x': { get: { operationId: 'x', responses: {} } } } };
    writeFileSync(join(dir, 'relative.json'), JSON.stringify(doc));
    const plain = await cli('import', join(dir, 'relative.json'));
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('warning: the server URL "/api" is not absolute');
    expect((parse(plain.stdout) as Doc).capability.consumes[0].baseUri).toBe('');
    const given = await cli('import', join(dir, 'relative.json'), '--base-uri', 'https://api.example.com/api/');
    expect((parse(given.stdout) as Doc).capability.consumes[0].baseUri).toBe('https://api.example.com/api');
    expect((await cli('import', join(dir, 'relative.json'), '--base-uri', 'ftp://x')).code).toBe(2);
  });

  it('refuses what it cannot import, clearly, and never overwrites without --force', async () => {
    writeFileSync(join(dir, 'not-openapi.yaml'), 'hello: world\n');
    const notOpenApi = await cli('import', join(dir, 'not-openapi.yaml'));
    expect(notOpenApi.code).toBe(1);
    expect(notOpenApi.stderr).toContain('not an OpenAPI 2 or 3 document');
    writeFileSync(join(dir, 'external.json'), JSON.stringify({ openapi: '3.0.0', info: { title: 'E', version: '1' }, paths: { '/x': { get: { parameters: [{ $ref: 'other.yaml#/p' }], responses: {} } } } }));
    const external = await cli('import', join(dir, 'external.json'));
    expect(external.code).toBe(1);
    expect(external.stderr).toContain('external $ref "other.yaml#/p" is not supported');
    expect((await cli('import', join(dir, 'missing.yaml'))).code).toBe(2);

    const target = join(dir, 'kept.yaml');
    writeFileSync(target, 'mine\n');
    const refused = await cli('import', `${FIXTURES}/petstore-2.json`, '--out', target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already exists; nothing was written (pass --force to replace it)');
    expect(readFileSync(target, 'utf8')).toBe('mine\n');
    expect((await cli('import', `${FIXTURES}/petstore-2.json`, '--out', target, '--force')).code).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('# Imported by naftiko-codegen');
  });
});

describe('the new command', () => {
  it('writes a commented starter that is official alpha2, validates and generated above', async () => {
    const file = join(dir, 'caps', 'starter-demo.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('#')).length).toBeGreaterThan(20);
    expect(official(parse(text)), JSON.stringify(official.errors?.slice(0, 3))).toBe(true);
    expect((await cli('validate', file))).toEqual({ code: 0, stdout: '1 valid, 0 invalid', stderr: '' });
    expect(existsSync(join(out, 'starter-demo', 'server.ts'))).toBe(true);
  });

  it('refuses to overwrite (exit 1, file unchanged) and refuses a name that is not kebab-case (exit 2)', async () => {
    const file = join(dir, 'caps', 'starter-demo.yaml');
    const before = readFileSync(file, 'utf8');
    const again = await cli('new', 'other-name', '--out', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: ${file} already exists; nothing was written (choose another name or --out)`);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const bad = await cli('new', 'My Thing', '--out', join(dir, 'x.yaml'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('e.g. "my-thing"');
    expect(existsSync(join(dir, 'x.yaml'))).toBe(false);
  });
});

describe('help', () => {
  it.each(['generate', 'check', 'validate', 'serve', 'openapi', 'import', 'new'])('%s --help shows an example', async (command) => {
    const run = await cli('help', command);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Examples:\\n  naftiko-codegen ${command}`));
  });
});
