// Conformance, cases the engine's suite does not cover (§8.3 of the shared semantics notes, X1–X4).
import { describe, expect, it } from 'vitest';
import { capability, firstText, withDeployment } from './harness.js';

const spec = capability(`  aggregates:
  - label: Users
    namespace: users-fn
    functions:
    - name: get-user
      description: One user
      call: svc.get-user
      inputParameters: [{name: id, type: string, description: id}]
      with: {id: '{{id}}'}
      outputParameters:
      - {type: object, properties: {name: {type: string, mapping: $.name}}}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /raw/{id}
      operations: [{method: GET, name: raw, call: svc.get-user}]
    - path: /mapped/{id}
      operations:
      - method: GET
        name: mapped
        call: svc.get-user
        outputParameters: [{type: object, properties: {name: {type: string, mapping: $.name}}}]
    - path: /ref/{id}
      operations: [{method: GET, name: by-ref, ref: users-fn.get-user}]
  - type: mcp
    namespace: tools
    port: 9090
    tools:
    - name: delete-user
      description: Deletes a user
      call: svc.delete-user
    - name: search
      description: Searches
      call: svc.search
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - name: user
      path: /users/{{id}}
      operations:
      - {name: get-user, method: GET}
      - {name: delete-user, method: DELETE}
    - name: search
      path: /search
      operations:
      - {name: search, method: GET, inputParameters: [{name: q, in: query}, {name: api-version, in: query, value: '2024-01-01'}]}
`);

describe('conformance: extras', () => {
  it('X1 differs: an upstream 404 keeps its status and JSON body, with or without output parameters (engine: the mapped error body)', async () => {
    await withDeployment(spec, {}, async (d) => {
      d.upstream.reply = () => ({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NotFound"}}' });
      for (const path of ['/raw/u1', '/mapped/u1']) {
        const response = await d.fetch(path);
        expect(response.status, path).toBe(404);
        expect(await response.json(), path).toEqual({ error: { code: 'NotFound' } });
      }
    });
  });

  it('X2 differs: an upstream 204 is a successful tool result that says so (alpha2: isError; Ikanos: empty content)', async () => {
    await withDeployment(spec, {}, async (d) => {
      d.upstream.reply = () => ({ status: 204 });
      const result = await (await d.client()).callTool({ name: 'delete-user', arguments: { id: 'u1' } });
      expect(result.isError ?? false).toBe(false);
      expect(firstText(result)).toBe('HTTP 204 (no content)');
      expect(d.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['DELETE /users/u1']);
    });
  });

  it('X3: an argument nobody declared but named like a consumed query parameter without a value is forwarded; constants are not overridable', async () => {
    await withDeployment(spec, {}, async (d) => {
      const result = await (await d.client()).callTool({ name: 'search', arguments: { q: 'ice class', 'api-version': 'evil' } });
      expect(result.isError ?? false).toBe(false);
      const [sent] = d.upstream.requests;
      const query = new URLSearchParams(sent!.url.split('?')[1]);
      expect(query.get('q')).toBe('ice class');
      expect(query.getAll('api-version')).toEqual(['2024-01-01']);
    });
  });

  it('X4 differs: a `ref` operation whose upstream answers 500 relays the 500 and its body (engine: 200 with the mapped output)', async () => {
    await withDeployment(spec, {}, async (d) => {
      d.upstream.reply = (req) => (req.path === '/users/ok'
        ? { status: 200, contentType: 'application/json', body: '{"name":"Ada","secret":"x"}' }
        : { status: 500, contentType: 'application/json', body: '{"error":"boom"}' });
      const ok = await d.fetch('/ref/ok');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ name: 'Ada' });
      const failed = await d.fetch('/ref/bad');
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ error: 'boom' });
    });
  });

  it('differs (§9.2): `pattern` on an exposed input is enforced with a 400 problem+json and nothing sent (engine: not read); an invalid pattern is a positioned error', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /ships/{imo}
      operations:
      - method: GET
        name: get-ship
        call: svc.get-ship
        inputParameters: [{name: imo, in: path, type: string, description: IMO, pattern: '^IMO-[0-9]{7}$'}]
  consumes:
  - {type: http, namespace: svc, baseUri: http://localhost:1, resources: [{name: s, path: '/ships/{{imo}}', operations: [{name: get-ship, method: GET}]}]}
`), {}, async (d) => {
      const bad = await d.fetch('/ships/IMO-12');
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(d.upstream.requests).toHaveLength(0);
      expect((await d.fetch('/ships/IMO-9321483')).status).toBe(200);
      expect(d.upstream.requests.map((r) => r.url)).toEqual(['/ships/IMO-9321483']);
    });
    await expect(withDeployment(capability(`  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /x
      operations: [{method: GET, name: x, inputParameters: [{name: q, in: query, type: string, description: q, pattern: '([a-z'}], outputParameters: [{type: string, value: ok}]}]
`), {}, async () => {})).rejects.toThrow(/capability\.yaml:\d+:\d+: error: .*pattern is not a valid regular expression/);
  });
});
