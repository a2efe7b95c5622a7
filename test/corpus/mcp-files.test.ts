// File-backed MCP resources and prompts (semantics doc §5.6–5.7): a directory served as
// `<uri>/<path>`, path checks (segments, `..`, symlinks out of the folder), a file prompt.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';

const dir = scratchDir('mcp-files');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lists and reads a directory resource, refuses paths that leave it, renders a file prompt', async () => {
  mkdirSync(join(dir, 'docs/guides'), { recursive: true });
  writeFileSync(join(dir, 'docs/readme.md'), '# Fleet\n');
  writeFileSync(join(dir, 'docs/guides/setup.json'), '{"step":1}');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'docs/escape.txt'));
  writeFileSync(join(dir, 'outreach.md'), 'Hello {{name}}, meet {{product}}.');
  writeFileSync(join(dir, 'files.yaml'), `naftiko: 1.0.0-alpha2
capability:
  exposes:
  - type: mcp
    namespace: files
    port: 9090
    tools:
    - {name: ping, description: Ping, outputParameters: [{type: string, value: pong}]}
    resources:
    - {name: docs, label: Docs, uri: 'docs://fleet', description: Fleet docs, location: 'file:///./docs'}
    prompts:
    - name: outreach
      description: Outreach mail
      arguments: [{name: name, description: Who}, {name: product, description: What, required: false}]
      location: 'file:///./outreach.md'
`);
  const run = await cli('generate', join(dir, 'files.yaml'), '--out', join(dir, 'out'));
  expect(run.code, run.stderr).toBe(0);
  const running = await startGenerated(join(dir, 'out'), 'files');
  const client = new Client({ name: 'files', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
    const { resources } = await client.listResources();
    // The symlink is not listed (and cannot be read): only regular files inside the folder are.
    expect(resources.map((r) => [r.uri, r.mimeType])).toEqual([
      ['docs://fleet/guides/setup.json', 'application/json'],
      ['docs://fleet/readme.md', 'text/markdown'],
    ]);
    const read = await client.readResource({ uri: 'docs://fleet/guides/setup.json' });
    expect(read.contents[0]).toMatchObject({ uri: 'docs://fleet/guides/setup.json', mimeType: 'application/json', text: '{"step":1}' });
    for (const uri of ['docs://fleet/escape.txt', 'docs://fleet/../secret.txt', 'docs://fleet/guides', 'docs://fleet/missing.md', 'docs://fleet/a%2F..%2F..%2Fsecret.txt']) {
      await expect(client.readResource({ uri }), uri).rejects.toThrow(/-32602|not allowed|no resource|directory/);
    }
    const prompt = await client.getPrompt({ name: 'outreach', arguments: { name: 'Ada' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Hello Ada, meet {{product}}.' } }]);
  } finally {
    await client.close();
    await running.close();
  }
});
