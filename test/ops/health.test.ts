// Liveness and readiness of generated servers over real loopback HTTP: /health always answers,
// /ready says what configuration is missing (names and options, never values), and a spec that
// declares /health or /ready itself keeps its own routes.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bindings, readiness, startCapability } from '../../generated/_runtime/index.js';
import { definition } from '../../generated/azure-imds-get-token/index.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';

const SAMPLE = 'test/fixtures/synthetic';
const NS = 'instancemetadataclient-get-token';
const SECRET = 'health-test-secret-value';
let out: string;

beforeAll(async () => {
  out = scratchDir('ops-health');
  const generated = await cli(
    'generate',
    `${SAMPLE}/larder-batch-jobs.yaml`,
    `${SAMPLE}/larder-text-complete.yaml`,
    'test/ops/fixtures/own-health.yaml',
    '--out',
    out,
  );
  expect(generated.code, generated.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function json(url: string): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

describe('IMDS capability', () => {
  it('answers /health on the REST and MCP ports and is ready when configured', async () => {
    const running = await startCapability(definition, { restPort: 0, mcpPort: 0, baseUris: { [NS]: 'http://127.0.0.1:9/metadata' }, env: { IMDS_PROXY_TOKEN: SECRET } });
    try {
      const mcpOrigin = new URL(running.mcp[0]!.url).origin;
      for (const origin of [running.rest[0]!.url, mcpOrigin]) {
        const health = await json(`${origin}/health`);
        expect(health.status).toBe(200);
        expect(health.body).toEqual({ status: 'ok' });
      }
      // Probes need no caller token, unlike the adapter's routes.
      expect((await json(`${running.rest[0]!.url}/ready`)).status).toBe(200);
      expect((await fetch(`${running.rest[0]!.url}/v1/identity/oauth2/token?resource=x`)).status).toBe(401);
    } finally {
      await running.close();
    }
  });

  it('is not ready without the caller-token bind variable, and says which by name', async () => {
    const running = await startCapability(definition, { restPort: 0, mcpPort: 0, env: {} });
    try {
      const ready = await json(`${running.rest[0]!.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.type).toMatch(/^application\/problem\+json/);
      expect(ready.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      // The spec's baseUri is usable as it is; only the secret is missing.
      expect(ready.body.missing).toEqual([{ kind: 'bind', name: 'IMDS_PROXY_TOKEN', hint: 'set the environment variable IMDS_PROXY_TOKEN' }]);
      // Liveness does not depend on configuration.
      expect((await json(`${running.rest[0]!.url}/health`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

describe('catalogue-dialect fixtures', () => {
  it('an empty baseUri is not ready until --base-uri names it; unused binds are not waited for', async () => {
    const bare = await startGenerated(out, 'larder-batch-jobs', { env: {} });
    try {
      const ready = await json(`${bare.rest[0]!.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.missing).toEqual([{ kind: 'baseUri', name: 'larder-batch-jobs', hint: '--base-uri larder-batch-jobs=<url> (or NAFTIKO_BASE_URI)' }]);
      expect(ready.body.detail).toContain('--base-uri larder-batch-jobs=<url>');
    } finally {
      await bare.close();
    }
    // LARDER_API_KEY is declared by the sample but used nowhere: still ready.
    const configured = await startGenerated(out, 'larder-batch-jobs', { env: {}, baseUris: { 'larder-batch-jobs': 'http://127.0.0.1:9' } });
    try {
      expect(await json(`${configured.rest[0]!.url}/ready`)).toMatchObject({ status: 200, body: { status: 'ready' } });
    } finally {
      await configured.close();
    }
  });

  it('a templated host needs its variable, and a used upstream secret must be set; values never shown', async () => {
    const bare = await startGenerated(out, 'larder-text-complete', { env: {} });
    try {
      const ready = await json(`${bare.rest[0]!.url}/ready`);
      expect(ready.status).toBe(503);
      expect((ready.body.missing as { kind: string; name: string }[]).map((m) => [m.kind, m.name])).toEqual([
        ['variable', 'endpoint'],
        ['bind', 'LARDER_API_KEY'],
      ]);
      expect(ready.body.detail).toContain('--var endpoint=<value>');
    } finally {
      await bare.close();
    }
    const configured = await startGenerated(out, 'larder-text-complete', {
      env: { LARDER_API_KEY: SECRET },
      variables: { endpoint: 'text.larder.example.com' },
    });
    try {
      const response = await fetch(`${configured.rest[0]!.url}/ready`);
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain(SECRET);
    } finally {
      await configured.close();
    }
  });
});

describe('route collisions', () => {
  let upstream: Recorder;
  beforeAll(async () => {
    upstream = await startRecorder();
  });
  afterAll(() => upstream.close());

  it('a spec that declares /health and /ready keeps its own routes; the MCP-less server still starts', async () => {
    const running = await startGenerated(out, 'own-health', { baseUris: { 'status-api': upstream.url } });
    try {
      upstream.reply = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ from: 'upstream' }) });
      for (const path of ['/health', '/ready']) {
        const answer = await json(`${running.rest[0]!.url}${path}`);
        expect(answer).toMatchObject({ status: 200, body: { from: 'upstream' } });
      }
      expect(upstream.requests.map((r) => r.path)).toEqual(['/status', '/status']);
    } finally {
      await running.close();
    }
  });
});

describe('readiness rules', () => {
  const base = { requires: [], baseUris: {}, variables: {}, env: {}, bindings: new Bindings([]) };

  it('host variables: options, NAFTIKO_VAR_x, X, a bind, or a caller input on every operation', () => {
    const consumes = [{ namespace: 'n', baseUri: 'https://{acct}.example.net/{{region}}' }];
    expect(readiness({ ...base, consumes }).map((m) => m.name)).toEqual(['acct', 'region']);
    expect(readiness({ ...base, consumes, variables: { acct: 'a' }, env: { NAFTIKO_VAR_region: 'r' } })).toEqual([]);
    expect(readiness({ ...base, consumes, env: { ACCT: 'a', REGION: 'r' } })).toEqual([]);
    expect(readiness({ ...base, consumes, bindings: new Bindings([{ namespace: 'env', keys: { acct: 'ACCT_FROM_BIND', region: 'R' } }], { env: { ACCT_FROM_BIND: 'a', R: 'r' } }) })).toEqual([]);
    expect(readiness({ ...base, consumes: [{ ...consumes[0]!, hostInputs: ['acct', 'region'] }] })).toEqual([]);
    expect(readiness({ ...base, consumes, baseUris: { n: 'https://fixed.example.net' } })).toEqual([]);
  });

  it('bind variables from a file name the file to create or the key to add', () => {
    const bindings = new Bindings([{ namespace: 'vault', location: 'file:///nonexistent/ops-secrets.yaml', keys: { TOKEN: 'token' } }]);
    const missing = readiness({ ...base, consumes: [], requires: ['vault.TOKEN'], bindings });
    expect(missing).toEqual([{ kind: 'bind', name: 'TOKEN', hint: 'create /nonexistent/ops-secrets.yaml' }]);
  });
});
