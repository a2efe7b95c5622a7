// `semantics.cacheable: true` on an aggregate function marks the consumed GET operations it calls
// as cacheable (docs/caching.md); the config file can refine or switch that off.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../../generator/pipeline.js';

const FILE = 'test/fixtures/naftiko-examples/tutorial/step-9-shipyard-aggregates.yml';

describe('semantics.cacheable', () => {
  it('marks the GET operations a cacheable function calls (its steps), and nothing else', () => {
    const model = runPipeline(FILE, { outDir: tmpdir(), validateOnly: true }).model!;
    const cached = model.consumes.flatMap((c) => c.operations.filter((o) => o.cache !== undefined).map((o) => `${c.namespace}.${o.name}`));
    expect(cached.sort()).toEqual(['registry.get-ship', 'registry.list-crew']);
    const registry = model.consumes.find((c) => c.namespace === 'registry')!;
    expect(registry.operations.find((o) => o.name === 'get-ship')!.cache).toEqual({});
    expect(registry.operations.filter((o) => o.method !== 'GET').every((o) => o.cache === undefined)).toBe(true);
  });
});
