/** JSON Schema of naftiko-codegen config files (types in define.d.ts; keep the two in step). */

const record = (description: string): object => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

const timeout = { type: 'integer', minimum: 1, maximum: 86_400_000 };

const retry = {
  anyOf: [
    { const: false },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        retries: { type: 'integer', minimum: 0, maximum: 100 },
        minDelayMs: { type: 'integer', minimum: 0 },
        maxDelayMs: { type: 'integer', minimum: 0 },
        statuses: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 } },
        methods: { type: 'array', items: { enum: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH'] } },
        onNetworkError: { type: 'boolean' },
        maxElapsedMs: { type: 'integer', minimum: 0 },
        maxRetryAfterMs: { type: 'integer', minimum: 0 },
      },
    },
  ],
};

const seconds = { type: 'number', minimum: 0, maximum: 31_536_000 };
const fieldPath = { type: 'string', pattern: '^(\\$\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' };

const cachePolicy = {
  anyOf: [
    { type: 'boolean' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        ttlSeconds: seconds,
        expiresOn: fieldPath,
        expiresIn: fieldPath,
        marginSeconds: seconds,
        refreshAheadSeconds: seconds,
        bypassInput: { type: 'string', minLength: 1 },
      },
    },
  ],
};

const budget = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxInFlight: { type: 'integer', minimum: 1 },
    maxRps: { type: 'number', exclusiveMinimum: 0 },
    maxQueue: { type: 'integer', minimum: 0 },
    maxWaitMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
  },
};

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const address = { type: 'string', minLength: 1 };
const patterns = { type: 'array', items: { type: 'string', minLength: 1 } };

const namespaceSettings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    baseUri: { type: 'string', pattern: '^(https?://\\S+[^/\\s]|)$' },
    variables: record('base-URI host variables'),
    query: record('constant query parameters'),
    headers: {
      ...record('constant headers'),
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
      additionalProperties: { type: 'string', pattern: '^[^\\r\\n\\u0000]*$' },
    },
    timeoutMs: timeout,
    retry,
    budget,
    cache: { type: 'object', description: 'operation name → cache policy', additionalProperties: cachePolicy },
  },
};

const capabilitySettings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    consumes: { type: 'object', additionalProperties: namespaceSettings },
    timeoutMs: timeout,
    retry,
    rest: { type: 'object', additionalProperties: false, properties: { port, address } },
    mcp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port,
        address,
        toolPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]*$', maxLength: 32 },
        include: patterns,
        exclude: patterns,
      },
    },
  },
};

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    inputs: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    out: { type: 'string', minLength: 1 },
    defaults: capabilitySettings,
    capabilities: { type: 'object', additionalProperties: capabilitySettings },
  },
} as const;
