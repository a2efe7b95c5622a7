// The generated server as an operator runs it: flags, environment twins, printed URLs, and a
// SIGTERM that lets in-flight requests finish before exiting 0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockImds, type MockImds } from '../mock-imds/mock-imds.js';
import { AUTH, NS, PROXY_TOKEN, RESOURCE } from './stack.js';

const SERVER = ['node_modules/tsx/dist/cli.mjs', 'generated/azure-imds-get-token/server.ts'];
let mock: MockImds;
beforeAll(async () => {
  mock = await startMockImds();
});
afterAll(() => mock.close());

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; urls: Promise<{ rest: string; mcp: string }>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...SERVER, ...args], { env: { ...process.env, IMDS_PROXY_TOKEN: PROXY_TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const urls = new Promise<{ rest: string; mcp: string }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const rest = /REST \S+ listening on (\S+)/.exec(out)?.[1];
      const mcp = /MCP \S+ listening on (\S+)/.exec(out)?.[1];
      if (rest && mcp) resolve({ rest, mcp });
    });
    child.once('exit', () => reject(new Error(`server exited early: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, urls, exit };
}

describe('generated server process', () => {
  it('prints its URLs, serves, and drains in-flight requests on SIGTERM, exiting 0', async () => {
    const { child, urls, exit } = start(['--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NS}=${mock.baseUri}`]);
    const { rest, mcp } = await urls;
    expect(rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mcp).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    mock.setFaults([{ delayMs: 400 }]);
    const inFlight = fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, { headers: AUTH });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await exit).toBe(0);
  }, 30_000);

  it('reads its options from environment twins', async () => {
    const { child, urls, exit } = start([], { NAFTIKO_REST_PORT: '0', NAFTIKO_MCP_PORT: '0', NAFTIKO_BASE_URI: `${NS}=${mock.baseUri}` });
    const { rest } = await urls;
    const response = await fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`, { headers: AUTH });
    expect(response.status).toBe(200);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  }, 30_000);

  it('--help exits 0 and lists the options; an unknown flag exits 2', () => {
    const help = spawnSync(process.execPath, [...SERVER, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stderr + help.stdout).toContain('--base-uri');
    const bad = spawnSync(process.execPath, [...SERVER, '--no-such-flag'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-flag/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
