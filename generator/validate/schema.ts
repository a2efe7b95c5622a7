/**
 * The project's own JSON Schema for capability files. It accepts both dialects: the official
 * 1.0.0-alpha2 shape and the catalogue dialect (docs/semantics.md, deviations D1–D8: exposes
 * `description`, object outputs without `properties`, typed/described consumed parameters,
 * free resource names, empty or templated `baseUri`, non-identifier parameter names, `HEAD`,
 * `in: formData`). Structural objects are closed so typos of structural keys are caught;
 * constructs the generator only reports on (skill, control, observability) are kept open.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const scalar: Schema = { type: ['string', 'number', 'boolean'] };
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
const list = (items: Schema): Schema => ({ type: 'array', items });
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
const TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'file'];
const port: Schema = { type: 'integer', minimum: 0, maximum: 65535 };

const definitions: Record<string, Schema> = {
  bind: closed({ namespace: str, description: str, location: str, keys: { type: 'object', additionalProperties: scalar } }, ['namespace', 'keys']),
  auth: closed(
    {
      type: { enum: ['bearer', 'basic', 'digest', 'apikey', 'oauth2'] },
      token: scalar, username: scalar, password: scalar, key: str, value: scalar,
      placement: { enum: ['header', 'query'] },
      authorizationServerUri: str, resource: str, scopes: {}, audience: str, tokenEndpoint: str, tokenValidation: str,
    },
    ['type'],
  ),
  consumedParam: closed(
    {
      name: scalar,
      in: { enum: ['path', 'query', 'header', 'cookie', 'body', 'formData', 'environment'] },
      type: { enum: TYPES }, description: str, required: bool, value: scalar, template: scalar,
    },
    ['name'],
  ),
  body: {
    anyOf: [
      str,
      closed({ type: { enum: ['json', 'text', 'xml', 'sparql', 'formUrlEncoded', 'multipartForm'] }, data: {} }, ['type']),
    ],
  },
  output: {
    type: 'object',
    properties: {
      name: str, type: { enum: [...TYPES, 'null'] }, mapping: str, value: {}, const: {}, description: str, in: str,
      label: str, maxLength: { type: 'integer' }, required: {}, values: {},
      items: { anyOf: [ref('output'), list(ref('output'))] },
      properties: { type: 'object', additionalProperties: ref('output') },
    },
    additionalProperties: false,
  },
  consumedOperation: closed(
    {
      name: str, label: str, description: str, method: { enum: METHODS }, tags: list(str),
      inputParameters: list(ref('consumedParam')), outputRawFormat: str, outputSchema: str, outputMediaType: str, maxBinarySize: scalar,
      outputParameters: list(ref('output')), body: ref('body'),
    },
    ['name', 'method'],
  ),
  consumedResource: closed(
    { name: str, label: str, description: str, tags: list(str), path: str, inputParameters: list(ref('consumedParam')), operations: list(ref('consumedOperation')) },
    ['path', 'operations'],
  ),
  consumes: {
    if: { type: 'object', anyOf: [{ required: ['location'] }, { required: ['import'], not: { required: ['type'] } }] },
    then: closed({ location: str, import: str, as: str, description: str }, ['location', 'import']),
    else: closed(
      {
        type: { const: 'http' }, namespace: str, label: str, description: str, baseUri: str,
        inputParameters: list(ref('consumedParam')), authentication: ref('auth'), resources: list(ref('consumedResource')),
        tunnel: { type: 'object' },
      },
      ['namespace', 'baseUri'],
    ),
  },
  exposedParam: closed(
    { name: scalar, in: { enum: ['path', 'query', 'header', 'cookie', 'body', 'environment'] }, type: { enum: TYPES }, description: str, pattern: str, value: scalar, template: scalar, required: bool },
    ['name'],
  ),
  toolParam: closed({ name: scalar, type: { enum: TYPES }, description: str, required: bool }, ['name']),
  with: { type: 'object', additionalProperties: {} },
  step: {
    type: 'object',
    properties: { type: { enum: ['call', 'lookup', 'script'] }, name: str },
    required: ['type'],
  },
  mapping: closed({ targetName: str, value: str }, ['targetName', 'value']),
  exposedOperation: closed(
    {
      name: str, label: str, description: str, method: { enum: METHODS }, tags: list(str),
      inputParameters: list(ref('exposedParam')), ref: str, call: str, with: ref('with'),
      outputParameters: list(ref('output')), steps: list(ref('step')), mappings: list(ref('mapping')),
      responses: { type: 'object' }, responseBinary: { type: 'object' },
    },
    ['method'],
  ),
  exposedResource: closed(
    {
      name: str, label: str, description: str, tags: list(str), path: str, inputParameters: list(ref('exposedParam')),
      operations: list(ref('exposedOperation')),
      forward: closed({ targetNamespace: str, trustedHeaders: list(str) }, ['targetNamespace']),
    },
    ['path'],
  ),
  tool: closed(
    {
      name: str, label: str, description: str, tags: list(str), inputParameters: list(ref('toolParam')), ref: str, call: str, with: ref('with'),
      steps: list(ref('step')), mappings: list(ref('mapping')), outputParameters: list(ref('output')),
      hints: closed({ readOnly: bool, destructive: bool, idempotent: bool, openWorld: bool }),
    },
    ['name'],
  ),
  exposes: {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: ['rest', 'mcp', 'skill', 'control'] } },
    allOf: [
      {
        if: { properties: { type: { const: 'rest' } } },
        then: closed(
          {
            type: str, namespace: str, description: str, address: str, port, authentication: ref('auth'), maxBinarySize: scalar,
            inputParameters: list(ref('exposedParam')), resources: list(ref('exposedResource')),
          },
          ['namespace', 'port', 'resources'],
        ),
      },
      {
        if: { properties: { type: { const: 'mcp' } } },
        then: {
          ...closed(
            {
              type: str, namespace: str, description: str, address: str, port, transport: { enum: ['http', 'stdio'] },
              maxBinarySize: scalar, ttlMs: { type: 'integer', minimum: 0 }, cacheScope: { enum: ['public', 'private'] },
              authentication: ref('auth'), tools: list(ref('tool')), resources: list({ type: 'object' }), prompts: list({ type: 'object' }),
            },
            ['namespace', 'tools'],
          ),
        },
      },
    ],
  },
  aggregate: {
    if: { type: 'object', required: ['location'] },
    then: ref('importEntry'),
    else: closed(
      { label: str, description: str, namespace: str, functions: list({ type: 'object', required: ['name'], properties: { name: str } }) },
      ['namespace', 'functions'],
    ),
  },
  /** `{from, import, as}` (beta5; `from` is read as `location`) for exposes, aggregates and binds. */
  importEntry: closed({ location: str, import: str, as: str, description: str }, ['location', 'import']),
  importableExposes: { if: { type: 'object', required: ['location'] }, then: ref('importEntry'), else: ref('exposes') },
  importableBind: { if: { type: 'object', required: ['location', 'import'] }, then: ref('importEntry'), else: ref('bind') },
};

export const capabilitySchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://naftiko-codegen/capability.schema.json',
  type: 'object',
  properties: {
    naftiko: { type: 'string' },
    info: { type: 'object' },
    binds: list(ref('importableBind')),
    consumes: list(ref('consumes')),
    exposes: list(ref('importableExposes')),
    aggregates: list(ref('aggregate')),
    capability: closed({ binds: list(ref('importableBind')), exposes: list(ref('importableExposes')), consumes: list(ref('consumes')), aggregates: list(ref('aggregate')) }),
  },
  required: ['naftiko'],
  anyOf: [{ required: ['capability'] }, { required: ['consumes'] }, { required: ['exposes'] }, { required: ['aggregates'] }, { required: ['binds'] }],
  additionalProperties: false,
  definitions,
};
