// Given/want tables for request planning: every encoding rule the generated clients rely on.
import { describe, expect, it } from 'vitest';
import { Bindings } from '../../../generator/runtime/bindings.js';
import type { NamespaceSpec, OperationSpec } from '../../../generator/runtime/descriptor.js';
import { ConfigurationError, InputError } from '../../../generator/runtime/errors.js';
import { planForward, planRequest } from '../../../generator/runtime/request.js';

const ns = (over: Partial<NamespaceSpec> = {}): NamespaceSpec => ({ namespace: 'svc', baseUri: 'https://api.example.com/v1', params: [], ...over });
const op = (over: Partial<OperationSpec> = {}): OperationSpec => ({ name: 'op', method: 'GET', path: '/items', params: [], ...over });

describe('paths', () => {
  const cases: { name: string; path: string; input: Record<string, unknown>; want: string }[] = [
    { name: 'single brace', path: '/items/{id}', input: { id: 'a1' }, want: '/v1/items/a1' },
    { name: 'double brace', path: '/items/{{id}}', input: { id: 'a1' }, want: '/v1/items/a1' },
    { name: 'mid-segment', path: '/models/{id}:purge', input: { id: 'm' }, want: '/v1/models/m:purge' },
    { name: 'odata literal', path: "/tables('{t}')", input: { t: 'x y' }, want: "/v1/tables('x%20y')" },
    { name: 'slash is encoded', path: '/items/{id}', input: { id: 'a/b' }, want: '/v1/items/a%2Fb' },
    { name: 'dot-dot cannot climb', path: '/items/{id}/x', input: { id: '..' }, want: '/v1/items/%2E%2E/x' },
    { name: 'reserved characters', path: '/items/{id}', input: { id: '?#%é' }, want: '/v1/items/%3F%23%25%C3%A9' },
    { name: 'relative path gets a slash', path: 'items/{id}', input: { id: '1' }, want: '/v1/items/1' },
  ];
  it.each(cases)('$name', ({ path, input, want }) => {
    expect(planRequest(ns(), op({ path }), { input }).path).toBe(want);
  });

  it('a missing path value is an InputError, not an empty segment', () => {
    expect(() => planRequest(ns(), op({ path: '/items/{id}' }), { input: {} })).toThrow(InputError);
  });
});

describe('query', () => {
  const cases: { name: string; params: OperationSpec['params']; input: Record<string, unknown>; want: string }[] = [
    { name: 'declared order, absent omitted', params: [{ name: 'b', in: 'query', type: 'string' }, { name: 'a', in: 'query', type: 'string' }, { name: 'c', in: 'query', type: 'string' }], input: { a: '1', b: '2' }, want: 'b=2&a=1' },
    { name: 'wire names kept', params: [{ name: '$filter', in: 'query', type: 'string' }, { name: 'api-version', in: 'query', type: 'string' }], input: { $filter: "a eq 'b'", 'api-version': '1' }, want: "$filter=a%20eq%20'b'&api-version=1" },
    { name: 'array as csv', params: [{ name: 'ids', in: 'query', type: 'array' }], input: { ids: ['a', 'b c'] }, want: 'ids=a%2Cb%20c' },
    { name: 'array from JSON text', params: [{ name: 'ids', in: 'query', type: 'array' }], input: { ids: '["a","b"]' }, want: 'ids=a%2Cb' },
    { name: 'array of JSON text (a repeated query value)', params: [{ name: 'ids', in: 'query', type: 'array' }], input: { ids: ['["a","b"]'] }, want: 'ids=a%2Cb' },
    { name: 'constant value', params: [{ name: 'api-version', in: 'query', type: 'string', value: '2018-02-01' }], input: {}, want: 'api-version=2018-02-01' },
    { name: 'numbers and booleans', params: [{ name: 'n', in: 'query', type: 'integer' }, { name: 'f', in: 'query', type: 'boolean' }], input: { n: 5, f: false }, want: 'n=5&f=false' },
    { name: 'special characters encoded', params: [{ name: 'q', in: 'query', type: 'string' }], input: { q: 'a&b=c#d+e' }, want: 'q=a%26b%3Dc%23d%2Be' },
  ];
  it.each(cases)('$name', ({ params, input, want }) => {
    expect(planRequest(ns(), op({ params }), { input }).path).toBe(`/v1/items?${want}`);
  });
});

describe('headers', () => {
  it('stringifies values and drops client-owned headers', () => {
    const planned = planRequest(ns(), op({ params: [
      { name: 'X-Flag', in: 'header', type: 'boolean' },
      { name: 'Content-Length', in: 'header', type: 'integer' },
      { name: 'Metadata', in: 'header', type: 'string', value: 'true' },
    ] }), { input: { 'X-Flag': true, 'Content-Length': 5 } });
    expect(planned.headers).toEqual({ 'x-flag': 'true', metadata: 'true' });
  });

  it('refuses CRLF in a header value', () => {
    expect(() => planRequest(ns(), op({ params: [{ name: 'X-A', in: 'header', type: 'string' }] }), { input: { 'X-A': 'a\r\nX-Evil: 1' } })).toThrow(InputError);
  });
});

describe('bodies', () => {
  it('catalogue body parameter: objects as JSON', () => {
    const planned = planRequest(ns(), op({ method: 'POST', params: [{ name: 'body', in: 'body', type: 'object' }] }), { input: { body: { a: 1 } } });
    expect(planned.body).toBe('{"a":1}');
    expect(planned.headers['content-type']).toBe('application/json');
  });

  it('catalogue body parameter: non-JSON text as text', () => {
    const planned = planRequest(ns(), op({ method: 'POST', params: [{ name: 'body', in: 'body', type: 'string' }] }), { input: { body: 'hello' } });
    expect(planned.body).toBe('hello');
    expect(planned.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('JSON template keeps the body valid whatever the values hold', () => {
    const planned = planRequest(ns(), op({ method: 'POST', body: { kind: 'template', template: '{"name": "{{name}}", "ids": {{ids}}}', contentType: 'application/json' } }), {
      input: { name: 'a"b\\c', ids: ['x', 'y'] },
    });
    expect(JSON.parse(planned.body as string)).toEqual({ name: 'a"b\\c', ids: ['x', 'y'] });
  });

  it('structured json data renders whole-value placeholders as values', () => {
    const planned = planRequest(ns(), op({ method: 'POST', body: { kind: 'json', data: { n: '{{n}}', s: 'id-{{n}}' } } }), { input: { n: 3 } });
    expect(JSON.parse(planned.body as string)).toEqual({ n: 3, s: 'id-3' });
  });

  it('formUrlEncoded is really form-encoded', () => {
    const planned = planRequest(ns(), op({ method: 'POST', body: { kind: 'form', fields: { q: '{{v}}' } } }), { input: { v: 'a b&c' } });
    expect(planned.body).toBe('q=a+b%26c');
    expect(planned.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('formData parameters: urlencoded without files, multipart with one', async () => {
    const fields: OperationSpec['params'] = [{ name: 'a', in: 'formData', type: 'string' }];
    expect(planRequest(ns(), op({ method: 'POST', params: fields }), { input: { a: 'x y' } }).body).toBe('a=x+y');
    const multipart = planRequest(ns(), op({ method: 'POST', formEncoding: 'multipart', params: [...fields, { name: 'f', in: 'formData', type: 'file' }] }), {
      input: { a: 'x', f: Buffer.from('hi').toString('base64') },
    });
    expect(multipart.body).toBeInstanceOf(FormData);
    const file = (multipart.body as FormData).get('f') as Blob;
    expect(await file.text()).toBe('hi');
  });
});

describe('base URI', () => {
  it('an explicit base URI replaces the spec one', () => {
    const planned = planRequest(ns(), op(), { input: {}, baseUri: 'http://127.0.0.1:9/mock' });
    expect([planned.origin, planned.path]).toEqual(['http://127.0.0.1:9', '/mock/items']);
  });

  it('empty base URI is a configuration error naming the option', () => {
    expect(() => planRequest(ns({ baseUri: '' }), op(), { input: {} })).toThrow(/--base-uri svc=/);
  });

  it('templated host from variables, env, then a same-named input', () => {
    const spec = ns({ baseUri: 'https://{accountName}.blob.core.windows.net' });
    expect(planRequest(spec, op(), { input: {}, variables: { accountName: 'acct' }, env: {} }).origin).toBe('https://acct.blob.core.windows.net');
    expect(planRequest(spec, op(), { input: {}, env: { NAFTIKO_VAR_accountName: 'e' } }).origin).toBe('https://e.blob.core.windows.net');
    expect(planRequest(spec, op(), { input: { accountName: 'i' }, env: {} }).origin).toBe('https://i.blob.core.windows.net');
    expect(() => planRequest(spec, op(), { input: {}, env: {} })).toThrow(ConfigurationError);
    expect(() => planRequest(spec, op(), { input: { accountName: 'evil.com/x' }, env: {} })).toThrow(InputError);
  });
});

describe('authentication', () => {
  const bindings = new Bindings([{ namespace: 'env', keys: { API_KEY: 'MY_KEY' } }], { env: { MY_KEY: 's3cret' } });
  it('bearer from a namespaced bind wins over a caller Authorization header', () => {
    const planned = planRequest(ns({ auth: { type: 'bearer', token: '{{env.API_KEY}}' } }), op({ params: [{ name: 'Authorization', in: 'header', type: 'string' }] }), {
      input: { Authorization: 'Bearer caller' },
      bindings,
    });
    expect(planned.headers.authorization).toBe('Bearer s3cret');
  });
  it('apikey in query and in a header', () => {
    expect(planRequest(ns({ auth: { type: 'apikey', key: 'api_key', value: '{{API_KEY}}', placement: 'query' } }), op(), { input: {}, bindings }).path).toBe('/v1/items?api_key=s3cret');
    expect(planRequest(ns({ auth: { type: 'apikey', key: 'X-Key', value: '{{API_KEY}}', placement: 'header' } }), op(), { input: {}, bindings }).headers['x-key']).toBe('s3cret');
  });
  it('basic sends a real password', () => {
    const planned = planRequest(ns({ auth: { type: 'basic', username: 'u', password: '{{API_KEY}}' } }), op(), { input: {}, bindings });
    expect(planned.headers.authorization).toBe(`Basic ${Buffer.from('u:s3cret').toString('base64')}`);
  });
  it('a missing secret is a configuration error that names the variable, not a value', () => {
    const empty = new Bindings([{ namespace: 'env', keys: { API_KEY: 'MY_KEY' } }], { env: {} });
    expect(() => planRequest(ns({ auth: { type: 'bearer', token: '{{env.API_KEY}}' } }), op(), { input: {}, bindings: empty })).toThrow(/MY_KEY/);
  });
});

describe('deployment settings (config file defaults)', () => {
  it('a constant query parameter replaces a same-named one of the spec instead of repeating it', () => {
    const planned = planRequest(
      ns({ params: [{ name: 'api-version', in: 'query', type: 'string', value: '2018-02-01' }] }),
      op({ params: [{ name: 'api-version', in: 'query', type: 'string' }, { name: 'q', in: 'query', type: 'string' }] }),
      { input: { 'api-version': 'caller', q: 'x' }, query: { 'api-version': '2021-11-01' }, headers: { 'x-ms-client-name': 'n' } },
    );
    expect(planned.path).toBe('/v1/items?q=x&api-version=2021-11-01');
    expect(planned.headers['x-ms-client-name']).toBe('n');
  });

  it('default host variables come after options and the environment', () => {
    const templated = ns({ baseUri: 'https://{account}.example.com' });
    expect(planRequest(templated, op(), { input: {}, env: {}, defaultVariables: { account: 'cfg' } }).origin).toBe('https://cfg.example.com');
    expect(planRequest(templated, op(), { input: {}, env: { NAFTIKO_VAR_account: 'env' }, defaultVariables: { account: 'cfg' } }).origin).toBe('https://env.example.com');
    expect(planRequest(templated, op(), { input: {}, env: {}, variables: { account: 'flag' }, defaultVariables: { account: 'cfg' } }).origin).toBe('https://flag.example.com');
  });

  it('a forward carries the constant query and headers too', () => {
    const planned = planForward(ns({ params: [{ name: 'api-version', in: 'query', type: 'string', value: 'old' }] }), { method: 'GET', path: '/a', query: 'x=1', headers: {} }, { input: {}, query: { 'api-version': 'new' }, headers: { h: 'v' } });
    expect(planned.path).toBe('/v1/a?x=1&api-version=new');
    expect(planned.headers.h).toBe('v');
  });
});
