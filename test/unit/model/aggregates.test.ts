// Aggregate functions referenced with `ref` (semantics doc §6.1, cases M12 and R14).
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { runPipeline } from '../../../generator/pipeline.js';

const DIR = 'test/fixtures/naftiko-examples/tests/aggregates';
const model = (file: string) => runPipeline(`${DIR}/${file}`, { outDir: tmpdir(), validateOnly: true }).model!;

describe('aggregates', () => {
  it('M12: hints derive from semantics and are overridden field by field', () => {
    const tools = model('aggregate-hints-override.yaml').mcp[0]!.tools;
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(byName['read-items']).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName['read-items-open']).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(byName['delete-item']).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(byName['plain-tool']).toBeUndefined();
  });

  it('a tool without name or description inherits them from the function', () => {
    const tools = model('aggregate-basic.yaml').mcp[0]!.tools;
    expect(tools.map((t) => [t.name, t.description])).toEqual([
      ['get-forecast', 'Get the weather forecast.'],
      ['get-forecast-inherited', 'Fetch current weather forecast for a location.'],
    ]);
    expect(tools[0]!.call!.operation.name).toBe('get-forecast');
  });

  it('R14: a shared mock function serves REST and MCP with the same rendered payload shape', () => {
    const m = model('aggregate-shared-mock.yaml');
    const rest = m.rest[0]!.operations[0]!;
    const tool = m.mcp[0]!.tools[0]!;
    expect(rest.call).toBeUndefined();
    expect(rest.output.kind).toBe('mapped');
    expect(tool.output.kind).toBe('mapped');
    const shapeOf = (o: typeof rest.output) => (o.kind === 'mapped' ? { shape: o.shape, mock: o.mock } : undefined);
    expect(shapeOf(rest.output)).toEqual(shapeOf(tool.output));
    expect(tool.inputs.map((i) => i.name)).toEqual(['name']);
  });
});

describe('R14 over HTTP', () => {
  it('REST and MCP return the same rendered mock payload', async () => {
    const { rmSync } = await import('node:fs');
    const { cli, scratchDir, startGenerated } = await import('../../helpers/cli.js');
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const out = scratchDir('r14');
    try {
      expect((await cli('generate', `${DIR}/aggregate-shared-mock.yaml`, '--out', out)).code).toBe(0);
      const running = await startGenerated(out, 'aggregate-shared-mock');
      try {
        const response = await fetch(`${running.rest[0]!.url}/hello?name=Nina`);
        expect(response.status).toBe(200);
        const want = { message: 'Hello, Nina!', source: 'aggregate-mock' };
        expect(await response.json()).toEqual(want);
        const client = new Client({ name: 'r14', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
        const result = await client.callTool({ name: 'hello', arguments: { name: 'Nina' } });
        expect(result.isError ?? false).toBe(false);
        expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(want);
        await client.close();
      } finally {
        await running.close();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
