// Conformance harness: generates one capability (an inline YAML text or an official example),
// starts the generated server on free loopback ports with every consumes namespace pointed at a
// recording upstream (keeping the spec's base path), and hands the test plain HTTP, raw JSON-RPC
// and the official MCP SDK client. Nothing is mocked between the caller and the upstream.
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ServerOptions } from '../../generator/runtime/server.js';
import { startRecorder, type Recorder } from '../corpus/recorder.js';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';

export const EXAMPLES = 'test/fixtures/naftiko-examples';

export interface Deployed {
  upstream: Recorder;
  /** Base URL of the first REST adapter. */
  rest: string;
  /** URL of the first MCP adapter's Streamable HTTP endpoint. */
  mcp: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** One JSON-RPC message POSTed as-is to the MCP endpoint. */
  rpc(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** A connected SDK client (closed with the deployment). */
  client(headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

/** The path of a base URI (`/v1` of `http://host/v1`), or '' when it has none or is templated. */
function basePath(baseUri: string): string {
  try {
    return new URL(baseUri).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** Generates `source` (YAML text, or `{example}` relative to the official examples, or to `root`) and starts it. */
export async function deploy(
  source: string | { example: string; root?: string },
  options: ServerOptions & { extraFiles?: Record<string, string> } = {},
): Promise<Deployed> {
  const dir = scratchDir('conformance');
  const { extraFiles, ...serverOptions } = options;
  let file: string;
  if (typeof source === 'string') {
    file = join(dir, 'capability.yaml');
    writeFileSync(file, source);
    for (const [name, text] of Object.entries(extraFiles ?? {})) writeFileSync(join(dir, name), text);
  } else {
    file = join(source.root ?? EXAMPLES, source.example);
  }
  const run = await cli('generate', file, '--out', join(dir, 'out'));
  if (run.code !== 0) throw new Error(`generation failed:\n${run.stderr}`);
  const upstream = await startRecorder();
  const name = basename(file).replace(/\.ya?ml$/, '');
  // Every consumes namespace (imported ones included) goes to the recorder, keeping its base path.
  const { definition } = (await import(pathToFileURL(join(dir, 'out', name, 'server.ts')).href)) as { definition: { consumes: { namespace: string; baseUri: string }[] } };
  const baseUris = Object.fromEntries(definition.consumes.map((c) => [c.namespace, upstream.url + basePath(c.baseUri)]));
  const running = await startGenerated(join(dir, 'out'), name, { baseUris, retry: false, ...serverOptions });
  const clients: Client[] = [];
  const rest = running.rest[0]?.url ?? '';
  const mcp = running.mcp[0]?.url ?? '';
  return {
    upstream,
    rest,
    mcp,
    fetch: (path, init) => fetch(rest + path, init),
    rpc: (body, headers = {}) =>
      fetch(mcp, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async client(headers = {}) {
      const client = new Client({ name: 'conformance', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(mcp), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await running.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` against a deployment and always closes it. */
export async function withDeployment(
  source: Parameters<typeof deploy>[0],
  options: Parameters<typeof deploy>[1],
  body: (d: Deployed) => Promise<void>,
): Promise<void> {
  const deployed = await deploy(source, options);
  try {
    await body(deployed);
  } finally {
    await deployed.close();
  }
}

/** The text of the first content item of a tool result. */
export function firstText(result: object): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  return content?.[0]?.text ?? '';
}

/** A minimal alpha2 capability around `exposes` and `consumes` YAML blocks (indented 2). */
export function capability(body: string): string {
  return `naftiko: "1.0.0-alpha2"\ninfo: {label: Conformance}\ncapability:\n${body}`;
}
