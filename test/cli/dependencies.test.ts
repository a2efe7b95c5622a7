// The packages generated code imports are explicit (issue 17, docs/deploy.md): the output's
// package.json lists them, and check fails when the project's package.json lacks one in dependencies.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dependencySet, packageOf } from '../../generator/write/dependencies.js';
import { cli } from '../helpers/cli.js';

const IMDS = resolve('capabilities/azure-imds-get-token.yaml');
const base = mkdtempSync(join(tmpdir(), 'naftiko-deps-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const own = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

function project(name: string, pkg: Record<string, unknown> | undefined): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  if (pkg) writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  return dir;
}

describe('the dependency set', () => {
  it('names packages, not subpaths, builtins or relative files', () => {
    expect(['fastify', '@modelcontextprotocol/sdk/server/mcp.js', 'csv-parse/sync', 'node:fs', 'fs', './x.js', '../_runtime/index.js'].map(packageOf))
      .toEqual(['fastify', '@modelcontextprotocol/sdk', 'csv-parse', undefined, undefined, undefined, undefined]);
    const set = dependencySet([['a.ts', "import { a } from 'fastify';\nimport type { B } from 'zod';\nconst p = await import('prom-client');\nrequire.resolve('swagger-ui-dist/package.json');"], ['b.json', "from 'nope'"]]);
    expect(set.dependencies).toEqual({ fastify: own.dependencies.fastify, 'prom-client': own.dependencies['prom-client'], zod: own.dependencies.zod });
    expect(set.optionalDependencies).toEqual({ 'swagger-ui-dist': own.dependencies['swagger-ui-dist'] });
  });

  it('the committed generated/package.json lists what generated/ imports, with the generator\'s ranges', () => {
    const pkg = JSON.parse(readFileSync('generated/package.json', 'utf8')) as { type: string; dependencies: Record<string, string> };
    expect(pkg.type).toBe('module');
    for (const name of ['fastify', 'undici', '@modelcontextprotocol/sdk', 'zod', 'pino', 'prom-client', 'jose', 'fast-xml-parser', 'csv-parse', 'yaml']) {
      expect(pkg.dependencies[name], name).toBe(own.dependencies[name]);
    }
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });
});

describe('check and the project package.json', () => {
  it('fails, naming the missing packages and the npm i command, when dependencies lack them (devDependencies do not count)', async () => {
    const dir = project('dev-only', { name: 'x', private: true, devDependencies: { fastify: '^5', 'naftiko-codegen': '*' } });
    const out = join(dir, 'generated');
    expect((await cli('generate', IMDS, '--out', out)).code).toBe(0);
    const run = await cli('check', IMDS, '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(dir, 'package.json')}:1:1: error: "dependencies" lacks @modelcontextprotocol/sdk, `);
    expect(run.stderr).toMatch(/lacks [^\n]*\bfastify, [^\n]*\bjose, [^\n]*\bzod, which the generated code imports/);
    expect(run.stderr).toContain('(fastify only under devDependencies, which a production install omits)');
    expect(run.stderr).toMatch(/hint: run `npm i @modelcontextprotocol\/sdk@\^[\d.]+ [^`]*\bfastify@\^[\d.]+ /);
    const json = JSON.parse((await cli('check', IMDS, '--out', out, '--json')).stdout) as { ok: boolean; diagnostics: { code: string; severity: string }[] };
    expect(json.ok).toBe(false);
    expect(json.diagnostics.map((d) => [d.code, d.severity])).toEqual([['dependencies', 'error'], ['dependencies', 'warning']]);
  });

  it('passes when dependencies list them; a missing swagger-ui-dist is only a warning', async () => {
    const wanted = Object.fromEntries(Object.entries(own.dependencies).filter(([n]) => n !== 'swagger-ui-dist'));
    const dir = project('complete', { name: 'y', private: true, dependencies: wanted });
    const out = join(dir, 'src', 'generated');
    expect((await cli('generate', IMDS, '--out', out)).code).toBe(0);
    const run = await cli('check', IMDS, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: "dependencies" lacks swagger-ui-dist: the generated server runs without it, with no \/docs page/);
  });

  it('without a package.json above the output there is nothing to compare with', async () => {
    const out = join(project('bare', undefined), 'generated');
    // tmpdir() itself has no package.json above it on this machine's layout; only the output is checked then.
    expect((await cli('generate', IMDS, '--out', out)).code).toBe(0);
    const run = await cli('check', IMDS, '--out', out);
    expect(run.stderr).not.toMatch(/lacks/);
  });
});
