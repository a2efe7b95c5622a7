// `naftiko-codegen serve DIR` runs a generated folder from any --out, without a build step.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'naftiko-serve-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('serves a capability generated outside the repository', async () => {
  expect((await cli('generate', 'capabilities/azure-imds-get-token.yaml', '--out', out)).code).toBe(0);
  const child = spawn(process.execPath, ['bin/naftiko-codegen.js', 'serve', join(out, 'azure-imds-get-token'), '--rest-port', '0', '--mcp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IMDS_PROXY_TOKEN: 'serve-token' } });
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const rest = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const url = /REST \S+ listening on (\S+)/.exec(text)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', () => reject(new Error(`serve exited: ${text}`)));
    });
    const response = await fetch(`${rest}/v1/identity/oauth2/token`, { headers: { authorization: 'Bearer serve-token' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exit).toBe(0);
}, 60_000);
