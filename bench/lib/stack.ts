/**
 * The processes of the serving benchmarks: the mock IMDS upstream, the generated IMDS capability
 * and the hand-written baseline, each in its own process (pinned to its own CPU when possible),
 * so the load generator in the bench process never shares their event loop.
 */
import { join } from 'node:path';
import { ROOT, startProcess, tsxCommand, type Started } from './proc.js';

export const PROXY_TOKEN = 'bench-proxy-token';
export const AUTH = { authorization: `Bearer ${PROXY_TOKEN}` };
export const RESOURCE = 'https://management.azure.com/';
export const NAMESPACE = 'instancemetadataclient-get-token';
export const TOOL = 'microsoft-azure-get-identity-oauth2';
/** CPU of the upstream and the load generator; servers under test get the other one. */
export const LOAD_CPU = 0;
export const SERVER_CPU = 1;

export interface Server {
  readonly url: string;
  readonly process: Started;
}

/** `throttled`: the mock enforces real IMDS's budget (20 rps, 5 in flight, 429 beyond). */
export async function startUpstream(options: { throttled?: boolean } = {}): Promise<Server> {
  const started = await startProcess({
    command: tsxCommand(join(ROOT, 'bench/children/upstream.ts')),
    env: options.throttled ? { UPSTREAM_RATE_LIMIT: '1' } : {},
    ready: /upstream listening on (\S+)/,
    cpu: LOAD_CPU,
  });
  return { url: started.match[1]!, process: started };
}

/** What the upstream received so far, by resource (asks the child with SIGUSR2). */
export interface UpstreamStats {
  readonly total: number;
  readonly throttled: number;
  readonly byResource: Readonly<Record<string, number>>;
}

export async function upstreamStats(server: Server): Promise<UpstreamStats> {
  const seen = (server.process.output().match(/upstream stats /g) ?? []).length;
  server.process.child.kill('SIGUSR2');
  for (let i = 0; i < 200; i++) {
    const lines = server.process.output().match(/upstream stats (\{.*\})/g) ?? [];
    if (lines.length > seen) return JSON.parse(lines[lines.length - 1]!.slice('upstream stats '.length)) as UpstreamStats;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the upstream did not report its counts');
}

export interface GeneratedServer {
  readonly rest: string;
  readonly mcp: string;
  readonly process: Started;
}

/**
 * `npx tsx generated/azure-imds-get-token/server.ts` as the README runs it, on free ports. The
 * forwarding benchmarks measure forwarding: the token cache and the upstream budget of the
 * capability's config are off unless `extra` says `--cache on` / `--budget on` (bench/budget.ts).
 */
export async function startGenerated(upstream: string, extra: readonly string[] = []): Promise<GeneratedServer> {
  const forwarding = [...(extra.includes('--cache') ? [] : ['--cache', 'off']), ...(extra.includes('--budget') ? [] : ['--budget', 'off'])];
  const started = await startProcess({
    command: tsxCommand(join(ROOT, 'generated/azure-imds-get-token/server.ts'), [
      '--rest-port', '0', '--mcp-port', '0', '--base-uri', `${NAMESPACE}=${upstream}/metadata`, ...forwarding, ...extra,
    ]),
    env: { IMDS_PROXY_TOKEN: PROXY_TOKEN },
    ready: /REST \S+ listening on (\S+)\s[\s\S]*MCP \S+ (?:listening on (\S+)|on stdio)/,
    cpu: SERVER_CPU,
  });
  return { rest: started.match[1]!, mcp: started.match[2] ?? 'stdio', process: started };
}

export async function startBaseline(upstream: string): Promise<Server> {
  const started = await startProcess({
    command: tsxCommand(join(ROOT, 'bench/baseline/server.ts')),
    env: { UPSTREAM: `${upstream}/metadata`, IMDS_PROXY_TOKEN: PROXY_TOKEN },
    ready: /baseline listening on (\S+)/,
    cpu: SERVER_CPU,
  });
  return { url: started.match[1]!, process: started };
}

/** The same token request, to the upstream directly or through a REST adapter. */
export const upstreamTokenPath = `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(RESOURCE)}`;
export const restTokenPath = `/v1/identity/oauth2/token?resource=${encodeURIComponent(RESOURCE)}`;

/** One request that must succeed before load is applied (a wrong setup must not be measured). */
export async function expectToken(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers });
  const body = await response.text();
  if (response.status !== 200 || !body.includes('access_token')) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 300)}`);
}
