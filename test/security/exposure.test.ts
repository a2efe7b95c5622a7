// Network exposure. Adapters listen on loopback only unless told otherwise (checked in the
// kernel's socket table and by dialling a non-loopback address, not just the printed URL), and
// /mcp refuses forged Host and Origin headers — DNS rebinding, the class of CVE-2025-66414 —
// before authentication, before the body is read, and without calling the upstream.
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapability } from '../../generated/_runtime/index.js';
import { definition } from '../../generated/azure-imds-get-token/index.js';
import { AUTH, NS, PROXY_TOKEN, startStack } from '../e2e/stack.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const portOf = (url: string): number => Number(new URL(url).port);

/** Local addresses (hex, as in /proc/net/tcp*) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].filter(existsSync).flatMap((file) =>
    readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`))
      .map((cols) => cols[1]!.split(':')[0]!),
  );
}

const otherAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('default bind address', () => {
  it.skipIf(!existsSync('/proc/net/tcp'))('REST and MCP listen on 127.0.0.1 only (kernel socket table)', () => {
    for (const url of [stack.rest, stack.mcp]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(listeners(portOf(url))).toEqual(['0100007F']);
    }
  });

  it.skipIf(otherAddress === undefined)('is not reachable on the machine\'s other addresses', async () => {
    for (const url of [stack.rest, stack.mcp]) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(portOf(url), otherAddress!);
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
  });
});

interface Answer {
  status: number;
  body: string;
}

/** POST tools/list to /mcp with exactly these Host/Origin headers (fetch would not let us forge Host). */
function mcpPost(mcp: string, headers: Record<string, string>): Promise<Answer> {
  const url = new URL(mcp);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port: url.port, path: url.pathname, method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  });
}

/** HTTP/1.0 without any Host header (HTTP/1.1 parsers refuse that before the app sees it). */
function withoutHost(mcp: string): Promise<number> {
  const url = new URL(mcp);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.\d (\d+)/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
    socket.end(`POST /mcp HTTP/1.0\r\n${AUTH.authorization ? `Authorization: ${AUTH.authorization}\r\n` : ''}Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  });
}

describe('/mcp Host and Origin allow-list (DNS rebinding)', () => {
  it.each([
    ['a foreign Host', { host: 'evil.example' }],
    ['a foreign Host on the right port', { host: 'evil.example:PORT' }],
    ['a Host that starts like localhost', { host: 'localhost.evil.example:PORT' }],
    ['a rebinding name for 127.0.0.1', { host: '127.0.0.1.nip.io:PORT' }],
    ['userinfo in the Host', { host: '127.0.0.1@evil.example' }],
    ['a foreign Origin with a good Host', { host: '127.0.0.1:PORT', origin: 'http://evil.example' }],
    ['a foreign Origin on the right port', { host: 'localhost:PORT', origin: 'http://evil.example:PORT' }],
    ['an Origin that starts like localhost', { host: 'localhost:PORT', origin: 'http://localhost.evil.example:PORT' }],
    ['a null Origin (sandboxed page)', { host: 'localhost:PORT', origin: 'null' }],
    ['an Origin that is not a URL', { host: 'localhost:PORT', origin: 'localhost' }],
  ])('%s → 403 JSON-RPC error even with a valid token; upstream untouched', async (_name, forged) => {
    const port = String(portOf(stack.mcp));
    const headers = Object.fromEntries(Object.entries(forged).map(([k, v]) => [k, v.replace('PORT', port)]));
    stack.mock.clearRequests();
    const answer = await mcpPost(stack.mcp, { ...AUTH, ...headers });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    expect(answer.body).not.toContain('microsoft-azure');
    expect(stack.mock.requests).toHaveLength(0);
  });

  it('no Host at all → 403', async () => {
    expect(await withoutHost(stack.mcp)).toBe(403);
  });

  it.each([
    ['127.0.0.1', { host: '127.0.0.1:PORT' }],
    ['localhost with a same-host Origin', { host: 'localhost:PORT', origin: 'http://localhost:PORT' }],
    ['[::1]', { host: '[::1]:PORT', origin: 'http://[::1]:PORT' }],
    ['an upper-case LOCALHOST', { host: 'LOCALHOST:PORT' }],
  ])('loopback names are accepted: %s', async (_name, good) => {
    const port = String(portOf(stack.mcp));
    const headers = Object.fromEntries(Object.entries(good).map(([k, v]) => [k, v.replace('PORT', port)]));
    const answer = await mcpPost(stack.mcp, { ...AUTH, ...headers });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain('microsoft-azure-get-identity-oauth2');
    // Host is checked first, authentication still applies to accepted hosts.
    expect((await mcpPost(stack.mcp, headers)).status).toBe(401);
  });

  it('--allowed-host adds names; everything else stays refused, also when bound to all interfaces', async () => {
    for (const host of [undefined, '0.0.0.0']) {
      const running = await startCapability(definition, {
        host, restPort: 0, mcpPort: 0, baseUris: { [NS]: stack.mock.baseUri }, allowedHosts: ['mcp.internal'], env: { IMDS_PROXY_TOKEN: PROXY_TOKEN },
      });
      try {
        const mcp = running.mcp[0]!.url.replace('0.0.0.0', '127.0.0.1');
        expect((await mcpPost(mcp, { ...AUTH, host: 'mcp.internal', origin: 'https://mcp.internal' })).status).toBe(200);
        expect((await mcpPost(mcp, { ...AUTH, host: `127.0.0.1:${portOf(mcp)}` })).status).toBe(200);
        expect((await mcpPost(mcp, { ...AUTH, host: 'evil.example' })).status).toBe(403);
        expect((await mcpPost(mcp, { ...AUTH, host: 'mcp.internal', origin: 'https://evil.example' })).status).toBe(403);
      } finally {
        await running.close();
      }
    }
  });
});
