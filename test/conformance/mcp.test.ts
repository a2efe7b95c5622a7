// Conformance, MCP adapter: the reference engine's cases M1–M17 (§8.2 of the shared semantics
// notes) against generated code, through raw JSON-RPC over HTTP and the official SDK client.
// A name starting "differs:" asserts our deliberate behaviour; the reason is in the name.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { cli, scratchDir } from '../helpers/cli.js';
import { closedPort } from '../e2e/stack.js';
import { capability, EXAMPLES, firstText, withDeployment } from './harness.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'conformance', version: '1' } } };
const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
type Rpc = { jsonrpc: string; id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } };

const mockTool = (auth = '') => capability(`  exposes:
  - type: mcp
    namespace: auth-mcp
    port: 9090
${auth}    tools:
    - name: test-tool
      description: A mock tool
      outputParameters: [{name: ok, type: string, value: 'yes'}]
`);

describe('conformance: MCP', () => {
  it('M1 differs: initialize answers the SDK\'s negotiated version, only the tools capability and the namespace as server name; stateless, so no Mcp-Session-Id (engine: a session id, 2025-11-25)', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      const response = await d.rpc(INIT);
      expect(response.status).toBe(200);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      const body = await response.json() as Rpc;
      expect(body.result?.protocolVersion).toBe('2025-06-18');
      expect(Object.keys(body.result?.capabilities as object)).toEqual(['tools']);
      expect((body.result?.serverInfo as { name: string }).name).toBe('test-mcp');
    });
  });

  it('M2: notifications/initialized is accepted with 202 and no body', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      const response = await d.rpc({ jsonrpc: '2.0', method: 'notifications/initialized' });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
    });
  });

  it('M3 differs: GET is 405 (no server-initiated stream) and so is DELETE (stateless: no session to end; engine: 200)', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(d.mcp, { method, headers: { accept: 'application/json, text/event-stream' } });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
      }
    });
  });

  it('M4 differs: an empty or malformed body is a -32700 parse error with HTTP 400 (engine: 200); an unknown method is -32601; jsonrpc "1.0" is rejected', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      for (const [body, detail] of [['', 'empty body'], ['{', 'invalid JSON']]) {
        const response = await d.rpc(body);
        expect(response.status).toBe(400);
        const answer = await response.json() as Rpc;
        expect(answer.error?.code).toBe(-32700);
        expect(answer.error?.message).toContain(detail);
      }
      const unknown = await (await d.rpc({ jsonrpc: '2.0', id: 9, method: 'unknown/method' })).json() as Rpc;
      expect(unknown.error?.code).toBe(-32601);
      const badVersion = await d.rpc({ jsonrpc: '1.0', id: 1, method: 'initialize' });
      expect(badVersion.status).toBe(400);
      expect([-32600, -32700]).toContain(((await badVersion.json()) as Rpc).error?.code);
    });
  });

  it('M5 differs: missing params are errors naming the missing field, -32603 from the official SDK\'s schema check (engine: -32602); unknown methods -32601', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-resources-prompts-capability.yaml' }, {}, async (d) => {
      for (const [method, field] of [['tools/call', 'name'], ['resources/read', 'uri'], ['prompts/get', 'name']] as const) {
        const body = await (await d.rpc({ jsonrpc: '2.0', id: 2, method, params: {} })).json() as Rpc;
        expect(body.id).toBe(2);
        expect(body.error?.code, method).toBe(-32603);
        expect(body.error?.message, method).toContain(`"${field}"`);
      }
      expect(((await (await d.rpc({ jsonrpc: '2.0', id: 3, method: 'nope' })).json()) as Rpc).error?.code).toBe(-32601);
    });
  });

  it('M6: calling an unknown tool names it in the answer and calls nothing upstream', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      const client = await d.client();
      const outcome = await client.callTool({ name: 'does-not-exist', arguments: {} }).then((r) => JSON.stringify(r), (e: Error) => e.message);
      expect(outcome).toContain('does-not-exist');
      expect(d.upstream.requests).toHaveLength(0);
    });
  });

  it('M7 differs: a transport failure is an isError result; the base path and the resource path are joined with one "/" (engine: .../v1databases/...)', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, {}, async (d) => {
      const client = await d.client();
      d.upstream.reply = () => json({ results: [{ properties: { Name: { title: [{ text: { content: 'Ada' } }] }, Status: { select: { name: 'Committed' } } } }] });
      const ok = await client.callTool({ name: 'query-database', arguments: { name: 'x' } });
      const [sent] = d.upstream.requests;
      expect(`${sent?.method} ${sent?.url}`).toBe('POST /v1/databases/test-db-id-123/query');
      expect(JSON.parse(sent!.body.toString())).toEqual({ filter: { property: 'Status', select: { equals: 'Committed' } } });
      expect(JSON.parse(firstText(ok))).toEqual([{ name: 'Ada', status: 'Committed' }]);
    });
    await withDeployment({ example: 'tests/mcp/mcp-capability.yaml' }, { baseUris: { 'mock-api': `http://127.0.0.1:${await closedPort()}/v1` } }, async (d) => {
      const failed = await (await d.client()).callTool({ name: 'query-database', arguments: { name: 'x' } });
      expect(failed.isError).toBe(true);
      expect((failed.content as { type: string }[])[0]?.type).toBe('text');
    });
  });

  it('M8: a {{template}} in `with` resolves the argument into the consumed path', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-tool-handler-with-mustache-capability.yaml' }, {}, async (d) => {
      const result = await (await d.client()).callTool({ name: 'get-ship', arguments: { imo: 'IMO-9321483' } });
      expect(d.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ships/IMO-9321483']);
      expect(result.isError ?? false).toBe(false);
    });
  });

  it('M9: a step\'s `with` resolves namespace-qualified references to the tool\'s arguments', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-step-with-namespace-capability.yaml' }, {}, async (d) => {
      d.upstream.reply = () => json({ voyageId: 'VOY-2026-042', status: 'planned' });
      const result = await (await d.client()).callTool({ name: 'get-voyage-manifest', arguments: { voyageId: 'VOY-2026-042' } });
      expect(d.upstream.requests.map((r) => r.url)).toEqual(['/voyages/VOY-2026-042']);
      expect(JSON.parse(firstText(result))).toEqual({ voyageId: 'VOY-2026-042' });
    });
  });

  it('M10: nested object outputs without a top-level mapping; numbers stay numbers', async () => {
    await withDeployment({ example: 'tests/nested-object-output-capability.yaml' }, {}, async (d) => {
      d.upstream.reply = () => json({ imo_number: 'IMO-9321483', vessel_name: 'Northern Star', operational_status: 'active', year_built: 2015, gross_tonnage: 42000, dimensions: { length_overall: 229 } });
      const result = await (await d.client()).callTool({ name: 'get-ship', arguments: { imo: 'IMO-9321483' } });
      const want = { imo: 'IMO-9321483', name: 'Northern Star', status: 'active', specs: { yearBuilt: 2015, tonnage: 42000, length: 229 } };
      expect(JSON.parse(firstText(result))).toEqual(want);
      expect(result.structuredContent).toEqual(want);
    });
  });

  it('M11: hints become annotations in the wire format; the label is the title; unset hints stay unset', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-hints-capability.yaml' }, {}, async (d) => {
      const { tools } = await (await d.client()).listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(byName['read-data']?.title).toBe('Read Data');
      expect(byName['read-data']?.annotations).toEqual({ title: 'Read Data', readOnlyHint: true, openWorldHint: true });
      expect(byName['delete-record']?.title).toBeUndefined();
      expect(byName['delete-record']?.annotations).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false });
      expect(byName['no-hints-tool']?.annotations).toBeUndefined();
    });
  });

  it('M12: aggregate semantics derive hints, explicit hints override field by field, and a tool inherits the function\'s name and description', async () => {
    await withDeployment({ example: 'tests/aggregates/aggregate-hints-override.yaml' }, {}, async (d) => {
      const { tools } = await (await d.client()).listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(byName['read-items']?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
      expect(byName['read-items-open']?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: true });
      expect(byName['delete-item']?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false });
      expect(byName['plain-tool']?.annotations).toBeUndefined();
    });
    await withDeployment({ example: 'tests/aggregates/aggregate-basic.yaml' }, {}, async (d) => {
      const { tools } = await (await d.client()).listTools();
      const inherited = tools.find((t) => t.description === undefined || t.description.length > 0);
      expect(inherited).toBeDefined();
      for (const tool of tools) expect(tool.description ?? '').not.toBe('');
    });
  });

  it('M13: prompts render inline templates, several messages keep their roles, a missing argument leaves its placeholder', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-resources-prompts-capability.yaml' }, {}, async (d) => {
      const client = await d.client();
      const outreach = await client.getPrompt({ name: 'participant-outreach', arguments: { participant_name: 'Alice', product_name: 'Naftiko' } });
      expect(outreach.messages).toHaveLength(1);
      const text = (outreach.messages[0]!.content as { text: string }).text;
      expect(text).toContain('Alice');
      expect(text).toContain('Naftiko');
      expect(text).not.toContain('{{');
      const summary = await client.getPrompt({ name: 'summary-prompt', arguments: { data: 'some data' } });
      expect(summary.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect((summary.messages[0]!.content as { text: string }).text).toContain('{{format}}');
    });
  });

  it('M14: resources/list holds concrete URIs only, templates are listed apart, reads fill template variables, an unknown URI is an error', async () => {
    await withDeployment({ example: 'tests/mcp/mcp-resources-prompts-capability.yaml' }, {}, async (d) => {
      const client = await d.client();
      const { resources } = await client.listResources();
      expect(resources).toEqual([expect.objectContaining({ uri: 'data://databases/pre-release/schema', name: 'database-schema', title: 'Database Schema', mimeType: 'application/json' })]);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'data://users/{userId}/profile', name: 'user-profile', title: 'User Profile' })]);
      const read = await client.readResource({ uri: 'data://users/42/profile' });
      expect(d.upstream.requests.at(-1)!.url).toBe('/v1/databases/42/query');
      expect(read.contents[0]).toMatchObject({ uri: 'data://users/42/profile', mimeType: 'application/json' });
      await expect(client.readResource({ uri: 'data://users/4/2/profile' })).rejects.toThrow();
      await expect(client.readResource({ uri: 'data://does-not-exist' })).rejects.toThrow();
    });
  });

  it('M15: stdio answers initialize, tools/list and ping with exactly one stdout line each (a notification gets none)', async () => {
    const dir = scratchDir('m15');
    try {
      expect((await cli('generate', `${EXAMPLES}/tests/mcp/mcp-stdio-capability.yaml`, '--out', dir)).code).toBe(0);
      const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', join(dir, 'mcp-stdio-capability/server.ts'), '--mcp-transport', 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const lines: string[] = [];
      const reader = createInterface({ input: child.stdout! });
      reader.on('line', (line) => lines.push(line));
      for (const message of [INIT, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { jsonrpc: '2.0', id: 3, method: 'ping' }]) {
        child.stdin!.write(`${JSON.stringify(message)}\n`);
      }
      const deadline = Date.now() + 20_000;
      while (lines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      child.stdin!.end();
      await once(child, 'exit');
      const answers = lines.map((l) => JSON.parse(l) as Rpc);
      expect(answers.map((a) => a.id)).toEqual([1, 2, 3]);
      expect(answers[0]?.result?.protocolVersion).toBe('2025-06-18');
      expect((answers[1]?.result?.tools as { name: string }[]).map((t) => t.name)).toEqual(['query-database']);
      expect(answers[2]?.result).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('M16: bearer and apikey authentication answer 401 for a missing or wrong credential on POST, GET and DELETE; no authentication lets everything through', async () => {
    await withDeployment(mockTool('    authentication: {type: bearer, token: mcp-secret-token-123}\n'), {}, async (d) => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
        expect((await d.rpc(INIT, headers)).status).toBe(401);
        for (const method of ['GET', 'DELETE']) expect((await fetch(d.mcp, { method, headers })).status).toBe(401);
      }
      expect((await d.rpc(INIT, { authorization: 'Bearer mcp-secret-token-123' })).status).toBe(200);
    });
    await withDeployment(mockTool('    authentication: {type: apikey, key: X-MCP-Key, value: abc-key-456, placement: header}\n'), {}, async (d) => {
      expect((await d.rpc(INIT)).status).toBe(401);
      expect((await d.rpc(INIT, { 'x-mcp-key': 'abc-key-457' })).status).toBe(401);
      expect((await d.rpc(INIT, { 'x-mcp-key': 'abc-key-456' })).status).toBe(200);
    });
    await withDeployment(mockTool(), {}, async (d) => {
      expect((await d.rpc(INIT)).status).toBe(200);
      const result = await (await d.client()).callTool({ name: 'test-tool', arguments: {} });
      expect(JSON.parse(firstText(result))).toEqual({ ok: 'yes' });
    });
  });

  it('M17: the tutorial\'s list-ships drops the absent status filter and maps an array; get-ship maps one ship (with the bearer token from binds)', async () => {
    await withDeployment({ example: 'tutorial/step-3-shipyard-auth.yml' }, {}, async (d) => {
      const ship = { imo_number: 'IMO-9321483', vessel_name: 'Northern Star', vessel_type: 'bulk', flag_code: 'NO', operational_status: 'active' };
      d.upstream.reply = (req) => json(req.path.endsWith('/ships') ? [ship] : ship);
      const client = await d.client({ authorization: 'Bearer mcp-token-placeholder' }).catch(() => undefined);
      expect(client, 'the tutorial protects its MCP server with {{MCP_SERVER_TOKEN}} from shared/secrets.yaml').toBeUndefined();
    });
    const { readFileSync } = await import('node:fs');
    const secrets = readFileSync(`${EXAMPLES}/tutorial/shared/secrets.yaml`, 'utf8');
    const token = /mcp-server-token:\s*"?([^"\n]+)"?/.exec(secrets)?.[1] ?? '';
    await withDeployment({ example: 'tutorial/step-3-shipyard-auth.yml' }, {}, async (d) => {
      const ship = { imo_number: 'IMO-9321483', vessel_name: 'Northern Star', vessel_type: 'bulk', flag_code: 'NO', operational_status: 'active' };
      d.upstream.reply = (req) => json(req.path.endsWith('/ships') ? [ship] : ship);
      const client = await d.client({ authorization: `Bearer ${token}` });
      const list = await client.callTool({ name: 'list-ships', arguments: {} });
      expect(list.isError ?? false).toBe(false);
      const listed = d.upstream.requests[0]!;
      expect(listed.path).toMatch(/\/ships$/);
      expect(listed.query.map(([k]) => k)).not.toContain('status');
      const ships = JSON.parse(firstText(list)) as Record<string, unknown>[];
      expect(ships).toHaveLength(1);
      expect(Object.keys(ships[0]!).sort()).toEqual(['flag', 'imo', 'name', 'status', 'type']);
      const one = await client.callTool({ name: 'get-ship', arguments: { imo: 'IMO-9321483' } });
      expect(d.upstream.requests[1]!.path).toMatch(/\/ships\/IMO-9321483$/);
      expect(JSON.parse(firstText(one))).toMatchObject({ imo: 'IMO-9321483', name: 'Northern Star' });
    });
  });
});
