/**
 * The MCP server openapi-mcp-generator (devDependency) scaffolds for an OpenAPI document, built
 * and run as its README says: the generated project's dependencies are installed with
 * `npm install --prefer-offline` into a bench folder (once; reused while its package.json is
 * unchanged), the TypeScript is compiled with the project's own tsc, and `node build/index.js`
 * serves it. Anything that fails here makes the peer "n/a" with the reason, never the bench.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runProcess } from './proc.js';

const PEER_ROOT = join(ROOT, '.cache', 'bench-peer-mcp');
const GENERATOR = join(ROOT, 'node_modules/openapi-mcp-generator/bin/openapi-mcp-generator.js');

export type PeerTransport = 'streamable-http' | 'stdio';

export interface PeerProject {
  /** `build/index.js` of the compiled project. */
  readonly entry: string;
  readonly dir: string;
}

/** Scaffolds, installs (cached) and compiles the peer's project; throws with a short reason. */
export async function buildPeerMcp(openapi: object, transport: PeerTransport, port: number): Promise<PeerProject> {
  const dir = join(PEER_ROOT, transport);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(openapi, null, 2));
  const project = join(dir, 'project');
  const scaffold = await runProcess([process.execPath, GENERATOR, '--input', join(dir, 'openapi.json'), '--output', project, '--transport', transport, '--port', String(port), '--force']);
  if (scaffold.code !== 0) throw new Error(`openapi-mcp-generator failed: ${lastLine(scaffold.stderr || scaffold.stdout)}`);
  await installDependencies(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies?: unknown; devDependencies?: unknown });
  // The project's `build` script is `tsc` (plus a chmod); its node_modules live one level up.
  const build = await runProcess([process.execPath, join(PEER_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')]);
  if (build.code !== 0) throw new Error(`the generated project does not compile: ${lastLine(build.stdout || build.stderr)}`);
  return { entry: join(project, 'build/index.js'), dir: project };
}

/**
 * One shared node_modules for every scaffold (Node resolves upwards from the projects), installed
 * again only when a scaffold needs a package it lacks (the streamable-http scaffold's set covers
 * the stdio one's).
 */
async function installDependencies(projectPackage: { dependencies?: unknown; devDependencies?: unknown }): Promise<void> {
  const manifestFile = join(PEER_ROOT, 'package.json');
  const stamp = join(PEER_ROOT, 'node_modules', '.bench-installed');
  const current = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as typeof projectPackage) : undefined;
  if (current && existsSync(stamp) && covers(current, projectPackage)) return;
  mkdirSync(PEER_ROOT, { recursive: true });
  const manifest = { name: 'bench-peer-mcp', private: true, type: 'module', dependencies: projectPackage.dependencies, devDependencies: projectPackage.devDependencies };
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await runProcess(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_ROOT, timeoutMs: 300_000 });
  if (install.code !== 0) throw new Error(`npm install of the generated project's dependencies failed: ${lastLine(install.stderr)}`);
  writeFileSync(stamp, new Date().toISOString());
}

function covers(have: { dependencies?: unknown; devDependencies?: unknown }, want: { dependencies?: unknown; devDependencies?: unknown }): boolean {
  const names = (deps: unknown): string[] => Object.keys((deps ?? {}) as Record<string, string>);
  const haveAll = new Set([...names(have.dependencies), ...names(have.devDependencies)]);
  return [...names(want.dependencies), ...names(want.devDependencies)].every((n) => haveAll.has(n));
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' / ').slice(0, 300) || 'no output';
}
