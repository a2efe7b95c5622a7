/**
 * MCP: tools/call throughput and latency through the official SDK client, the generated IMDS
 * server against the server openapi-mcp-generator scaffolds for the same upstream operation
 * (bench/lib/peer-mcp.ts, bench/lib/upstream-openapi.ts), both calling the same mock IMDS.
 * Over Streamable HTTP: N client sessions, one call in flight each. Over stdio (one session per
 * server process): N calls in flight. Rounds alternate between the servers; medians are kept.
 * A peer that cannot be built or run is reported "n/a" with the reason.
 */
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { mcpLoad, type McpLoadResult } from './lib/mcp-load.js';
import { buildPeerMcp } from './lib/peer-mcp.js';
import { freePort } from './lib/ports.js';
import { canPin, pinSelf, ROOT, startProcess, type Started } from './lib/proc.js';
import { type Mode, type SectionResult, type Target } from './lib/section.js';
import { AUTH, LOAD_CPU, NAMESPACE, PROXY_TOKEN, RESOURCE, SERVER_CPU, startGenerated, startUpstream, TOOL } from './lib/stack.js';
import { count, median, micros, ms, ratio } from './lib/stats.js';
import { upstreamOpenApi } from './lib/upstream-openapi.js';

const CAPABILITY = join(ROOT, 'capabilities/azure-imds-get-token.yaml');
const PEER_TOOL = 'microsoftazureidentitygettoken';
export const CLIENTS = 16;

interface Contender {
  readonly label: string;
  readonly transport: () => Transport;
  readonly tool: string;
  readonly sessions: number;
  readonly inFlight: number;
  readonly serverPid?: number;
}

type Outcome = { readonly results: McpLoadResult[] } | { readonly error: string };

/** Node under taskset when pinning is on, for servers the SDK's stdio transport spawns. */
function stdioServer(args: readonly string[], env: Record<string, string>): () => Transport {
  const command = canPin ? 'taskset' : process.execPath;
  const fullArgs = canPin ? ['-c', String(SERVER_CPU), process.execPath, ...args] : [...args];
  return () => new StdioClientTransport({ command, args: fullArgs, env, cwd: ROOT, stderr: 'ignore' });
}

async function measure(contenders: readonly Contender[], rounds: number, seconds: number): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>(contenders.map((c) => [c.label, { results: [] }]));
  for (let round = 0; round < rounds; round += 1) {
    for (const c of round % 2 ? [...contenders].reverse() : contenders) {
      const outcome = outcomes.get(c.label)!;
      if ('error' in outcome) continue;
      try {
        outcome.results.push(await mcpLoad({
          transport: c.transport, sessions: c.sessions, inFlight: c.inFlight, seconds, warmupSeconds: round === 0 ? 1 : 0.3,
          tool: c.tool, arguments: { resource: RESOURCE }, ...(c.serverPid !== undefined ? { serverPid: c.serverPid } : {}),
        }));
      } catch (error) {
        outcomes.set(c.label, { error: (error as Error).message.split('\n')[0]!.slice(0, 200) });
      }
    }
  }
  return outcomes;
}

export async function run(mode: Mode): Promise<SectionResult> {
  const rounds = mode.quick ? 1 : 3;
  const seconds = mode.quick ? 1 : 4;
  const clients = mode.quick ? 2 : CLIENTS;
  const restore = pinSelf(LOAD_CPU);
  const upstream = await startUpstream();
  const stops: (() => Promise<void>)[] = [upstream.process.stop];
  try {
    const generated = await startGenerated(upstream.url);
    stops.push(generated.process.stop);
    const ourHttp: Contender = {
      label: 'generated server, Streamable HTTP',
      transport: () => new StreamableHTTPClientTransport(new URL(generated.mcp), { requestInit: { headers: AUTH } }),
      tool: TOOL, sessions: clients, inFlight: 1, ...(generated.process.child.pid !== undefined ? { serverPid: generated.process.child.pid } : {}),
    };
    const ourStdio: Contender = {
      label: 'generated server, stdio',
      transport: stdioServer(['--import', 'tsx', join(ROOT, 'generated/azure-imds-get-token/server.ts'), '--mcp-transport', 'stdio', '--rest-port', '0', '--base-uri', `${NAMESPACE}=${upstream.url}/metadata`], { IMDS_PROXY_TOKEN: PROXY_TOKEN }),
      tool: TOOL, sessions: 1, inFlight: clients,
    };

    // The peer, for the same upstream operation.
    const openapi = upstreamOpenApi(CAPABILITY, `${upstream.url}/metadata`);
    const peerErrors = new Map<string, string>();
    let peerHttp: Contender | undefined;
    let peerStdio: Contender | undefined;
    let peerProcess: Started | undefined;
    try {
      const port = await freePort();
      const project = await buildPeerMcp(openapi, 'streamable-http', port);
      peerProcess = await startProcess({ command: [process.execPath, project.entry], env: { API_BASE_URL: `${upstream.url}/metadata` }, ready: /running at/, cpu: SERVER_CPU });
      stops.push(peerProcess.stop);
      peerHttp = {
        label: 'openapi-mcp-generator server, Streamable HTTP', transport: () => new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)),
        tool: PEER_TOOL, sessions: clients, inFlight: 1, ...(peerProcess.child.pid !== undefined ? { serverPid: peerProcess.child.pid } : {}),
      };
    } catch (error) {
      peerErrors.set('http', (error as Error).message.split('\n')[0]!);
    }
    try {
      const project = await buildPeerMcp(openapi, 'stdio', 0);
      peerStdio = { label: 'openapi-mcp-generator server, stdio', transport: stdioServer([project.entry], { API_BASE_URL: `${upstream.url}/metadata` }), tool: PEER_TOOL, sessions: 1, inFlight: clients };
    } catch (error) {
      peerErrors.set('stdio', (error as Error).message.split('\n')[0]!);
    }

    const http = await measure(peerHttp ? [ourHttp, peerHttp] : [ourHttp], rounds, seconds);
    if (peerHttp && peerProcess && 'error' in http.get(peerHttp.label)!) {
      // Say why in the peer's own words when it crashed.
      const crash = peerProcess.output().split('\n').find((l) => /Error|error:/.test(l));
      const alive = peerProcess.child.exitCode === null && peerProcess.child.signalCode === null;
      peerErrors.set('http', `${alive ? '' : 'the server process died; '}${crash?.trim() ?? (http.get(peerHttp.label) as { error: string }).error}`);
    }
    const stdio = await measure(peerStdio ? [ourStdio, peerStdio] : [ourStdio], rounds, seconds);

    const rows: string[][] = [];
    const figures = new Map<string, { rps: number; p99: number }>();
    const addRows = (outcomes: Map<string, Outcome>, contenders: (Contender | undefined)[], peerLabel: string, peerKey: string, shape: string): void => {
      for (const c of contenders) {
        const outcome = c ? outcomes.get(c.label) : undefined;
        if (!c || !outcome || 'error' in outcome) {
          rows.push([c?.label ?? peerLabel, shape, 'n/a', 'n/a', 'n/a', 'n/a', outcome && 'error' in outcome ? (peerErrors.get(peerKey) ?? outcome.error) : (peerErrors.get(peerKey) ?? 'not run')]);
          continue;
        }
        const rps = median(outcome.results.map((r) => r.callsPerSecond));
        const p99 = median(outcome.results.map((r) => r.p99));
        figures.set(c.label, { rps, p99 });
        rows.push([c.label, shape, count(rps), ms(median(outcome.results.map((r) => r.p50))), ms(p99), micros(median(outcome.results.map((r) => r.cpuPerCall))), '']);
      }
    };
    addRows(http, [ourHttp, peerHttp], 'openapi-mcp-generator server, Streamable HTTP', 'http', `${clients} sessions × 1`);
    addRows(stdio, [ourStdio, peerStdio], 'openapi-mcp-generator server, stdio', 'stdio', `1 session × ${clients}`);

    const targets: Target[] = [];
    const compare = (ours: Contender, peer: Contender | undefined, transport: string): void => {
      const o = figures.get(ours.label);
      const p = peer ? figures.get(peer.label) : undefined;
      if (!o || !p) {
        if (!mode.quick) targets.push({ name: `MCP ahead of the peer (${transport})`, goal: 'more calls/s and lower p99', value: 'n/a (peer did not run)', met: undefined });
        return;
      }
      rows.push([`generated / peer (${transport})`, '', ratio(o.rps / p.rps), '', ratio(o.p99 / p.p99), '', 'calls/s ratio; p99 ratio (< 1 = lower)']);
      if (!mode.quick) targets.push({ name: `MCP ahead of the peer (${transport})`, goal: 'more calls/s and lower p99', value: `${ratio(o.rps / p.rps)} calls/s, ${ratio(o.p99 / p.p99)} p99`, met: o.rps > p.rps && o.p99 < p.p99 });
    };
    compare(ourHttp, peerHttp, 'Streamable HTTP');
    compare(ourStdio, peerStdio, 'stdio');
    return {
      tables: [{
        title: `MCP tools/call (GET token via the mock IMDS), ${rounds}×${seconds} s per server (alternating), medians`,
        headers: ['server', 'load', 'calls/s', 'p50', 'p99', 'server CPU per call', 'note'],
        rows,
        notes: [
          'official SDK Client in the bench process; each server in its own process; both call the same mock IMDS',
          'the peer is openapi-mcp-generator 4 run on an OpenAPI 3.1 description of the consumed IMDS operation (bench/lib/upstream-openapi.ts), built and started as its README says',
          'the generated server also checks the caller\'s bearer token on every request and writes one log line per request (its default); the peer has no inbound authentication and logs to stderr',
          'server CPU per call = CPU time of the server process over calls answered: the server\'s own cost, whichever side limits throughput',
        ],
      }],
      targets,
    };
  } finally {
    await Promise.allSettled(stops.map((stop) => stop()));
    restore();
  }
}
