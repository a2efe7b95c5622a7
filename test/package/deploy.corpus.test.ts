// docs/deploy.md followed word for word (issue 17): the packed generator installed as a
// devDependency into an empty project, `new` + `generate`, `check` failing until the project lists
// the packages the generated code imports, the build recipe of the docs (plain tsc), then the
// project copied to a separate clean folder, `npm ci --omit=dev` (no naftiko-codegen, tsx or
// TypeScript left), and the compiled server started with plain node and called over REST and MCP.
// Needs the npm registry or a warm npm cache (--prefer-offline): opt-in, `npm run test:deploy`
// (also part of `npm run test:corpus`).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'naftiko-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd: string): string =>
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' },
  });

/** The code block after `<!-- deploy:<name> -->` in docs/deploy.md. */
function recipe(name: string): string {
  const docs = readFileSync('docs/deploy.md', 'utf8');
  const match = new RegExp(`<!-- deploy:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(docs);
  if (!match) throw new Error(`docs/deploy.md has no deploy:${name} block`);
  return match[1]!;
}

/** A stand-in for the starter's upstream (JSONPlaceholder): GET /todos/<id>. */
function upstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const id = /^\/todos\/(\d+)$/.exec(request.url ?? '')?.[1];
    response.writeHead(id ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(id ? { userId: 1, id: Number(id), title: `todo ${id}`, completed: id === '1' } : {}));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

it('packs, installs into an empty project, generates, builds with tsc, installs for production in a clean folder, serves REST and MCP', async () => {
  npm(['pack', '--pack-destination', work], resolve('.'));
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  expect(listing).toContain('package/schemas/naftiko-1.0.0-alpha2.schema.json');

  // 1. The developer's project: the generator (and the compiler) as devDependencies.
  const project = join(work, 'project');
  mkdirSync(project);
  const build = JSON.parse(`{${recipe('build')}}`) as { build: string };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'deploy-demo', version: '1.0.0', private: true, type: 'module', scripts: build }, null, 2)}\n`);
  npm(['install', '--save-dev', tarball, 'typescript@5.9', '@types/node@20'], project);
  const bin = join(project, 'node_modules/naftiko-codegen/bin/naftiko-codegen.js');
  const codegen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: project, encoding: 'utf8' });

  expect(codegen('new', 'demo').status).toBe(0);
  expect(readFileSync(join(project, 'capabilities/demo.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/naftiko-codegen\/schemas\/naftiko-1\.0\.0-alpha2\.schema\.json\n/);
  const generated = codegen('generate');
  expect(generated.status, generated.stderr).toBe(0);
  expect(generated.stdout).toMatch(/^generated 1 capability into generated /);

  // 2. check: the project does not list what the generated code imports yet.
  const before = codegen('check');
  expect(before.status).toBe(1);
  expect(before.stderr).toMatch(/"dependencies" lacks .*fastify.*jose/);
  const wanted = (JSON.parse(readFileSync(join(project, 'generated/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  expect(Object.keys(wanted)).toEqual(expect.arrayContaining(['fastify', 'undici', '@modelcontextprotocol/sdk', 'zod', 'pino', 'prom-client', 'jose']));
  npm(['install', ...Object.entries(wanted).map(([n, r]) => `${n}@${r}`)], project);
  const after = codegen('check');
  expect(after.status, after.stderr).toBe(0);

  // 3. The build recipe of the docs: plain tsc to JavaScript.
  writeFileSync(join(project, 'tsconfig.build.json'), `${recipe('tsconfig')}\n`);
  npm(['run', 'build'], project);
  expect(existsSync(join(project, 'dist/generated/demo/server.js'))).toBe(true);
  expect(existsSync(join(project, 'dist/generated/demo/openapi.json'))).toBe(true);

  // 4. A separate clean folder holding only the repository and the build output; production install.
  const prod = join(work, 'prod');
  mkdirSync(prod);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.build.json', 'capabilities', 'generated', 'dist']) cpSync(join(project, entry), join(prod, entry), { recursive: true });
  npm(['ci', '--omit=dev'], prod);
  for (const gone of ['naftiko-codegen', 'tsx', 'typescript']) expect(existsSync(join(prod, 'node_modules', gone)), gone).toBe(false);
  expect(existsSync(join(prod, 'node_modules/fastify'))).toBe(true);

  // 5. Plain node, no tsx: REST and MCP answer.
  const { server, url } = await upstream();
  const child = spawn(process.execPath, ['dist/generated/demo/server.js', '--rest-port', '0', '--mcp-port', '0', '--base-uri', `jsonplaceholder=${url}`], { cwd: prod, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((done) => child.once('exit', done));
  try {
    const urls = await new Promise<{ rest: string; mcp: string }>((done, fail) => {
      let text = '';
      const look = (chunk: Buffer) => {
        text += chunk.toString();
        const rest = /REST \S+ listening on (\S+)/.exec(text)?.[1];
        const mcp = /MCP \S+ listening on (\S+)/.exec(text)?.[1];
        if (rest && mcp) done({ rest, mcp });
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      child.once('exit', () => fail(new Error(`server exited: ${text}`)));
    });
    const response = await fetch(`${urls.rest}/todos/1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 1, title: 'todo 1', done: true });

    const client = new Client({ name: 'deploy-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(urls.mcp)));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('get-todo');
      const result = await client.callTool({ name: 'get-todo', arguments: { id: 2 } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent ?? JSON.parse((result.content as { text: string }[])[0]!.text)).toMatchObject({ id: 2, title: 'todo 2', done: false });
    } finally {
      await client.close();
    }
  } finally {
    child.kill('SIGTERM');
    server.close();
  }
  expect(await exit).toBe(0);
}, 600_000);
