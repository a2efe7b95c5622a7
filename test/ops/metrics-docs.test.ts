// Prometheus metrics (opt-in, one registry per server) and the Swagger UI at /docs, in-process
// against the mock IMDS over loopback.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapability } from '../../generated/_runtime/index.js';
import { definition } from '../../generated/azure-imds-get-token/index.js';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';

const NS = 'instancemetadataclient-get-token';
const TOKEN = 'metrics-proxy-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const RESOURCE = 'https://management.azure.com/';
const TOOL = 'microsoft-azure-get-identity-oauth2';

let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock.close());

const start = (metrics: boolean) =>
  startCapability(definition, { restPort: 0, mcpPort: 0, baseUris: { [NS]: mock.baseUri }, env: { IMDS_PROXY_TOKEN: TOKEN }, retry: false, metrics, cache: false });

/** Exposition text → `name{labels}` → value (comments skipped). */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

describe('/metrics', () => {
  it('counts requests, upstream calls and tool calls, per server', async () => {
    const [a, b] = await Promise.all([start(true), start(true)]);
    try {
      const rest = a.rest[0]!.url;
      expect((await fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, { headers: AUTH })).status).toBe(200);
      expect((await fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}&client_id=nope`, { headers: AUTH })).status).toBe(400);
      const client = new Client({ name: 'ops-metrics', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(a.mcp[0]!.url), { requestInit: { headers: AUTH } }));
      try {
        expect((await client.callTool({ name: TOOL, arguments: { resource: RESOURCE } })).isError ?? false).toBe(false);
        // Invalid arguments and unknown tools are answered by the SDK before any tool runs: still counted.
        expect((await client.callTool({ name: TOOL, arguments: {} })).isError).toBe(true);
        expect((await client.callTool({ name: 'no-such-tool', arguments: {} })).isError).toBe(true);
      } finally {
        await client.close();
      }

      const response = await fetch(`${rest}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const m = parseMetrics(await response.text());
      const route = 'route="/v1/identity/oauth2/token"';
      expect(m.get(`naftiko_http_requests_total{method="GET",${route},status="200"}`)).toBe(1);
      expect(m.get(`naftiko_http_requests_total{method="GET",${route},status="400"}`)).toBe(1);
      expect(m.get(`naftiko_http_request_duration_seconds_count{method="GET",${route},status="200"}`)).toBe(1);
      expect(m.get(`naftiko_http_request_duration_seconds_bucket{le="+Inf",method="GET",${route},status="200"}`)).toBe(1);
      const op = `namespace="${NS}",operation="microsoftazureidentitygettoken"`;
      // REST 200 + REST 400 + the successful tool call; the tool call without arguments never went upstream.
      expect(m.get(`naftiko_upstream_requests_total{${op},status="200"}`)).toBe(2);
      expect(m.get(`naftiko_upstream_requests_total{${op},status="400"}`)).toBe(1);
      expect(m.get(`naftiko_upstream_request_duration_seconds_count{${op}}`)).toBe(3);
      expect(m.get(`naftiko_mcp_tool_calls_total{tool="${TOOL}",outcome="success"}`)).toBe(1);
      expect(m.get(`naftiko_mcp_tool_calls_total{tool="${TOOL}",outcome="error"}`)).toBe(1);
      expect(m.get('naftiko_mcp_tool_calls_total{tool="(unknown)",outcome="error"}')).toBe(1);
      expect(m.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);

      // The MCP port serves the same registry; the other server in this process has its own.
      const fromMcpPort = parseMetrics(await (await fetch(`${new URL(a.mcp[0]!.url).origin}/metrics`)).text());
      expect(fromMcpPort.get(`naftiko_mcp_tool_calls_total{tool="${TOOL}",outcome="success"}`)).toBe(1);
      const other = parseMetrics(await (await fetch(`${b.rest[0]!.url}/metrics`)).text());
      expect(other.get(`naftiko_http_requests_total{method="GET",${route},status="200"}`)).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('is off by default', async () => {
    const running = await start(false);
    try {
      const response = await fetch(`${running.rest[0]!.url}/metrics`);
      expect(response.status).not.toBe(200);
      expect(await response.text()).not.toContain('naftiko_http_requests_total');
    } finally {
      await running.close();
    }
  });
});

describe('/docs', () => {
  it('serves Swagger UI pointed at /openapi.json, its assets with their content types, nothing else', async () => {
    const running = await start(false);
    try {
      const rest = running.rest[0]!.url;
      for (const path of ['/docs', '/docs/']) {
        const page = await fetch(`${rest}${path}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await page.text();
        expect(html).toContain('<div id="swagger-ui"></div>');
        expect(html).toContain('src="/docs/swagger-ui-bundle.js"');
        expect(html).toContain('src="/docs/swagger-initializer.js"');
      }
      const init = await fetch(`${rest}/docs/swagger-initializer.js`);
      expect(init.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const script = await init.text();
      expect(script).toContain('url: "/openapi.json"');
      expect(script).not.toContain('petstore');

      const css = await fetch(`${rest}/docs/swagger-ui.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await css.text()).toContain('.swagger-ui');
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']) {
        const js = await fetch(`${rest}/docs/${file}`);
        expect(js.status).toBe(200);
        expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
      }
      for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/%2e%2e%2fswagger-ui-dist%2fpackage.json', '/docs/nope.js']) {
        const response = await fetch(`${rest}${path}`);
        expect(response.status, path).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await running.close();
    }
  });
});
