// Shared by the SIGTERM-under-load test and `npm run load`: the generated IMDS server as a child
// process, a keep-alive load driver that records when each request was sent and answered, and
// the classification of those outcomes around a SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly rest: string;
  readonly mcp: string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** When the server printed that it is draining (its SIGTERM handler ran), if it has. */
  drainingAt(): number | undefined;
  output(): string;
}

/** Starts `generated/azure-imds-get-token/server.ts` (through tsx) and waits for its URLs. */
export async function spawnImdsServer(args: readonly string[], env: Record<string, string>): Promise<ServerProcess> {
  // `node --import tsx` rather than the tsx CLI, which would run the server in a second process (wrong pid for RSS and signals).
  const child = spawn(process.execPath, ['--import', 'tsx', 'generated/azure-imds-get-token/server.ts', ...args], {
    // Forwarding is what these tests measure: the cache is off unless the caller turns it on.
    env: { ...process.env, NAFTIKO_CACHE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let draining: number | undefined;
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await new Promise<{ rest: string; mcp: string }>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (draining === undefined && /SIGTERM: draining/.test(out)) draining = Date.now();
      const rest = /REST \S+ listening on (\S+)/.exec(out)?.[1];
      const mcp = /MCP \S+ listening on (\S+)/.exec(out)?.[1];
      if (rest && mcp) resolve({ rest, mcp });
    });
    child.once('exit', () => reject(new Error(`server exited early:\n${out}`)));
  });
  return { child, ...urls, exited, drainingAt: () => draining, output: () => out };
}

export interface Outcome {
  sentAt: number;
  doneAt: number;
  status?: number;
  error?: string;
}

/** `connections` keep-alive workers send requests back to back until `stop()` says so. */
export async function hammer(url: string, headers: Record<string, string>, connections: number, stop: () => boolean): Promise<Outcome[]> {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
  const outcomes: Outcome[] = [];
  const worker = async (): Promise<void> => {
    while (!stop()) {
      const sentAt = Date.now();
      try {
        const response = await request(url, { dispatcher: agent, headers });
        await response.body.text();
        outcomes.push({ sentAt, doneAt: Date.now(), status: response.statusCode });
      } catch (error) {
        outcomes.push({ sentAt, doneAt: Date.now(), error: (error as { code?: string }).code ?? (error as Error).name });
        // A refused connection fails at once; do not spin.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await agent.destroy();
  return outcomes;
}

export interface ShutdownReport {
  /** Sent well before SIGTERM and answered after it: drained. */
  inFlight: number;
  inFlightOk: number;
  /** Sent after the server began draining. */
  afterDrain: number;
  afterDrainRefused: number;
  /** Sent in the short race window around the signal (either answer is right). */
  racing: number;
}

/**
 * Classifies outcomes around a SIGTERM sent at `signalAt` whose handler ran at `drainingAt`.
 * In flight = sent at least `marginMs` before the signal and still open when it came.
 */
export function classify(outcomes: readonly Outcome[], signalAt: number, drainingAt: number, marginMs = 50): ShutdownReport {
  const inFlight = outcomes.filter((o) => o.sentAt < signalAt - marginMs && o.doneAt > signalAt);
  const afterDrain = outcomes.filter((o) => o.sentAt > drainingAt + marginMs);
  return {
    inFlight: inFlight.length,
    inFlightOk: inFlight.filter((o) => o.status === 200).length,
    afterDrain: afterDrain.length,
    // 503 on a kept-alive connection (Fastify's return503OnClosing) or a refused/closed connection.
    afterDrainRefused: afterDrain.filter((o) => o.status === 503 || o.error !== undefined).length,
    racing: outcomes.filter((o) => o.sentAt >= signalAt - marginMs && o.sentAt <= drainingAt + marginMs).length,
  };
}

/** Resident set size of a process in MiB (Linux /proc), or undefined elsewhere. */
export function rssMiB(pid: number): number | undefined {
  try {
    const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}
