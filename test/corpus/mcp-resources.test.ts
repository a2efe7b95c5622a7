// MCP resources and prompts through the SDK client (cases M13, M14).
import { rmSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder } from './recorder.js';

const SPEC = '../shared/corpus/naftiko-examples/tests/mcp/mcp-resources-prompts-capability.yaml';
const dir = scratchDir('resources');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lists and reads resources and templates, and renders prompts', async () => {
  expect((await cli('generate', SPEC, '--out', dir)).code).toBe(0);
  const upstream = await startRecorder();
  const running = await startGenerated(dir, 'mcp-resources-prompts-capability', { baseUris: { 'mock-api': `${upstream.url}/v1` }, retry: false });
  const client = new Client({ name: 'resources', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
    const { resources } = await client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: 'data://databases/pre-release/schema', name: 'database-schema', title: 'Database Schema', mimeType: 'application/json' })]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'data://users/{userId}/profile', name: 'user-profile', title: 'User Profile' })]);

    const read = await client.readResource({ uri: 'data://users/42/profile' });
    expect(upstream.requests.at(-1)!.url).toBe('/v1/databases/42/query');
    expect(read.contents[0]).toMatchObject({ uri: 'data://users/42/profile', mimeType: 'application/json' });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toHaveProperty('echo');
    await expect(client.readResource({ uri: 'data://does-not-exist' })).rejects.toThrow();

    const outreach = await client.getPrompt({ name: 'participant-outreach', arguments: { participant_name: 'Alice', product_name: 'Naftiko' } });
    expect(outreach.messages).toHaveLength(1);
    const text = (outreach.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Alice');
    expect(text).toContain('Naftiko');
    expect(text).not.toContain('{{');
    const summary = await client.getPrompt({ name: 'summary-prompt', arguments: { data: 'some data' } });
    expect(summary.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect((summary.messages[0]!.content as { text: string }).text).toContain('{{format}}');
  } finally {
    await client.close();
    await running.close();
    await upstream.close();
  }
});
