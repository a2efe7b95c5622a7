/**
 * Cold start: from spawning a generated server process (`npx tsx …/server.ts`, as the README runs
 * it) to its first answered token request, median of several starts; the hand-written baseline,
 * started the same way, alongside for scale.
 */
import { performance } from 'node:perf_hooks';
import { type Mode, type SectionResult } from './lib/section.js';
import { AUTH, expectToken, restTokenPath, startBaseline, startGenerated, startUpstream } from './lib/stack.js';
import { median, ms, ratio } from './lib/stats.js';

async function firstAnswer(start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<number> {
  const began = performance.now();
  const server = await start();
  try {
    await expectToken(`${server.url}${restTokenPath}`, AUTH);
    return performance.now() - began;
  } finally {
    await server.stop();
  }
}

export async function run(mode: Mode): Promise<SectionResult> {
  const starts = mode.quick ? 1 : 5;
  const upstream = await startUpstream();
  try {
    const generated: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < starts; i += 1) {
      generated.push(await firstAnswer(async () => {
        const s = await startGenerated(upstream.url);
        return { url: s.rest, stop: s.process.stop };
      }));
      baseline.push(await firstAnswer(async () => {
        const s = await startBaseline(upstream.url);
        return { url: s.url, stop: s.process.stop };
      }));
    }
    const g = median(generated);
    const b = median(baseline);
    return {
      tables: [{
        title: `Cold start: process spawn to first answered request, median of ${starts}`,
        headers: ['server', 'time'],
        rows: [
          ['generated IMDS server (REST + MCP adapters)', ms(g)],
          ['hand-written baseline (REST only)', ms(b)],
          ['generated / hand-written', ratio(g / b)],
        ],
        notes: ['both run through tsx (TypeScript compiled at load, as `npx tsx server.ts` does); the time includes Node start-up, loading Fastify, undici and the MCP SDK, listening, and one request to the mock IMDS'],
      }],
      targets: [],
    };
  } finally {
    await upstream.process.stop();
  }
}
