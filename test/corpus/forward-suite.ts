// Issue 3's proof, as a reusable suite: every given capability generates, type-checks under
// strict, and every REST operation and MCP tool forwards exactly the right request to a recording
// upstream. Run over the in-repo fixtures by forward.test.ts (npm test) and over an external
// folder by forward.corpus.test.ts (npm run test:corpus).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CapabilityModel, ExposedInput, RestOperationModel, ToolModel } from '../../generator/model/ir.js';
import type { ServerAuthSpec } from '../../generator/runtime/auth.js';
import { runPipeline } from '../../generator/pipeline.js';
import { cli, scratchDir, typecheck } from '../helpers/cli.js';
import { startRecorder, type Recorded, type Recorder } from './recorder.js';
import { boundValues, expectedUpstream, restValue, sampleValue, type Expected } from './values.js';

/** Capability files under `dir`, without the official tutorial's import-only `shared/` files, and only those the generator supports (the others get one diagnostic; see test/cli). */
export function supportedYaml(dir: string): string[] {
  return listYaml(dir).filter((f) => !f.includes('/tutorial/shared/') && runPipeline(f, { outDir: tmpdir(), validateOnly: true }).model !== undefined);
}

export function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  ).sort();
}

/** Bind variables of a capability as the generated server will resolve them. */
function secretsIn(out: string, model: CapabilityModel): Record<string, string> {
  const secrets: Record<string, string> = { ...BIND_ENV };
  for (const bind of model.binds) {
    if (bind.location === undefined) continue;
    let data: Record<string, unknown>;
    try {
      data = parseYaml(readFileSync(resolve(out, model.name, bind.location), 'utf8')) as Record<string, unknown>;
    } catch {
      continue; // the example references a bind file it does not ship
    }
    for (const [variable, key] of Object.entries(bind.keys)) secrets[variable] = String(data[key]);
  }
  return secrets;
}
const SECRET = 'test-secret-value';
/** The env bind variables of the catalogue files (the synthetic fixtures' and the catalogue's own). */
const BIND_ENV: Record<string, string> = { LARDER_API_KEY: SECRET, MICROSOFT_AZURE_API_KEY: SECRET };

/** Declares the whole suite for `files` (call once per test file, at top level). */
export function forwardSuite(files: readonly string[]): void {
  const out = scratchDir('corpus');
  const models = new Map<string, CapabilityModel>();
  let secretsOf: (model: CapabilityModel) => Record<string, string>;

  beforeAll(async () => {
    secretsOf = (model) => secretsIn(out, model);
    const run = await cli('generate', ...files, '--out', out);
    expect(run.stderr.split('\n').filter((l) => / error: /.test(l))).toEqual([]);
    expect(run.code).toBe(0);
    for (const file of files) {
      const result = runPipeline(file, { outDir: out, validateOnly: true });
      models.set(result.name, result.model!);
    }
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('every generated capability type-checks under strict', () => {
    expect(() => typecheck(out)).not.toThrow();
  }, 180_000);

  function compareUpstream(got: Recorded, want: Expected, context: string): void {
    expect(got, `${context}: no upstream request`).toBeDefined();
    expect(got.method, context).toBe(want.method);
    expect(got.path, context).toBe(want.path);
    expect([...got.query].sort(), context).toEqual([...want.query].sort());
    for (const [name, value] of Object.entries(want.headers)) expect(got.headers[name], `${context} header ${name}`).toBe(value);
    expect(got.headers['x-forwarded-for'], context).toBeUndefined();
    if (want.json !== undefined) expect(JSON.parse(got.body.toString('utf8')), context).toEqual(want.json);
    if (want.form) {
      const type = String(got.headers['content-type']);
      const fields: Record<string, string> = {};
      if (type.startsWith('multipart/')) {
        const boundary = /boundary=(.+)$/.exec(type)![1]!;
        for (const part of got.body.toString('utf8').split(`--${boundary}`)) {
          const m = /name="([^"]+)"[^\r]*\r\n(?:[^\r]+\r\n)*\r\n([\s\S]*)\r\n$/.exec(part);
          if (m) fields[m[1]!] = m[2]!;
        }
      } else {
        for (const [k, v] of new URLSearchParams(got.body.toString('utf8'))) fields[k] = v;
      }
      expect(fields, context).toEqual(want.form);
    }
  }

  /** The REST request a caller would send to supply `values` for the operation's inputs. */
  /** Credentials the adapter's inbound authentication expects. */
  function credentials(auth: ServerAuthSpec | undefined, secrets: Record<string, string>): Record<string, string> {
    const fill = (t: string): string => t.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_m, n: string) => secrets[n] ?? secrets[n.split('.').pop()!] ?? '');
    if (auth?.type === 'bearer') return { authorization: `Bearer ${fill(auth.token)}` };
    if (auth?.type === 'apikey') return { [auth.key.toLowerCase()]: fill(auth.value) };
    if (auth?.type === 'basic') return { authorization: `Basic ${Buffer.from(`${fill(auth.username)}:${fill(auth.password)}`).toString('base64')}` };
    return {};
  }

  function restRequest(base: string, op: RestOperationModel, values: Map<string, unknown>): { url: string; init: RequestInit } {
    let path = op.routePath.replace(/::/g, '\u0000');
    for (const input of op.inputs.filter((i) => i.in === 'path')) path = path.replace(`:${input.routeParam}`, encodeURIComponent(String(values.get(input.name))));
    path = path.replace(/\u0000/g, ':');
    const search = new URLSearchParams();
    const headers: Record<string, string> = {};
    let body: string | FormData | undefined;
    const form = op.inputs.filter((i) => i.in === 'formData');
    const fields = op.inputs.filter((i) => i.in === 'body' && i.bodyPath !== undefined);
    for (const input of op.inputs) {
      const v = values.get(input.name);
      if (v === undefined) continue;
      if (input.in === 'query') for (const item of Array.isArray(v) ? v : [v]) search.append(input.name, typeof item === 'object' ? JSON.stringify(item) : String(item));
      if (input.in === 'header') headers[input.name.toLowerCase()] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (input.in === 'body' && input.bodyPath === undefined) {
        body = JSON.stringify(v);
        headers['content-type'] = 'application/json';
      }
    }
    if (form.length) {
      if (form.some((i) => i.type === 'file')) {
        const data = new FormData();
        for (const i of form) {
          const v = values.get(i.name);
          if (i.type === 'file') data.append(i.name, new Blob([Buffer.from(String(v), 'base64')]), 'f.bin');
          else data.append(i.name, typeof v === 'object' ? JSON.stringify(v) : String(v));
        }
        body = data;
      } else {
        body = new URLSearchParams(form.map((i): [string, string] => [i.name, String(values.get(i.name))])).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
    }
    if (fields.length) {
      // Place each value where its JSONPath reads it from ($.user.id → {"user":{"id":…}}).
      const root: Record<string, unknown> = {};
      for (const i of fields) {
        const keys = [...i.bodyPath!.matchAll(/\.([^.[\]]+)|\['([^']+)'\]/g)].map((m) => m[1] ?? m[2]!);
        let node = root;
        keys.slice(0, -1).forEach((k) => (node = (node[k] ??= {}) as Record<string, unknown>));
        node[keys[keys.length - 1]!] = values.get(i.name);
      }
      body = JSON.stringify(root);
      headers['content-type'] = 'application/json';
    }
    const query = search.toString();
    return { url: `${base}${path}${query ? `?${query}` : ''}`, init: { method: op.method, headers, ...(body !== undefined ? { body } : {}) } };
  }

  describe.each(files.map((f) => [f.split('/').pop()!.replace(/\.ya?ml$/, '')]))('%s', (name) => {
    let upstream: Recorder;
    let running: { readonly rest: readonly { url: string }[]; readonly mcp: readonly { url: string }[]; close(): Promise<void> };
    let model: CapabilityModel;

    beforeAll(async () => {
      model = models.get(name)!;
      upstream = await startRecorder();
      const mod = (await import(pathToFileURL(join(out, name, 'index.ts')).href)) as { definition: never };
      const runtime = (await import(pathToFileURL(join(out, '_runtime', 'index.ts')).href)) as typeof import('../../generator/runtime/index.js');
      running = await runtime.startCapability(mod.definition, {
        restPort: 0,
        mcpPort: 0,
        mcpTransport: 'http',
        baseUris: Object.fromEntries(model.consumes.map((c) => [c.namespace, upstream.url])),
        env: BIND_ENV,
        retry: false,
        timeoutMs: 5_000,
        // Every call must reach the upstream: cacheable operations (semantics.cacheable) would
        // otherwise answer repeated calls from the cache (test/e2e/cache.test.ts covers that).
        cache: false,
      });
    });
    afterAll(async () => {
      await running?.close();
      await upstream?.close();
    });

    it('forwards every REST operation exactly', async () => {
      if (running.rest.length === 0) return;
      const base = running.rest[0]!.url;
      for (const op of model.rest.flatMap((r) => r.operations)) {
        // A Content-Type header input is also the body's media type: give it one Fastify can parse.
        const exposed = new Map<string, unknown>(op.inputs.map((i: ExposedInput) => [i.name, i.in === 'header' && i.name.toLowerCase() === 'content-type' ? 'application/json' : restValue(i)]));
        const { url, init } = restRequest(base, op, exposed);
        init.headers = { ...(init.headers as Record<string, string>), ...credentials(model.rest[0]!.auth, secretsOf(model)) };
        upstream.requests.length = 0;
        const response = await fetch(url, init);
        const context = `${op.method} ${op.path} (${op.name})`;
        const answer = await response.text();
        expect(response.status, `${context}: ${answer}`).toBe(200);
        if (!op.call) {
          const calls = op.orchestration?.steps.filter((st) => st.kind === 'call').length ?? 0;
          expect(upstream.requests, `${context} (${calls ? 'orchestration' : 'mock'})`).toHaveLength(calls);
          continue;
        }
        expect(upstream.requests, context).toHaveLength(1);
        const call = op.call;
        compareUpstream(upstream.requests[0]!, expectedUpstream(call.consumes, call.operation, boundValues(call, exposed), secretsOf(model)), context);
        if (op.method !== 'HEAD' && op.output.kind === 'passthrough') expect(JSON.parse(answer), context).toEqual({ echo: { method: op.method, url: upstream.requests[0]!.url } });
      }
    });

    it('forwards every MCP tool exactly', async () => {
      if (running.mcp.length === 0) return;
      const client = new Client({ name: 'corpus-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url), { requestInit: { headers: credentials(model.mcp[0]!.auth, secretsOf(model)) } }));
      try {
        const listed = await client.listTools();
        expect(listed.tools.map((t) => t.name).sort()).toEqual(model.mcp.flatMap((m) => m.tools.map((t) => t.name)).sort());
        for (const tool of model.mcp.flatMap((m) => m.tools) as ToolModel[]) {
          const args = Object.fromEntries(tool.inputs.map((i) => [i.name, sampleValue(i)]));
          upstream.requests.length = 0;
          const result = await client.callTool({ name: tool.name, arguments: args });
          const context = `tool ${tool.name}`;
          expect(result.isError ?? false, `${context}: ${JSON.stringify(result.content)}`).toBe(false);
          if (!tool.call) {
            const calls = tool.orchestration?.steps.filter((st) => st.kind === 'call').length ?? 0;
            expect(upstream.requests, `${context} (${calls ? 'orchestration' : 'mock'})`).toHaveLength(calls);
            continue;
          }
          expect(upstream.requests, context).toHaveLength(1);
          const call = tool.call;
          compareUpstream(upstream.requests[0]!, expectedUpstream(call.consumes, call.operation, boundValues(call, new Map(Object.entries(args))), secretsOf(model)), context);
          if (call.operation.method === 'HEAD') expect(result.structuredContent, context).toMatchObject({ status: 200 });
          else if (tool.output.kind === 'passthrough') expect(result.structuredContent, context).toEqual({ echo: { method: call.operation.method, url: upstream.requests[0]!.url } });
        }
      } finally {
        await client.close();
      }
    });
  });
}
