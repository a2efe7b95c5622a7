// naftiko-codegen.config.{json,ts}: each deployment setting reaches the generated server (and is
// still overridden by the server's own flags); config errors are positioned and exit 2.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecorder, type Recorder } from '../corpus/recorder.js';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';

const SQL = 'test/fixtures/synthetic/larder-sql-admins.yaml';
const SQL_NS = 'larder-sql-admins';
const IMDS = 'capabilities/azure-imds-get-token.yaml';
const IMDS_NS = 'instancemetadataclient-get-token';
const ADMINS = '/v1/subscriptions/s1/resourcegroups/g1/providers/larder-sql/servers/v1/administrators';
const TOKEN = 'config-test-token';

const scratch: string[] = [];
let recorder: Recorder;
let other: Recorder;
beforeAll(async () => {
  recorder = await startRecorder();
  other = await startRecorder();
});
afterAll(async () => {
  await recorder.close();
  await other.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A project folder: `caps/` with the given specs, plus the config file. */
function project(prefix: string, specs: Record<string, string>, configName: string, config: string): string {
  const dir = scratchDir(prefix);
  scratch.push(dir);
  mkdirSync(join(dir, 'caps'));
  for (const [name, source] of Object.entries(specs)) cpSync(source, join(dir, 'caps', name));
  writeFileSync(join(dir, configName), config);
  return dir;
}

const apiVersions = (r: Recorder): string[] => r.requests.flatMap((q) => q.query.filter(([n]) => n === 'api-version').map(([, v]) => v));

describe('config file (JSON)', () => {
  it('base URI and host variable, constant query and header, retry, timeout, tool prefix and filter reach the server', async () => {
    const port = new URL(recorder.url).port;
    const dir = project('cfg-json', { 'sql.yaml': SQL, 'imds.yaml': IMDS }, 'codegen.json', JSON.stringify({
      inputs: ['caps'],
      out: 'gen',
      defaults: { retry: { minDelayMs: 1, maxDelayMs: 2 } },
      capabilities: {
        sql: {
          consumes: {
            [SQL_NS]: {
              baseUri: `http://{upstream}:${port}/arm`,
              variables: { upstream: '127.0.0.1' },
              query: { 'api-version': '2021-11-01' },
              headers: { 'x-ms-client-name': 'naftiko' },
              retry: { retries: 1, statuses: [503] },
            },
          },
          rest: { port: 0 },
          mcp: { toolPrefix: 'sql_', exclude: ['*delete*'] },
        },
        imds: { timeoutMs: 300, retry: false, consumes: { [IMDS_NS]: { baseUri: recorder.url } } },
      },
    }, null, 2));
    const run = await cli('generate', '--config', join(dir, 'codegen.json'));
    expect(run.stderr).not.toMatch(/error|warning/); // a progress line may appear on a slow machine
    expect(run.code).toBe(0);
    const out = join(dir, 'gen');
    expect(existsSync(join(out, 'sql/server.ts'))).toBe(true);

    const sql = await startGenerated(out, 'sql');
    const imds = await startGenerated(out, 'imds', { env: { IMDS_PROXY_TOKEN: TOKEN } });
    try {
      recorder.requests.length = 0;
      const ok = await fetch(`${sql.rest[0]!.url}${ADMINS}`);
      expect(ok.status).toBe(200);
      const sent = recorder.requests.at(-1)!;
      expect(sent.path).toBe('/arm/subscriptions/s1/resourceGroups/g1/providers/Larder.Sql/servers/v1/administrators');
      expect(sent.query).toEqual([['api-version', '2021-11-01']]);
      expect(sent.headers['x-ms-client-name']).toBe('naftiko');

      // retry: 1 retry on 503 (the default would try 3 times)
      recorder.requests.length = 0;
      recorder.reply = () => ({ status: 503, contentType: 'application/json', body: '{"error":"busy"}' });
      expect((await fetch(`${sql.rest[0]!.url}${ADMINS}`)).status).toBe(503);
      expect(recorder.requests).toHaveLength(2);

      // timeout: 300 ms per attempt, no retry → 504 well before the upstream answers
      recorder.requests.length = 0;
      recorder.reply = () => ({ status: 200, contentType: 'application/json', body: '{}', delayMs: 3000 });
      const started = Date.now();
      const slow = await fetch(`${imds.rest[0]!.url}/v1/identity/oauth2/token?resource=x`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(slow.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(2500);
      expect(recorder.requests).toHaveLength(1);
      recorder.reply = undefined;

      const client = new Client({ name: 'config-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(sql.mcp[0]!.url)));
      try {
        const { tools } = await client.listTools();
        expect(tools.length).toBe(3);
        for (const tool of tools) {
          expect(tool.name).toMatch(/^sql_/);
          expect(tool.name).not.toMatch(/delete/);
        }
        recorder.requests.length = 0;
        const result = await client.callTool({ name: tools[0]!.name, arguments: { subscriptionId: 's', resourceGroupName: 'g', serverName: 'v' } });
        expect(result.isError ?? false).toBe(false);
        expect(apiVersions(recorder)).toEqual(['2021-11-01']);
      } finally {
        await client.close();
      }
    } finally {
      recorder.reply = undefined;
      await sql.close();
      await imds.close();
    }
  }, 60_000);

  it('reports schema errors at their line and column, with a hint, and exits 2', async () => {
    const dir = project('cfg-bad', { 'imds.yaml': IMDS }, 'naftiko-codegen.config.json', [
      '{',
      '  "capabilities": {',
      '    "imds": {',
      '      "consums": {},',
      '      "rest": { "port": 70000 },',
      '      "mcp": { "toolPrefix": "no spaces" },',
      '      "retry": true',
      '    }',
      '  }',
      '}',
    ].join('\n'));
    const run = await cli('generate', '--config', join(dir, 'naftiko-codegen.config.json'));
    expect(run.code).toBe(2);
    const file = `${join(dir, 'naftiko-codegen.config.json').slice(resolve('.').length + 1)}`;
    expect(run.stderr).toContain(`${file}:4:7: error: capabilities.imds: unknown setting "consums"\n  hint: did you mean "consumes"?`);
    expect(run.stderr).toContain(`${file}:5:25: error: capabilities.imds.rest.port: must be <= 65535`);
    expect(run.stderr).toMatch(/:6:\d+: error: capabilities\.imds\.mcp\.toolPrefix: may hold only/);
    expect(run.stderr).toMatch(/:7:\d+: error: capabilities\.imds\.retry: must be an object\n  hint: false, or an object/);
    expect(existsSync(join(dir, 'generated'))).toBe(false);
  });

  it('an unknown consumes namespace is an error at the config; a tool pattern matching nothing a warning', async () => {
    const dir = project('cfg-ns', { 'imds.yaml': IMDS }, 'c.json', '{\n  "capabilities": {\n    "imds": {\n      "consumes": { "imds-typo": { "query": { "a": "b" } } },\n      "mcp": { "include": ["nothing-*"] }\n    }\n  }\n}\n');
    const run = await cli('generate', join(dir, 'caps'), '--config', join(dir, 'c.json'), '--out', join(dir, 'out'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/c\.json:4:\d+: error: capability "imds" has no consumes namespace "imds-typo"\n  hint: its namespaces: instancemetadataclient-get-token/);
    expect(run.stderr).toMatch(/c\.json:5:\d+: warning: tool pattern "nothing-\*" matches no tool/);
  });

  it('flags override the file: inputs, --out, --no-config', async () => {
    const dir = project('cfg-prec', { 'imds.yaml': IMDS }, 'c.json', JSON.stringify({ inputs: ['caps'], out: 'from-config', capabilities: { imds: { mcp: { toolPrefix: 'p_' } } } }));
    const config = join(dir, 'c.json');
    const other = join(dir, 'other');
    mkdirSync(other);
    cpSync(IMDS, join(other, 'imds.yaml'));
    writeFileSync(join(other, 'second.yaml'), readFileSync(IMDS));
    expect((await cli('generate', '--config', config, '--out', join(dir, 'from-flag'))).code).toBe(0);
    expect(existsSync(join(dir, 'from-flag/imds/mcp.ts'))).toBe(true);
    expect(existsSync(join(dir, 'from-config'))).toBe(false);
    expect(readFileSync(join(dir, 'from-flag/imds/mcp.ts'), 'utf8')).toMatch(/addTool<.*?>\(server, 'p_microsoft-azure-get-identity-oauth2'/);
    expect((await cli('generate', join(other, 'second.yaml'), '--config', config)).code).toBe(0);
    expect(existsSync(join(dir, 'from-config/second/mcp.ts'))).toBe(true);
    expect(existsSync(join(dir, 'from-config/imds'))).toBe(false);
    expect((await cli('generate', join(other, 'imds.yaml'), '--no-config', '--out', join(dir, 'plain'))).code).toBe(0);
    expect(readFileSync(join(dir, 'plain/imds/mcp.ts'), 'utf8')).toMatch(/addTool<.*?>\(server, 'microsoft-azure-get-identity-oauth2'/);
    expect((await cli('check', '--config', config, '--out', join(dir, 'from-flag'))).code).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function startServer(file: string, args: string[], cwd: string): { child: ChildProcess; rest: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), file, ...args], { cwd, env: { ...process.env, IMDS_PROXY_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const rest = new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const url = /REST \S+ listening on (\S+)/.exec(text)?.[1];
      if (url) resolveUrl(url);
    });
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('exit', () => reject(new Error(`server exited: ${text}`)));
  });
  return { child, rest, exit: new Promise((r) => child.once('exit', r)) };
}

describe('config file (TypeScript)', () => {
  it('is found in the current folder, typed by defineConfig, and the generated server uses it unless flags say otherwise', async () => {
    const restPort = await freePort();
    const dir = project('cfg-ts', { 'imds.yaml': IMDS }, 'naftiko-codegen.config.ts', `import { defineConfig } from 'naftiko-codegen';

export default defineConfig({
  inputs: ['caps/*.yaml'],
  out: 'gen',
  capabilities: {
    imds: {
      consumes: { '${IMDS_NS}': { baseUri: '${recorder.url}/metadata', query: { 'api-version': '2019-08-01' } } },
      rest: { port: ${restPort}, address: '127.0.0.1' },
      mcp: { port: 0 },
    },
  },
});
`);
    const gen = spawnSync(process.execPath, [resolve('bin/naftiko-codegen.js'), 'generate'], { cwd: dir, encoding: 'utf8' });
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    expect(gen.stdout).toMatch(/generated 1 capability into gen /);

    const server = join(dir, 'gen/imds/server.ts');
    const first = startServer(server, [], dir);
    try {
      expect(await first.rest).toBe(`http://127.0.0.1:${restPort}`);
      recorder.requests.length = 0;
      const response = await fetch(`${await first.rest}/v1/identity/oauth2/token?resource=r`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      expect(recorder.requests.at(-1)!.path).toBe('/metadata/identity/oauth2/token');
      // The config's api-version replaces the spec's constant (2018-02-01) rather than adding a second one.
      expect(apiVersions(recorder)).toEqual(['2019-08-01']);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exit).toBe(0);

    const second = startServer(server, ['--rest-port', '0', '--base-uri', `${IMDS_NS}=${other.url}`], dir);
    try {
      const url = await second.rest;
      expect(url).not.toBe(`http://127.0.0.1:${restPort}`);
      other.requests.length = 0;
      expect((await fetch(`${url}/v1/identity/oauth2/token?resource=r`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect(other.requests).toHaveLength(1);
      expect(apiVersions(other)).toEqual(['2019-08-01']);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exit).toBe(0);
  }, 90_000);

  it('a TS config with a wrong value names the setting and exits 2', async () => {
    const dir = project('cfg-ts-bad', { 'imds.yaml': IMDS }, 'naftiko-codegen.config.ts', "export default { capabilities: { imds: { rest: { port: 'eighty' } } } };\n");
    const run = await cli('validate', '--config', join(dir, 'naftiko-codegen.config.ts'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/naftiko-codegen\.config\.ts:1:1: error: capabilities\.imds\.rest\.port: must be a whole number/);
  });
});
