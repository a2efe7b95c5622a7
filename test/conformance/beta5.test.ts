// Ikanos beta5 behaviour beyond the alpha2 shape, end to end through a generated server: the MCP
// adapter's `ttlMs` / `cacheScope` ride on its results as caching hints, the way the engine
// appends them; `display` is the tool title; an adapter without them answers plain results.
import { describe, expect, it } from 'vitest';
import { withDeployment } from './harness.js';

const spec = (hints: string): string => `ikanos: "1.0.0-beta5"
info:
  display: Cache hints
  description: ttlMs and cacheScope
capability:
  exposes:
    - type: mcp
      namespace: hints
      port: 3001
${hints}      tools:
        hello:
          display: Hello
          description: Says hello
          outputParameters:
            greeting:
              type: string
              value: hi
`;

async function rpc(d: { rpc(body: unknown, headers?: Record<string, string>): Promise<Response> }, method: string, params: object): Promise<Record<string, unknown>> {
  const response = await d.rpc({ jsonrpc: '2.0', id: 1, method, params });
  const text = await response.text();
  const json = text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)?.[1] ?? '{}';
  return (JSON.parse(json) as { result: Record<string, unknown> }).result;
}

describe('beta5 MCP caching hints', () => {
  it('ttlMs and cacheScope are on tools/list and tools/call results', async () => {
    await withDeployment(spec('      ttlMs: 60000\n      cacheScope: private\n'), {}, async (d) => {
      const list = await rpc(d, 'tools/list', {});
      expect(list).toMatchObject({ ttlMs: 60000, cacheScope: 'private' });
      expect((list.tools as { name: string; title?: string }[])[0]).toMatchObject({ name: 'hello', title: 'Hello' });
      const call = await rpc(d, 'tools/call', { name: 'hello', arguments: {} });
      expect(call).toMatchObject({ ttlMs: 60000, cacheScope: 'private' });
      expect(call.isError ?? false).toBe(false);
      expect(JSON.stringify(call.content)).toContain('hi');
      // The SDK client reads the same result.
      const client = await d.client();
      const result = await client.callTool({ name: 'hello', arguments: {} });
      expect(result.isError ?? false).toBe(false);
    });
  });

  it('without them, results carry no hints', async () => {
    await withDeployment(spec(''), {}, async (d) => {
      const list = await rpc(d, 'tools/list', {});
      expect(list.ttlMs).toBeUndefined();
      expect(list.cacheScope).toBeUndefined();
    });
  });
});
