/**
 * Does cost grow linearly with the size of a capability? Synthetic capabilities of 10 to 5,000
 * operations (bench/scaling/synthetic.ts) are generated and type-checked, each in a fresh
 * process; the growth exponent is the log-log least-squares slope (1 = linear). Both commands
 * have a fixed cost (loading Node, the generator, the runtime's and libraries' type
 * declarations), measured on a 1-operation capability and also reported subtracted, so the
 * exponent of the per-operation part is visible.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forgetCache, generateInChild } from './lib/generate.js';
import { scratch, type Mode, type SectionResult } from './lib/section.js';
import { count, growthExponent, median, ms, seconds } from './lib/stats.js';
import { typecheckInChild } from './lib/typecheck.js';
import { syntheticCapability } from './scaling/synthetic.js';

interface Point {
  readonly size: number;
  readonly generateMs: number;
  readonly typecheckMs: number;
}

async function measure(size: number, rounds: number): Promise<Point> {
  const generate: number[] = [];
  const typecheck: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const work = scratch(`scale${size}`);
    const out = join(work.dir, 'out');
    try {
      const spec = join(work.dir, `widgets${size}.yaml`);
      writeFileSync(spec, syntheticCapability(size));
      generate.push((await generateInChild([spec], out)).inProcessMs);
      typecheck.push(await typecheckInChild(out));
    } finally {
      forgetCache(out);
      work.remove();
    }
  }
  return { size, generateMs: median(generate), typecheckMs: median(typecheck) };
}

export async function run(mode: Mode): Promise<SectionResult> {
  const sizes = mode.quick ? [2, 5] : [10, 100, 1_000, 5_000];
  const base = await measure(1, mode.quick ? 1 : 2);
  const points: Point[] = [];
  for (const size of sizes) points.push(await measure(size, mode.quick || size >= 1_000 ? 1 : 2));

  const exponent = (pick: (p: Point) => number, minus = 0): number => growthExponent(points.map((p) => [p.size, pick(p) - minus] as const));
  const genK = exponent((p) => p.generateMs);
  const genMarginalK = exponent((p) => p.generateMs, base.generateMs);
  const tscK = exponent((p) => p.typecheckMs);
  const tscMarginalK = exponent((p) => p.typecheckMs, base.typecheckMs);
  const rows = points.map((p) => [
    count(p.size),
    ms(p.generateMs),
    ms(p.generateMs / p.size),
    seconds(p.typecheckMs),
    ms((p.typecheckMs - base.typecheckMs) / p.size),
  ]);
  rows.unshift([`1 (fixed cost)`, ms(base.generateMs), '', seconds(base.typecheckMs), '']);
  rows.push(['growth exponent', genK.toFixed(2), '', tscK.toFixed(2), '']);
  rows.push(['growth exponent, fixed cost subtracted', genMarginalK.toFixed(2), '', tscMarginalK.toFixed(2), '']);
  const linear = (k: number): boolean => k <= 1.15;
  return {
    tables: [{
      title: 'Scaling: synthetic capabilities (REST + MCP adapters, path/query/header/body inputs)',
      headers: ['operations', 'generate', 'generate per op', 'tsc --noEmit', 'tsc per op (fixed cost subtracted)'],
      rows,
      notes: [
        'generate = inside a fresh process (start-up excluded); tsc = wall time of `tsc --noEmit` on the output folder, runtime included',
        'growth exponent = least-squares slope of log(time) against log(operations) over the sizes above 1; 1.00 is linear',
      ],
    }],
    targets: mode.quick ? [] : [
      { name: 'generation grows linearly', goal: 'exponent ≈ 1', value: genMarginalK.toFixed(2), met: linear(genMarginalK) },
      { name: 'type-check grows linearly', goal: 'exponent ≈ 1', value: tscMarginalK.toFixed(2), met: linear(tscMarginalK) },
    ],
  };
}
