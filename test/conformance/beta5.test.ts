// Ikanos beta5 behaviour beyond the alpha2 shape, end to end through a generated server: the MCP
// adapter's `ttlMs` / `cacheScope` ride on its results as caching hints, the way the engine
// appends them; `display` is the tool title; binary outputs relay the upstream bytes (REST with
// their or `outputMediaType`'s content type, MCP as image/audio content or an embedded blob) and
// `maxBinarySize` turns a larger answer into a 502 problem / a tool error.
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

const binary = `ikanos: "1.0.0-beta5"
info:
  display: Photos
  description: Binary outputs
capability:
  consumes:
    - namespace: photos
      type: http
      baseUri: https://photos.example.org
      resources:
        photo:
          path: /photos/{{id}}
          operations:
            download:
              method: GET
              outputRawFormat: binary
              outputMediaType: image/png
              maxBinarySize: 1KiB
              inputParameters:
                id:
                  in: path
        document:
          path: /documents/{{id}}
          operations:
            fetch-document:
              method: GET
              outputRawFormat: binary
              inputParameters:
                id:
                  in: path
  exposes:
    - type: rest
      namespace: photos-api
      port: 8080
      resources:
        photo:
          path: /photos/{{id}}
          operations:
            get-photo:
              method: GET
              inputParameters:
                id:
                  in: path
                  type: string
                  description: Photo id
              call: photos.download
              with:
                id: photos-api.id
    - type: mcp
      namespace: photos-mcp
      port: 3001
      maxBinarySize: 16B
      tools:
        get-photo:
          description: A photo
          inputParameters:
            id:
              type: string
              description: Photo id
          call: photos.download
          with:
            id: photos-mcp.id
        get-document:
          description: A document
          inputParameters:
            id:
              type: string
              description: Document id
          call: photos.fetch-document
          with:
            id: photos-mcp.id
      resources:
        photo-bytes:
          display: Photo bytes
          uri: photos://library/{id}/bytes
          description: The bytes of a photo
          binary: true
          call: photos.download
          with:
            id: "{id}"
`;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 250, 251, 252]);
const PDF = Buffer.from('%PDF\u00ff\u00fe', 'latin1');

describe('beta5 binary outputs', () => {
  it('REST relays the bytes with outputMediaType; MCP answers image content or an embedded blob; maxBinarySize (operation, adapter) is a 502 / tool error', async () => {
    await withDeployment(binary, {}, async (d) => {
      d.upstream.reply = (req) => {
        if (req.path.startsWith('/photos/big')) return { status: 200, contentType: 'application/octet-stream', body: Buffer.alloc(4096, 7) };
        if (req.path.startsWith('/photos/')) return { status: 200, contentType: 'application/octet-stream', body: PNG };
        if (req.path.startsWith('/documents/large')) return { status: 200, contentType: 'application/pdf', body: Buffer.alloc(17, 1) };
        return { status: 200, contentType: 'application/pdf', body: PDF };
      };
      const rest = await d.fetch('/photos/p1');
      expect(rest.status).toBe(200);
      expect(rest.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await rest.arrayBuffer()).equals(PNG)).toBe(true);

      const big = await d.fetch('/photos/big');
      expect(big.status).toBe(502);
      expect(big.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await big.text()).toContain('exceeds 1024 bytes');

      const client = await d.client();
      const photo = await client.callTool({ name: 'get-photo', arguments: { id: 'p1' } });
      expect(photo.isError ?? false).toBe(false);
      expect(photo.content).toEqual([{ type: 'image', mimeType: 'image/png', data: PNG.toString('base64') }]);
      const tooBig = await client.callTool({ name: 'get-photo', arguments: { id: 'big' } });
      expect(tooBig.isError).toBe(true);
      const doc = await client.callTool({ name: 'get-document', arguments: { id: 'd1' } });
      expect(doc.content).toEqual([{ type: 'resource', resource: { uri: 'data:response', mimeType: 'application/pdf', blob: PDF.toString('base64') } }]);
      const read = await client.readResource({ uri: 'photos://library/p1/bytes' });
      expect(read.contents).toEqual([{ uri: 'photos://library/p1/bytes', mimeType: 'image/png', blob: PNG.toString('base64') }]);
      // The MCP adapter's own maxBinarySize (16B) is smaller than the operation's (1KiB).
      const large = await client.callTool({ name: 'get-document', arguments: { id: 'large' } });
      expect(large.isError).toBe(true);
      expect(JSON.stringify(large.content)).toContain('exceeds 16 bytes');
    });
  });
});

// `in: environment` (beta5): the value comes from the server's environment and is used by
// templates; nothing named after it travels upstream, and the caller cannot set it.
const environment = `ikanos: "1.0.0-beta5"
info:
  display: Regions
  description: Environment inputs
capability:
  consumes:
    - namespace: regions
      type: http
      baseUri: https://regions.example.org
      resources:
        region:
          path: /regions/{{id}}
          operations:
            get-region:
              method: GET
              inputParameters:
                id:
                  in: path
                DEPLOY_REGION:
                  in: environment
                X-Region:
                  in: header
                  value: "{{DEPLOY_REGION}}"
  exposes:
    - type: rest
      namespace: regions-api
      port: 8080
      resources:
        region:
          path: /regions/{{id}}
          operations:
            get-region:
              method: GET
              inputParameters:
                id:
                  in: path
                  type: string
                  description: Region id
              call: regions.get-region
              with:
                id: regions-api.id
`;

describe('beta5 environment inputs', () => {
  it('are read from the environment and never sent upstream as their own header', async () => {
    await withDeployment(environment, { env: { DEPLOY_REGION: 'westeurope' } }, async (d) => {
      const response = await d.fetch('/regions/r1?DEPLOY_REGION=evil', { headers: { 'DEPLOY_REGION': 'evil' } });
      expect(response.status).toBe(200);
      const sent = d.upstream.requests.at(-1)!;
      expect(sent.path).toBe('/regions/r1');
      expect(sent.headers['x-region']).toBe('westeurope');
      expect(sent.headers['deploy_region']).toBeUndefined();
      expect(sent.query).toEqual([]);
    });
  });

  it('a missing variable is a configuration problem naming it, not a call with an empty value', async () => {
    await withDeployment(environment, { env: {} }, async (d) => {
      const response = await d.fetch('/regions/r1');
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.text()).toContain('DEPLOY_REGION');
      expect(d.upstream.requests).toHaveLength(0);
    });
  });
});
