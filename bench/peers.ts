/**
 * Peers on the same API: the OpenAPI 3.1 export of a capability (`naftiko-codegen openapi`) fed
 * to @hey-api/openapi-ts (typed client) and openapi-mcp-generator (MCP server project), against
 * naftiko-codegen generating the capability itself (client, REST routes, MCP tools, server).
 * Each command runs as a fresh process on an empty output folder, in rotating order; medians of
 * wall time, and the size of what each wrote.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { countOperations, SAMPLE } from './generation.js';
import { forgetCache } from './lib/generate.js';
import { ROOT, runProcess } from './lib/proc.js';
import { scratch, unavailable, type Mode, type SectionResult, type Target } from './lib/section.js';
import { count, kib, median, ratio, seconds } from './lib/stats.js';
import { treeSize } from './lib/tree.js';

const CLI = join(ROOT, 'bin/naftiko-codegen.js');
const HEY_API = join(ROOT, 'node_modules/@hey-api/openapi-ts/bin/run.js');
const MCP_GENERATOR = join(ROOT, 'node_modules/openapi-mcp-generator/bin/openapi-mcp-generator.js');
const IMDS = join(ROOT, 'capabilities/azure-imds-get-token.yaml');

interface Tool {
  readonly name: string;
  /** The command writing into `out` (a folder that does not exist yet). */
  command(capability: string, openapi: string, out: string): string[];
}

const TOOLS: readonly Tool[] = [
  { name: 'naftiko-codegen generate', command: (capability, _openapi, out) => [process.execPath, CLI, 'generate', capability, '--out', out] },
  { name: '@hey-api/openapi-ts', command: (_capability, openapi, out) => [process.execPath, HEY_API, '--input', openapi, '--output', out, '--silent', '--no-log-file'] },
  { name: 'openapi-mcp-generator', command: (_capability, openapi, out) => [process.execPath, MCP_GENERATOR, '--input', openapi, '--output', out, '--force'] },
];

interface Figures {
  readonly wall: number[];
  size?: { files: number; bytes: number };
}

export async function run(mode: Mode): Promise<SectionResult> {
  const work = scratch('peers');
  try {
    // The IMDS capability and the largest sample capabilities (by consumed operations).
    const sample = mode.quick ? [] : readdirSync(SAMPLE).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(SAMPLE, f));
    const largest = mode.quick ? [] : sample.map((file) => ({ file, ops: countOperations([file]) })).sort((a, b) => b.ops - a.ops).slice(0, 2);
    const capabilities = [{ file: IMDS, ops: countOperations([IMDS]) }, ...largest];

    const openapi = new Map<string, string>();
    for (const { file } of capabilities) {
      const target = join(work.dir, `${basename(file, '.yaml')}.openapi.json`);
      const exported = await runProcess([process.execPath, CLI, 'openapi', file, '--out', target]);
      if (exported.code !== 0) return unavailable('Peers on the same API', `\`naftiko-codegen openapi\` failed for ${basename(file)}: ${(exported.stderr.trim().split('\n')[0] ?? '').slice(0, 200)}`);
      openapi.set(file, target);
    }

    const rounds = mode.quick ? 1 : 2;
    const figures = new Map<string, Figures>();
    const key = (tool: Tool, file: string): string => `${tool.name}\u0000${file}`;
    let n = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const { file } of capabilities) {
        // Rotate the order so no tool always runs first (disk caches, CPU boost, neighbours).
        const order = TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]!);
        for (const tool of order) {
          const out = join(work.dir, `out-${(n += 1)}`);
          const run = await runProcess(tool.command(file, openapi.get(file)!, out));
          forgetCache(out);
          if (run.code !== 0) throw new Error(`${tool.name} failed on ${basename(file)}: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / ')}`);
          const entry = figures.get(key(tool, file)) ?? { wall: [] };
          entry.wall.push(run.wallMs);
          entry.size ??= treeSize(out);
          figures.set(key(tool, file), entry);
        }
      }
    }

    const rows: string[][] = [];
    const ratios: { hey: number[]; mcp: number[] } = { hey: [], mcp: [] };
    for (const { file, ops } of capabilities) {
      const ours = median(figures.get(key(TOOLS[0]!, file))!.wall);
      for (const tool of TOOLS) {
        const f = figures.get(key(tool, file))!;
        const wall = median(f.wall);
        rows.push([tool === TOOLS[0] ? `${basename(file, '.yaml')} (${ops} ops)` : '', tool.name, seconds(wall), tool === TOOLS[0] ? '' : ratio(ours / wall), count(f.size!.files), kib(f.size!.bytes)]);
        if (tool === TOOLS[1]) ratios.hey.push(ours / wall);
        if (tool === TOOLS[2]) ratios.mcp.push(ours / wall);
      }
    }
    const targets: Target[] = [];
    return {
      tables: [{
        title: `Peers on the same API: generation from the capability vs from its OpenAPI export, median of ${rounds}`,
        headers: ['capability', 'tool', 'wall time', 'ours / this', 'files', 'size'],
        rows,
        notes: [
          'wall time of a fresh process writing into an empty folder (Node start-up included for every tool)',
          'naftiko-codegen writes types, client, REST routes, MCP tools, server and its runtime (~30 files shared by all capabilities of an output folder); @hey-api/openapi-ts writes types, an SDK and its fetch client; openapi-mcp-generator writes an MCP server project (sources and config, dependencies not installed)',
          `ours / this < 1: naftiko-codegen was faster; median over the capabilities: ${ratio(median(ratios.hey))} vs hey-api, ${ratio(median(ratios.mcp))} vs openapi-mcp-generator`,
        ],
      }],
      targets,
    };
  } finally {
    work.remove();
  }
}
