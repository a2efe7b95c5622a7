// The generated MCP tools through the official SDK client, over Streamable HTTP and stdio.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTH, NS, PROXY_TOKEN, RESOURCE, startStack } from './stack.js';

const TOOL = 'microsoft-azure-get-identity-oauth2';
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.mock.clearFaults();
  stack.mock.clearRequests();
});

async function exercise(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === TOOL)!;
  expect(tool).toBeDefined();
  expect(tool.inputSchema.required).toEqual(['resource']);
  expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(['resource', 'client_id', 'object_id', 'msi_res_id', 'authority', 'bypass_cache']);
  expect((tool.inputSchema.properties as Record<string, { description?: string }>).client_id!.description).toMatch(/client id/);
  expect(tool.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });

  const ok = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
  expect(ok.isError ?? false).toBe(false);
  expect(ok.structuredContent).toMatchObject({ resource: RESOURCE, token_type: 'Bearer' });
  expect(String((ok.structuredContent as { access_token: string }).access_token)).toMatch(/^eyJ/);
  expect((ok.content as { type: string; text: string }[])[0]!.text).toContain('"token_type":"Bearer"');

  const failed = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE, client_id: 'nope' } });
  expect(failed.isError).toBe(true);
  const text = (failed.content as { text: string }[])[0]!.text;
  expect(text).toContain('400');
  expect(text).toContain('Identity not found');

  const before = stack.mock.requests.length;
  const missing = await client.callTool({ name: TOOL, arguments: {} });
  expect(missing.isError).toBe(true);
  expect(stack.mock.requests.length).toBe(before);
}

describe('MCP over Streamable HTTP', () => {
  it('lists and calls the tool; upstream errors are tool errors', async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcp), { requestInit: { headers: AUTH } }));
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  });

  it('non-JSON answers never break the tool: text stays text', async () => {
    const client = new Client({ name: 'e2e-text', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcp), { requestInit: { headers: AUTH } }));
    try {
      stack.mock.setFaults([{ status: 200, body: 'plain text answer', contentType: 'text/plain' }]);
      const text = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
      expect(text.isError ?? false).toBe(false);
      expect((text.content as { text: string }[])[0]!.text).toBe('plain text answer');
      stack.mock.setFaults([{ status: 200, body: 'not json {', contentType: 'application/json' }]);
      const broken = await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } });
      expect(broken.isError ?? false).toBe(false);
      expect((broken.content as { text: string }[])[0]!.text).toBe('not json {');
    } finally {
      await client.close();
    }
  });

  it('GET /mcp → 405; a foreign Host → 403 (DNS-rebinding protection)', async () => {
    expect((await fetch(stack.mcp, { headers: AUTH })).status).toBe(405);
    expect((await fetch(stack.mcp)).status).toBe(401);
    const url = new URL(stack.mcp);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: url.port, path: '/mcp', method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    });
    expect(status).toBe(403);
  });
});

describe('MCP over stdio (the generated server as a child process)', () => {
  it('lists and calls the tool', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['node_modules/tsx/dist/cli.mjs', 'generated/azure-imds-get-token/server.ts', '--mcp-transport', 'stdio', '--rest-port', '0', '--base-uri', `${NS}=${stack.mock.baseUri}`],
      // stdio is not a network surface: the process that spawns the server is the caller.
      env: { ...(process.env as Record<string, string>), IMDS_PROXY_TOKEN: PROXY_TOKEN },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  }, 30_000);
});
