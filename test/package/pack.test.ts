// The published package as a user gets it: `npm pack`, installed from the tarball into an empty
// folder, generates a capability with a TypeScript config (typed by `defineConfig`) and serves it
// against the mock IMDS. Slow (an npm install): keep this the only test of its kind.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startMockImds } from '../mock-imds/mock-imds.js';

const work = mkdtempSync(join(tmpdir(), 'naftiko-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd: string): string =>
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

it('installs from the tarball into an empty folder, generates with a config and serves', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  npm(['pack', '--pack-destination', work, '--loglevel=error'], resolve('.'));
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);

  // Only what a user needs: no tests, no generated output, no capabilities.
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
  expect(listing).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/naftiko-codegen.js', 'generator/cli/main.ts', 'generator/runtime/server.ts', 'generator/config/define.js', 'generator/config/define.d.ts', 'templates/server.ts.hbs', 'docs/cli.md']));
  expect(listing.filter((p) => /^(test|generated|capabilities|bench|node_modules|\.cache)\//.test(p))).toEqual([]);

  const project = join(work, 'project');
  mkdirSync(join(project, 'capabilities'), { recursive: true });
  npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project);
  const bin = join(project, 'node_modules/naftiko-codegen/bin/naftiko-codegen.js');

  const mock = await startMockImds();
  try {
    cpSync('capabilities/azure-imds-get-token.yaml', join(project, 'capabilities/azure-imds-get-token.yaml'));
    writeFileSync(join(project, 'naftiko-codegen.config.ts'), `import { defineConfig } from 'naftiko-codegen';

export default defineConfig({
  capabilities: {
    'azure-imds-get-token': {
      consumes: { 'instancemetadataclient-get-token': { baseUri: '${mock.baseUri}' } },
      rest: { port: 0 },
      mcp: { port: 0 },
    },
  },
});
`);
    // The config type-checks against the package's own types (and a wrong value would not).
    execFileSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'naftiko-codegen.config.ts'], { cwd: project, encoding: 'utf8' });

    expect(npm(['exec', '--no', '--', 'naftiko-codegen', '--version'], project).trim()).toBe(version);
    const generated = npm(['exec', '--no', '--', 'naftiko-codegen', 'generate'], project);
    expect(generated).toMatch(/^generated 1 capability into generated /);

    // The bin directly (not through npm exec) so that SIGTERM reaches the server itself.
    const child = spawn(process.execPath, [bin, 'serve', 'generated/azure-imds-get-token'], { cwd: project, env: { ...process.env, IMDS_PROXY_TOKEN: 'pack-token' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const rest = await new Promise<string>((resolveUrl, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const url = /REST \S+ listening on (\S+)/.exec(text)?.[1];
          if (url) resolveUrl(url);
        });
        child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
        child.once('exit', () => reject(new Error(`serve exited: ${text}`)));
      });
      const response = await fetch(`${rest}/v1/identity/oauth2/token?resource=${encodeURIComponent('https://management.azure.com/')}`, { headers: { authorization: 'Bearer pack-token' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ token_type: 'Bearer', resource: 'https://management.azure.com/' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  } finally {
    await mock.close();
  }
}, 240_000);
