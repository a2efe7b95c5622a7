// Conformance, REST adapter: the reference engine's cases R1–R23 (docs/semantics.md §8.1 of the
// shared semantics notes), run against generated code over loopback with a recording upstream.
// A name starting "differs:" asserts our deliberate behaviour where the engine is buggy or unsafe.
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { capability, deploy, EXAMPLES, withDeployment } from './harness.js';

const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });

describe('conformance: REST', () => {
  it('R1: a path input reaches the consumed path through a {{template}} in `with`', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: shipyard-api
    port: 8080
    resources:
    - path: /ships/{{imo}}
      operations:
      - method: GET
        name: get-ship
        inputParameters: [{name: imo, in: path, type: string}]
        call: registry.get-ship
        with: {imo_number: "{{imo}}"}
  consumes:
  - type: http
    namespace: registry
    baseUri: http://localhost:1
    resources:
    - {name: ship, path: "/ships/{{imo_number}}", operations: [{name: get-ship, method: GET}]}
`), {}, async (d) => {
      d.upstream.reply = () => json({ imo_number: 'IMO-9321483', vessel_name: 'Northern Star' });
      const response = await d.fetch('/ships/IMO-9321483');
      expect(d.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ships/IMO-9321483']);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ imo_number: 'IMO-9321483', vessel_name: 'Northern Star' });
    });
  });

  it('R2: a namespace reference fills a block-scalar body template; the upstream status is relayed', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: shipyard-api
    port: 8080
    resources:
    - path: /voyages
      operations:
      - method: POST
        name: create-voyage
        inputParameters: [{name: shipImo, in: body, type: string}]
        call: registry.create-voyage
        with: {shipImo: shipyard-api.shipImo}
  consumes:
  - type: http
    namespace: registry
    baseUri: http://localhost:1
    resources:
    - name: voyages
      path: /voyages
      operations:
      - name: create-voyage
        method: POST
        body: |
          {"shipImo": "{{shipImo}}"}
`), {}, async (d) => {
      d.upstream.reply = () => ({ status: 201, contentType: 'application/json', body: '{"voyageId":"VOY-001","shipImo":"IMO-9321483"}' });
      const response = await d.fetch('/voyages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"shipImo":"IMO-9321483"}' });
      const [sent] = d.upstream.requests;
      expect(sent?.method).toBe('POST');
      expect(sent?.body.toString()).toBe('{"shipImo": "IMO-9321483"}\n');
      expect(sent?.headers['content-type']).toMatch(/^application\/json/);
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ voyageId: 'VOY-001', shipImo: 'IMO-9321483' });
    });
  });

  it('R3: body inputs extracted by JSONPath ($.user.id) fill the consumed body template', async () => {
    await withDeployment({ example: 'tests/http/http-body-capability.yaml' }, {}, async (d) => {
      d.upstream.reply = () => ({ status: 202, contentType: 'application/json', body: '{"created":true}' });
      const response = await d.fetch('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":{"id":"123","name":"Alice"}}' });
      const [sent] = d.upstream.requests;
      expect(`${sent?.method} ${sent?.url}`).toBe('POST /create');
      expect(JSON.parse(sent!.body.toString())).toEqual({ id: '123', name: 'Alice' });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ created: true });
    });
  });

  it('R4: a query template gets the raw value (q=999, not "999"); an adapter-level constant header is sent; no body', async () => {
    await withDeployment({ example: 'tests/http/http-header-query-capability.yaml' }, {}, async (d) => {
      const response = await d.fetch('/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":{"id":"999"}}' });
      expect(response.status).toBe(200);
      const [sent] = d.upstream.requests;
      expect(`${sent?.method} ${sent?.url}`).toBe('POST /items?q=999');
      expect(sent?.headers['x-api-key']).toBe('ABC123');
      expect(sent?.body.length).toBe(0);
    });
  });

  const forwardSpec = capability(`  exposes:
  - type: rest
    namespace: proxy
    port: 8080
    resources:
    - path: /notion/{{path}}
      forward: {targetNamespace: notion, trustedHeaders: [Notion-Version]}
    - path: /proxy/{{path}}
      forward: {targetNamespace: upstream, trustedHeaders: [X-Trace]}
  consumes:
  - type: http
    namespace: notion
    baseUri: http://localhost:1/v1
    inputParameters: [{name: Notion-Version, in: header, value: '2025-09-03'}]
    resources: []
  - type: http
    namespace: upstream
    baseUri: http://localhost:1
    resources: []
`);

  it('R5: forward adds the consumed namespace header and relays the JSON answer', async () => {
    await withDeployment(forwardSpec, {}, async (d) => {
      d.upstream.reply = () => json({ ok: true });
      const response = await d.fetch('/notion/pages');
      const [sent] = d.upstream.requests;
      expect(`${sent?.method} ${sent?.url}`).toBe('GET /v1/pages');
      expect(sent?.headers['notion-version']).toBe('2025-09-03');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ ok: true });
    });
  });

  it('R6: forward propagates trusted headers only and relays a text answer', async () => {
    await withDeployment(forwardSpec, {}, async (d) => {
      d.upstream.reply = (req) => ({ status: 200, contentType: 'text/plain', body: String(req.headers['x-trace']) });
      const response = await d.fetch('/proxy/echo', { headers: { 'x-trace': 'abc-123', 'x-untrusted': 'no' } });
      const [sent] = d.upstream.requests;
      expect(sent?.url).toBe('/echo');
      expect(sent?.headers['x-trace']).toBe('abc-123');
      expect(sent?.headers['x-untrusted']).toBeUndefined();
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('abc-123');
    });
  });

  it('R7 differs: an unhandled method is 404 problem+json (engine: 404 text), and a call without a dot is rejected when generating (engine: 400 at request time)', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: t
    port: 8080
    resources:
    - path: /test
      operations: [{method: GET, name: test, outputParameters: [{name: ok, type: string, value: yes}]}]
`), {}, async (d) => {
      const response = await d.fetch('/test', { method: 'POST' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(d.upstream.requests).toHaveLength(0);
    });
    const dir = (await import('../helpers/cli.js')).scratchDir('r7');
    const file = `${dir}/bad-call.yaml`;
    (await import('node:fs')).writeFileSync(file, capability(`  exposes:
  - type: rest
    namespace: t
    port: 8080
    resources:
    - path: /test
      operations: [{method: GET, name: test, call: invalidCallFormat}]
  consumes:
  - {type: http, namespace: svc, baseUri: http://localhost:1, resources: [{name: r, path: /r, operations: [{name: op, method: GET}]}]}
`));
    const run = await cli('validate', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad-call\.yaml:\d+:\d+: error: .*invalidCallFormat/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('R8: mock outputs answer their `value`s as strings, nested objects and arrays included, without calling upstream', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: mock
    port: 8080
    resources:
    - path: /status
      operations:
      - method: GET
        name: status
        outputParameters:
        - {name: status, type: string, value: ready}
        - name: payload
          type: object
          properties:
            id: {type: string, value: '42'}
            tags: {type: array, items: {type: string, value: active}}
`), {}, async (d) => {
      const response = await d.fetch('/status');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ready', payload: { id: '42', tags: ['active'] } });
      expect(d.upstream.requests).toHaveLength(0);
    });
  });

  const mappedSpec = (format = '') => capability(`  exposes:
  - type: rest
    namespace: users
    port: 8080
    resources:
    - path: /user
      operations:
      - method: GET
        name: get-user
        call: svc.get-user
        outputParameters:
        - {type: object, in: body, properties: {id: {type: string, mapping: $.user.id}, name: {type: string, mapping: $.user.name}}}
    - path: /raw
      operations: [{method: GET, name: raw, call: svc.get-user}]
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - {name: user, path: /user, operations: [{name: get-user, method: GET${format}}]}
`);

  it('R9: mapped output parameters shape the upstream JSON', async () => {
    await withDeployment(mappedSpec(), {}, async (d) => {
      d.upstream.reply = () => json({ user: { id: 'u-1', name: 'Alice', secret: 'x' } });
      const response = await d.fetch('/user');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ id: 'u-1', name: 'Alice' });
    });
  });

  it('R10 differs: (a) no outputs relays the body unchanged; (b) an unknown outputRawFormat is rejected when generating (engine: 500 at request time)', async () => {
    await withDeployment(mappedSpec(), {}, async (d) => {
      d.upstream.reply = () => json({ id: 'u-1' });
      expect(await (await d.fetch('/raw')).json()).toEqual({ id: 'u-1' });
    });
    await expect(deploy(mappedSpec(', outputRawFormat: INI'))).rejects.toThrow(/capability\.yaml:\d+:\d+: error: .*INI/);
  });

  it('R11: an XML upstream is converted to JSON before mapping (repeats become arrays, scalars strings)', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: users
    port: 8080
    resources:
    - path: /users
      operations:
      - method: GET
        name: list-users
        call: svc.list-users
        outputParameters:
        - {type: array, mapping: $.user, items: {type: object, properties: {id: {type: string, mapping: $.id}, name: {type: string, mapping: $.name}}}}
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - {name: users, path: /users, operations: [{name: list-users, method: GET, outputRawFormat: xml}]}
`), {}, async (d) => {
      d.upstream.reply = () => ({ status: 200, contentType: 'application/xml', body: '<root><user><id>1</id><name>Alice</name></user><user><id>2</id><name>Bob</name></user></root>' });
      expect(await (await d.fetch('/users')).json()).toEqual([{ id: '1', name: 'Alice' }, { id: '2', name: 'Bob' }]);
    });
  });

  const authSpec = (auth: string) => capability(`  binds:
  - {namespace: secrets, location: 'file:///./secrets.yaml', keys: {TOKEN: token}}
  exposes:
  - type: rest
    namespace: hello
    port: 8080
    authentication: ${auth}
    resources:
    - path: /hello
      operations: [{method: GET, name: hello, outputParameters: [{type: string, value: ok}]}]
`);

  it('R12 differs: bearer authentication — 401 problem+json without or with a wrong token, 200 with it (engine: text "Unauthorized")', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: hello
    port: 8080
    authentication: {type: bearer, token: token-123}
    resources:
    - path: /hello
      operations: [{method: GET, name: hello, outputParameters: [{type: string, value: ok}]}]
`), {}, async (d) => {
      for (const headers of [{}, { authorization: 'Bearer token-124' }] as Record<string, string>[]) {
        const denied = await d.fetch('/hello', { headers });
        expect(denied.status).toBe(401);
        expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await denied.text()).not.toContain('token-123');
      }
      const allowed = await d.fetch('/hello', { headers: { authorization: 'Bearer token-123' } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await allowed.text()).toContain('ok');
    });
  });

  it('R13: apikey authentication in a header, with the secret from binds', async () => {
    const spec = authSpec('{type: apikey, key: X-API-Key, value: "{{TOKEN}}", placement: header}');
    await withDeployment(spec, { extraFiles: { 'secrets.yaml': 'token: abc123\n' } }, async (d) => {
      expect((await d.fetch('/hello')).status).toBe(401);
      expect((await d.fetch('/hello', { headers: { 'x-api-key': 'abc124' } })).status).toBe(401);
      expect((await d.fetch('/hello', { headers: { 'x-api-key': 'abc123' } })).status).toBe(200);
    });
  });

  it('R14: an aggregate mock function answers the same payload on REST and MCP', async () => {
    await withDeployment({ example: 'tests/aggregates/aggregate-shared-mock.yaml' }, {}, async (d) => {
      const want = { message: 'Hello, Nina!', source: 'aggregate-mock' };
      const response = await d.fetch('/hello?name=Nina');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(want);
      const result = await (await d.client()).callTool({ name: 'hello', arguments: { name: 'Nina' } });
      expect(result.isError ?? false).toBe(false);
      expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(want);
      expect(d.upstream.requests).toHaveLength(0);
    });
  });

  it('R15 differs: a missing path input is a 400 problem+json naming it and nothing is sent (engine: "Unresolved template parameters"); an unfilled body template sends an empty body', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: orders
    port: 8080
    resources:
    - path: /orders
      operations:
      - {method: POST, name: create, call: svc.create, inputParameters: [{name: orderId, in: query, type: string}]}
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - name: orders
      path: /orders/{{orderId}}
      operations:
      - {name: create, method: POST, body: "{{missingBody}}"}
`), {}, async (d) => {
      const missing = await d.fetch('/orders', { method: 'POST' });
      expect(missing.status).toBe(400);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await missing.text()).toContain('orderId');
      expect(d.upstream.requests).toHaveLength(0);
      expect((await d.fetch('/orders?orderId=o-1', { method: 'POST' })).status).toBe(200);
      const [sent] = d.upstream.requests;
      expect(`${sent?.method} ${sent?.url}`).toBe('POST /orders/o-1');
      expect(sent?.body.toString()).toBe('');
    });
  });

  it('R16 differs: structured bodies use their real encodings (engine: JSON text for every type)', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: bodies
    port: 8080
    resources:
    - path: /xml
      operations: [{method: POST, name: xml, call: svc.xml, inputParameters: [{name: v, in: query, type: string}]}]
    - path: /form
      operations: [{method: POST, name: form, call: svc.form, inputParameters: [{name: v, in: query, type: string}]}]
    - path: /sparql
      operations: [{method: POST, name: sparql, call: svc.sparql, inputParameters: [{name: v, in: query, type: string}]}]
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - name: r
      path: /r
      operations:
      - {name: xml, method: POST, body: {type: xml, data: {value: "{{v}}"}}}
      - {name: form, method: POST, body: {type: formUrlEncoded, data: {q: "{{v}}"}}}
      - {name: sparql, method: POST, body: {type: sparql, data: "SELECT * WHERE { ?s ?p \\"{{v}}\\" }"}}
`), {}, async (d) => {
      for (const path of ['/xml', '/form', '/sparql']) expect((await d.fetch(`${path}?v=ok`, { method: 'POST' })).status).toBe(200);
      const [xml, form, sparql] = d.upstream.requests;
      expect(xml?.headers['content-type']).toMatch(/^application\/xml/);
      expect(xml?.body.toString()).toMatch(/<value>ok<\/value>/);
      expect(form?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(form?.body.toString()).toBe('q=ok');
      expect(sparql?.headers['content-type']).toMatch(/^application\/sparql-query/);
      expect(sparql?.body.toString()).toBe('SELECT * WHERE { ?s ?p "ok" }');
    });
  });

  const inputsSpec = capability(`  exposes:
  - type: rest
    namespace: items
    port: 8080
    inputParameters: [{name: X-Tenant, in: header, type: string}]
    resources:
    - path: /items/{itemId}
      inputParameters: [{name: q, in: query, type: string}]
      operations:
      - method: GET
        name: get-item
        inputParameters: [{name: itemId, in: path, type: string}]
        call: svc.get-item
        with: {tenant: items.X-Tenant, q: items.q, id: items.itemId}
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - name: item
      path: /items/{{id}}
      operations:
      - name: get-item
        method: GET
        inputParameters:
        - {name: X-Tenant, in: header, value: "{{tenant}}"}
        - {name: q, in: query, value: "{{q}}"}
        - {name: X-Trace, in: header, value: "trace-{{id}}"}
        - {name: X-Mode, in: header, value: strict}
        - {name: search, in: query, value: "{{q}}"}
`);

  it('R17: adapter-, resource- and operation-level inputs are all read; an invalid body on a GET is ignored', async () => {
    await withDeployment(inputsSpec, {}, async (d) => {
      const response = await d.fetch('/items/i-1?q=ice', { headers: { 'x-tenant': 'acme', 'content-type': 'text/plain' }, method: 'GET' });
      expect(response.status).toBe(200);
      const [sent] = d.upstream.requests;
      expect(sent?.path).toBe('/items/i-1');
      expect(sent?.headers['x-tenant']).toBe('acme');
      expect(new URLSearchParams(sent!.url.split('?')[1]).get('q')).toBe('ice');
    });
  });

  it('R18: header and query templates and constants are resolved (X-Trace: trace-abc, search=ice class, X-Mode: strict)', async () => {
    await withDeployment(inputsSpec, {}, async (d) => {
      expect((await d.fetch('/items/abc?q=ice%20class', { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
      const [sent] = d.upstream.requests;
      expect(sent?.headers['x-trace']).toBe('trace-abc');
      expect(sent?.headers['x-mode']).toBe('strict');
      expect(new URLSearchParams(sent!.url.split('?')[1]).get('search')).toBe('ice class');
    });
  });

  it('R19: a missing template value renders as ""; an array renders as JSON inside a body template', async () => {
    await withDeployment(capability(`  exposes:
  - type: rest
    namespace: crew
    port: 8080
    resources:
    - path: /assign
      operations:
      - method: POST
        name: assign
        call: svc.assign
        inputParameters:
        - {name: shipImo, in: body, type: string}
        - {name: crewIds, in: body, type: array}
        - {name: name, in: query, type: string}
  consumes:
  - type: http
    namespace: svc
    baseUri: http://localhost:1
    resources:
    - name: assign
      path: /assign
      operations:
      - name: assign
        method: POST
        inputParameters: [{name: X-Greeting, in: header, value: "hello {{name}}/{{missing}}"}]
        body: '{"shipImo": "{{shipImo}}", "crewIds": {{crewIds}}}'
`), {}, async (d) => {
      const response = await d.fetch('/assign?name=alice', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ shipImo: 'IMO-9321483', crewIds: ['CREW-001', 'CREW-003'] }) });
      expect(response.status).toBe(200);
      const [sent] = d.upstream.requests;
      expect(sent?.headers['x-greeting']).toBe('hello alice/');
      expect(JSON.parse(sent!.body.toString())).toEqual({ shipImo: 'IMO-9321483', crewIds: ['CREW-001', 'CREW-003'] });
    });
  });

  it('R20 differs: outbound apikey-in-query and bearer credentials come from templates over binds; apikey without placement defaults to a header (engine: error)', async () => {
    await withDeployment(capability(`  binds:
  - {namespace: secrets, location: 'file:///./secrets.yaml', keys: {API_TOKEN: token, NOTION_KEY: notion}}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /items
      operations: [{method: GET, name: items, call: query-auth.items}]
    - path: /pages
      operations: [{method: GET, name: pages, call: bearer-auth.pages}]
    - path: /default
      operations: [{method: GET, name: default, call: default-auth.items}]
  consumes:
  - type: http
    namespace: query-auth
    baseUri: http://localhost:1/v1
    authentication: {type: apikey, key: api_key, placement: query, value: "{{API_TOKEN}}"}
    resources: [{name: items, path: /items, operations: [{name: items, method: GET}]}]
  - type: http
    namespace: bearer-auth
    baseUri: http://localhost:1
    authentication: {type: bearer, token: "{{NOTION_KEY}}"}
    resources: [{name: pages, path: /pages, operations: [{name: pages, method: GET}]}]
  - type: http
    namespace: default-auth
    baseUri: http://localhost:1
    authentication: {type: apikey, key: X-Key, value: "{{API_TOKEN}}"}
    resources: [{name: items, path: /items, operations: [{name: items, method: GET}]}]
`), { extraFiles: { 'secrets.yaml': 'token: abc123\nnotion: ntn_test_abc123\n' } }, async (d) => {
      for (const path of ['/items', '/pages', '/default']) expect((await d.fetch(path)).status).toBe(200);
      const [query, bearer, header] = d.upstream.requests;
      expect(query?.url).toBe('/v1/items?api_key=abc123');
      expect(bearer?.headers.authorization).toBe('Bearer ntn_test_abc123');
      expect(header?.headers['x-key']).toBe('abc123');
    });
  });

  it('R21 differs: forward sends the caller\'s credentials only when Authorization is a trusted header (engine: always)', async () => {
    const spec = (trusted: string) => capability(`  exposes:
  - type: rest
    namespace: proxy
    port: 8080
    resources:
    - path: /p/{{path}}
      forward: {targetNamespace: up, trustedHeaders: [${trusted}]}
  consumes:
  - {type: http, namespace: up, baseUri: http://localhost:1, resources: []}
`);
    const basic = `Basic ${Buffer.from('bob:forwarded-secret').toString('base64')}`;
    await withDeployment(spec('X-Other'), {}, async (d) => {
      await d.fetch('/p/x', { headers: { authorization: basic } });
      expect(d.upstream.requests[0]?.headers.authorization).toBeUndefined();
    });
    await withDeployment(spec('Authorization'), {}, async (d) => {
      await d.fetch('/p/x', { headers: { authorization: basic } });
      expect(d.upstream.requests[0]?.headers.authorization).toBe(basic);
    });
  });

  it('R22 differs: load-time errors are positioned diagnostics; a missing bind variable is an error only when a request needs it; an import `as` names the namespace', async () => {
    const trailing = await cli('validate', `${EXAMPLES}/tests/baseuri-trailing-slash-capability.yaml`);
    expect(trailing.code).toBe(1);
    expect(trailing.stderr).toMatch(/baseuri-trailing-slash-capability\.yaml:\d+:\d+: error: .*baseUri must not end with "\/"/);
    await expect(deploy(capability(`  consumes:
  - {type: http, namespace: svc, baseUri: http://localhost:1, resources: [{name: r, path: /r, operations: [{name: op, method: GET}]}]}
`))).rejects.toThrow(/capability\.yaml:\d+:\d+: error: .*exposes/);
    await withDeployment(capability(`  binds:
  - {namespace: env, keys: {API_KEY: NAFTIKO_CONFORMANCE_MISSING_KEY}}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /open
      operations: [{method: GET, name: open, call: my-api.open}]
    - path: /keyed
      operations: [{method: GET, name: keyed, call: keyed.op}]
  consumes:
  - {location: ./shared.yaml, import: shared-api, as: my-api}
  - type: http
    namespace: keyed
    baseUri: http://localhost:1
    authentication: {type: bearer, token: "{{API_KEY}}"}
    resources: [{name: r, path: /keyed, operations: [{name: op, method: GET}]}]
`), {
      env: {},
      extraFiles: { 'shared.yaml': `naftiko: "1.0.0-alpha2"\nconsumes:\n- {type: http, namespace: shared-api, baseUri: http://localhost:1, resources: [{name: r, path: /open, operations: [{name: open, method: GET}]}]}\n` },
    }, async (d) => {
      expect((await d.fetch('/open')).status).toBe(200);
      expect(d.upstream.requests.map((r) => r.url)).toEqual(['/open']);
      const keyed = await d.fetch('/keyed');
      expect(keyed.status).toBe(500);
      expect(await keyed.text()).toContain('API_KEY');
      expect(d.upstream.requests).toHaveLength(1);
    });
  });

  it('R23: the tutorial\'s create-voyage answers 201 with the mapped voyage; arrays stay arrays in the body template', async () => {
    await withDeployment({ example: 'tutorial/step-10-shipyard-rest-adapter.yml' }, {}, async (d) => {
      d.upstream.reply = (req) => {
        const body = req.body.length ? JSON.parse(req.body.toString()) as Record<string, unknown> : {};
        return { status: 201, contentType: 'application/json', body: JSON.stringify({ voyageId: 'VOY-2026-042', status: 'planned', ...body }) };
      };
      const input = { shipImo: 'IMO-9321483', departurePort: 'Oslo', arrivalPort: 'Singapore', departureDate: '2026-04-10', arrivalDate: '2026-05-02', crewIds: ['CREW-001', 'CREW-003'], cargoIds: ['CARGO-2024-0451'] };
      const response = await d.fetch('/voyages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const sent = d.upstream.requests.find((r) => r.method === 'POST');
      if (!sent) throw new Error(`no POST upstream: ${response.status} ${await response.text()} ${JSON.stringify(d.upstream.requests.map((r) => r.url))}`);
      expect(sent?.path).toMatch(/\/voyages$/);
      const sentBody = JSON.parse(sent!.body.toString()) as Record<string, unknown>;
      expect(sentBody.crewIds).toEqual(['CREW-001', 'CREW-003']);
      expect(sentBody.cargoIds).toEqual(['CARGO-2024-0451']);
      expect(response.status).toBe(201);
      const out = await response.json() as Record<string, unknown>;
      expect(out).toMatchObject({ voyageId: 'VOY-2026-042', shipImo: 'IMO-9321483', crewIds: ['CREW-001', 'CREW-003'], cargoIds: ['CARGO-2024-0451'], status: 'planned' });
      expect(out).toHaveProperty('route');
      expect(out).toHaveProperty('dates');
    });
  });
});
