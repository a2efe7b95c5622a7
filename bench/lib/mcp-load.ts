/**
 * MCP load through the official SDK client: `sessions` clients, each keeping `inFlight` tools/call
 * requests outstanding, for a fixed duration after a short warm-up. Calls per second and latency
 * percentiles over every call of the measured window.
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { cpuMs } from './cpu.js';
import { percentile } from './stats.js';

export interface McpLoadOptions {
  /** A new transport for one client session. */
  readonly transport: () => Transport;
  readonly sessions: number;
  readonly inFlight: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  /** The server process (HTTP); stdio servers are the transports' own children. */
  readonly serverPid?: number;
}

export interface McpLoadResult {
  readonly callsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly calls: number;
  /** CPU milliseconds the server process(es) spent per call (NaN where /proc is missing). */
  readonly cpuPerCall: number;
}

export async function mcpLoad(options: McpLoadOptions): Promise<McpLoadResult> {
  const clients: Client[] = [];
  const pids = new Set<number>(options.serverPid !== undefined ? [options.serverPid] : []);
  const cpu = (): number => [...pids].reduce((sum, pid) => sum + cpuMs(pid), 0);
  try {
    for (let i = 0; i < options.sessions; i += 1) {
      const client = new Client({ name: `bench-${i}`, version: '1.0.0' });
      const transport = options.transport();
      await client.connect(transport);
      const pid = (transport as { pid?: number | null }).pid;
      if (typeof pid === 'number') pids.add(pid);
      clients.push(client);
    }
    const call = async (client: Client): Promise<void> => {
      const result = await client.callTool({ name: options.tool, arguments: options.arguments });
      if (result.isError) throw new Error(`${options.tool} failed: ${JSON.stringify(result.content).slice(0, 300)}`);
    };
    // Every worker loops until the deadline; latencies are kept only inside the measured window.
    const drive = async (until: number, latencies?: number[]): Promise<void> => {
      await Promise.all(clients.flatMap((client) => Array.from({ length: options.inFlight }, async () => {
        while (performance.now() < until) {
          const start = performance.now();
          await call(client);
          latencies?.push(performance.now() - start);
        }
      })));
    };
    await drive(performance.now() + options.warmupSeconds * 1000);
    const latencies: number[] = [];
    const cpuBefore = cpu();
    const start = performance.now();
    await drive(start + options.seconds * 1000, latencies);
    const elapsed = (performance.now() - start) / 1000;
    const cpuPerCall = (cpu() - cpuBefore) / latencies.length;
    return { callsPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), calls: latencies.length, cpuPerCall };
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
