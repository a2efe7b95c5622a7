// `--print-mcp-config` prints a client config an operator pastes as is: it parses, names no
// secret, and its stdio entry really starts a working MCP server (official SDK stdio client,
// real mock IMDS behind it) whose logs stay off stdout.
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BindSpec } from '../../generator/runtime/bindings.js';
import { mcpClientConfig } from '../../generator/runtime/mcp-config.js';
import { parseServerArgs, UsageError } from '../../generator/runtime/server.js';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';

const SERVER = ['node_modules/tsx/dist/cli.mjs', 'generated/azure-imds-get-token/server.ts'];
const NS = 'instancemetadataclient-get-token';
const SECRET = 'print-config-secret-81d';
const TOOL = 'microsoft-azure-get-identity-oauth2';

interface Config {
  mcpServers: Record<string, { type: string; command?: string; args?: string[]; env?: Record<string, string>; url?: string; headers?: Record<string, string> }>;
}

let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock.close());

function printConfig(command: string[]): Config {
  const run = spawnSync(process.execPath, command, { encoding: 'utf8', env: { ...process.env, IMDS_PROXY_TOKEN: SECRET } });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).not.toContain(SECRET);
  return JSON.parse(run.stdout) as Config;
}

describe('--print-mcp-config', () => {
  it('prints stdio and HTTP entries; the stdio one starts a working server', async () => {
    const config = printConfig([...SERVER, '--print-mcp-config', '--mcp-port', '9191', '--base-uri', `${NS}=${mock.baseUri}`, '--timeout-ms', '5000']);
    expect(Object.keys(config.mcpServers)).toEqual([`${NS}-mcp`, `${NS}-mcp-http`]);
    expect(config.mcpServers[`${NS}-mcp-http`]).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:9191/mcp',
      headers: { Authorization: 'Bearer ${IMDS_PROXY_TOKEN}' },
    });
    const stdio = config.mcpServers[`${NS}-mcp`]!;
    expect(stdio.type).toBe('stdio');
    expect(stdio.args).toEqual(expect.arrayContaining(['--mcp-transport', 'stdio', '--base-uri', `${NS}=${mock.baseUri}`]));
    // The caller token guards the network adapters only: a stdio client is not asked for it.
    expect(stdio.env).toBeUndefined();

    const transport = new StdioClientTransport({ command: stdio.command!, args: stdio.args!, env: { PATH: process.env.PATH ?? '', NAFTIKO_LOG_LEVEL: 'info' }, stderr: 'pipe' });
    let stderr = '';
    transport.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const client = new Client({ name: 'ops-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: TOOL, arguments: { resource: 'https://management.azure.com/' } });
      expect(result.isError ?? false).toBe(false);
      expect(String((result.structuredContent as { access_token: string }).access_token)).toMatch(/^eyJ/);
    } finally {
      await client.close();
    }
    // Logs went to stderr as JSON (stdout carried only JSON-RPC, or the client would have failed).
    expect(stderr).toMatch(/^\{.*"msg":"tool call".*\}$/m);
  }, 60_000);

  it('`naftiko-codegen serve --print-mcp-config` launches through the CLI', () => {
    const config = printConfig(['bin/naftiko-codegen.js', 'serve', 'generated/azure-imds-get-token', '--print-mcp-config']);
    const stdio = config.mcpServers[`${NS}-mcp`]!;
    expect(stdio.command).toBe(process.execPath);
    expect(stdio.args!.slice(1, 3)).toEqual(['serve', expect.stringMatching(/generated[\\/]azure-imds-get-token$/)]);
    expect(stdio.args![0]).toMatch(/bin[\\/]naftiko-codegen\.js$/);
    expect(config.mcpServers[`${NS}-mcp-http`]!.url).toBe('http://127.0.0.1:9090/mcp');
  }, 60_000);
});

describe('operability options', () => {
  it('--log-level and --metrics have environment twins and defaults', () => {
    expect(parseServerArgs([], {})).toMatchObject({ logLevel: 'info', metrics: false, printMcpConfig: false });
    expect(parseServerArgs(['--log-level', 'silent', '--metrics'], {})).toMatchObject({ logLevel: 'silent', metrics: true });
    expect(parseServerArgs([], { NAFTIKO_LOG_LEVEL: 'debug', NAFTIKO_METRICS: '1' })).toMatchObject({ logLevel: 'debug', metrics: true });
    expect(parseServerArgs(['--log-level', 'warn'], { NAFTIKO_LOG_LEVEL: 'debug', NAFTIKO_METRICS: '0' })).toMatchObject({ logLevel: 'warn', metrics: false });
    expect(() => parseServerArgs(['--log-level', 'loud'], {})).toThrow(UsageError);
    expect(() => parseServerArgs([], { NAFTIKO_METRICS: 'maybe' })).toThrow(/NAFTIKO_METRICS/);
  });
});

describe('mcpClientConfig', () => {
  const launch = { command: '/usr/bin/node', args: ['/srv/server.ts'] };
  const binds: BindSpec[] = [
    { namespace: 'env', keys: { API_KEY: 'UPSTREAM_KEY_ENV' } },
    { namespace: 'secrets', location: 'file:///etc/secrets.yaml', keys: { MCP_KEY: 'mcp_key' } },
  ];

  it('API keys become header or query placeholders; upstream secrets go to the stdio env; literals are never copied', () => {
    const header = mcpClientConfig(
      { binds, requires: ['env.API_KEY', 'secrets.MCP_KEY'], rest: [], mcp: [{ namespace: 'tools', port: 3001, address: '0.0.0.0', auth: { type: 'apikey', key: 'X-Tools-Key', value: '{{secrets.MCP_KEY}}', placement: 'header' } }] },
      { mcpPort: undefined },
      launch,
    );
    expect(header.mcpServers.tools).toEqual({ type: 'stdio', command: '/usr/bin/node', args: ['/srv/server.ts', '--mcp-transport', 'stdio', '--rest-port', '0'], env: { UPSTREAM_KEY_ENV: '${UPSTREAM_KEY_ENV}' } });
    // A wildcard bind address is reached through loopback; a file-backed secret is named by its variable.
    expect(header.mcpServers['tools-http']).toEqual({ type: 'http', url: 'http://127.0.0.1:3001/mcp', headers: { 'X-Tools-Key': '${MCP_KEY}' } });

    const query = mcpClientConfig({ binds, rest: [], mcp: [{ namespace: 'tools', auth: { type: 'apikey', key: 'key', value: 'literal-secret', placement: 'query' } }] }, { mcpPort: 0 }, launch);
    expect(query.mcpServers['tools-http']).toEqual({ type: 'http', url: 'http://127.0.0.1:<port>/mcp?key=<api key>' });
    expect(JSON.stringify(query)).not.toContain('literal-secret');

    const basic = mcpClientConfig({ binds, rest: [], mcp: [{ namespace: 'a', port: 1, auth: { type: 'basic', username: 'u', password: '{{env.API_KEY}}' } }, { namespace: 'b', port: 2 }] }, { host: '::1' }, launch);
    // Two MCP adapters cannot share stdio: HTTP entries only, named after the adapters.
    expect(basic.mcpServers).toEqual({
      a: { type: 'http', url: 'http://[::1]:1/mcp', headers: { Authorization: 'Basic <base64 of username:password>' } },
      b: { type: 'http', url: 'http://[::1]:2/mcp' },
    });
  });
});
