// Streamable HTTP served from one prebuilt server: many SDK clients at once get their own
// answers; a caller that disconnects abandons its upstream request; `--mcp-sessions` gives
// session ids, GET streams and DELETE, with a cap on the number of sessions.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { AUTH, RESOURCE, startStack } from './stack.js';

const TOOL = 'microsoft-azure-get-identity-oauth2';
const HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const init = (version: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } } });

describe('stateless Streamable HTTP', () => {
  it('answers concurrent SDK clients from one server, each with its own ids; negotiates the newest version and down for older clients', async () => {
    const stack = await startStack();
    try {
      const clients = await Promise.all(Array.from({ length: 8 }, async () => {
        const c = new Client({ name: 'c', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(stack.mcp), { requestInit: { headers: AUTH } }));
        return c;
      }));
      const results = await Promise.all(clients.flatMap((c) => [1, 2, 3].map(() => c.callTool({ name: TOOL, arguments: { resource: RESOURCE } }))));
      for (const r of results) expect(r.isError ?? false).toBe(false);
      await Promise.all(clients.map((c) => c.close()));
      const newest = await (await fetch(stack.mcp, { method: 'POST', headers: HEADERS, body: init(LATEST_PROTOCOL_VERSION) })).json() as { result: { protocolVersion: string } };
      expect(newest.result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
      const older = await (await fetch(stack.mcp, { method: 'POST', headers: HEADERS, body: init('2024-11-05') })).json() as { result: { protocolVersion: string } };
      expect(older.result.protocolVersion).toBe('2024-11-05');
    } finally {
      await stack.close();
    }
  });

  it('a caller that disconnects mid-call abandons the upstream request (the mock sees it end)', async () => {
    const stack = await startStack({ timeoutMs: 20_000 });
    try {
      stack.mock.setFaults([{ hang: true }]);
      const ended = new Promise<void>((resolve) => { stack.mock.options.onRequestComplete = () => resolve(); });
      const controller = new AbortController();
      const call = fetch(stack.mcp, { method: 'POST', headers: HEADERS, signal: controller.signal, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: TOOL, arguments: { resource: RESOURCE } } }) });
      setTimeout(() => controller.abort(), 300);
      await expect(call).rejects.toThrow();
      await ended;
      stack.mock.clearFaults();
    } finally {
      await stack.close();
    }
  });
});

describe('--mcp-sessions', () => {
  it('issues Mcp-Session-Id, serves the SDK client, ends a session on DELETE, and refuses initialize beyond the cap (no unbounded growth)', async () => {
    const stack = await startStack({ mcpSessions: true, mcpMaxSessions: 5 });
    try {
      const client = new Client({ name: 's', version: '1' });
      const transport = new StreamableHTTPClientTransport(new URL(stack.mcp), { requestInit: { headers: AUTH } });
      await client.connect(transport);
      expect(transport.sessionId).toBeTruthy();
      expect((await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } })).isError ?? false).toBe(false);
      // A flood of initialize requests: only the cap's worth of sessions is created.
      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(stack.mcp, { method: 'POST', headers: HEADERS, body: init('2025-06-18') })));
      const ids = new Set(answers.filter((a) => a.status === 200).map((a) => a.headers.get('mcp-session-id')));
      await Promise.all(answers.map((a) => a.body?.cancel()));
      expect(ids.size).toBe(4);
      expect(answers.filter((a) => a.status === 503)).toHaveLength(36);
      // DELETE ends one; then one new session fits again.
      const [first] = [...ids];
      const deleted = await fetch(stack.mcp, { method: 'DELETE', headers: { ...HEADERS, 'mcp-session-id': first! } });
      expect(deleted.status).toBe(200);
      expect((await fetch(stack.mcp, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': first! }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) })).status).toBe(404);
      const again = await fetch(stack.mcp, { method: 'POST', headers: HEADERS, body: init('2025-06-18') });
      expect(again.status).toBe(200);
      await again.body?.cancel();
      await client.close();
    } finally {
      await stack.close();
    }
  });
});
