/**
 * Optional Prometheus metrics of a generated server (`--metrics`): inbound requests by route,
 * method and status, upstream calls by namespace, operation and status, MCP tool calls by tool
 * and outcome, plus the process defaults. Each running capability has its own Registry, so
 * several servers in one process never clash over the global one. prom-client is loaded only
 * when metrics are on.
 */
import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram, Registry } from 'prom-client';
import { pathFree } from './health.js';
import { QUIET_ROUTE } from './logging.js';

export interface Metrics {
  request(method: string, route: string, status: number, seconds: number): void;
  /** `status` is the HTTP status, or `timeout` / `unreachable` / `too_large` / `cancelled`. */
  upstream(namespace: string, operation: string, status: string, seconds: number): void;
  tool(tool: string, outcome: 'success' | 'error', seconds: number): void;
  /** A response-cache event: hit, refresh, miss, join, stale, bypass, store, evict, refresh-failed. */
  cache(namespace: string, event: string): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export async function createMetrics(): Promise<Metrics> {
  const prom = await import('prom-client');
  const registry: Registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests: Counter<'method' | 'route' | 'status'> = new prom.Counter({
    name: 'naftiko_http_requests_total',
    help: 'Inbound HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const requestSeconds: Histogram<'method' | 'route' | 'status'> = new prom.Histogram({
    name: 'naftiko_http_request_duration_seconds',
    help: 'Inbound HTTP request duration by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const upstream: Counter<'namespace' | 'operation' | 'status'> = new prom.Counter({
    name: 'naftiko_upstream_requests_total',
    help: 'Upstream HTTP attempts by consumes namespace, operation and status (or failure kind).',
    labelNames: ['namespace', 'operation', 'status'],
    registers,
  });
  const upstreamSeconds: Histogram<'namespace' | 'operation'> = new prom.Histogram({
    name: 'naftiko_upstream_request_duration_seconds',
    help: 'Upstream HTTP attempt duration by consumes namespace and operation.',
    labelNames: ['namespace', 'operation'],
    registers,
  });
  const tools: Counter<'tool' | 'outcome'> = new prom.Counter({
    name: 'naftiko_mcp_tool_calls_total',
    help: 'MCP tool calls by tool and outcome (error: isError result or failure).',
    labelNames: ['tool', 'outcome'],
    registers,
  });
  const toolSeconds: Histogram<'tool'> = new prom.Histogram({
    name: 'naftiko_mcp_tool_call_duration_seconds',
    help: 'MCP tool call duration by tool.',
    labelNames: ['tool'],
    registers,
  });
  const cacheEvents: Counter<'namespace' | 'event'> = new prom.Counter({
    name: 'naftiko_cache_events_total',
    help: 'Response cache events by consumes namespace: hit, refresh (hit that renews ahead), miss, join (waited for a flight), stale, bypass, store, evict, refresh-failed.',
    labelNames: ['namespace', 'event'],
    registers,
  });
  return {
    cache(namespace, event) {
      cacheEvents.inc({ namespace, event });
    },
    request(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
    upstream(namespace, operation, status, seconds) {
      upstream.inc({ namespace, operation, status });
      upstreamSeconds.observe({ namespace, operation }, seconds);
    },
    tool(tool, outcome, seconds) {
      tools.inc({ tool, outcome });
      toolSeconds.observe({ tool }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Serves the exposition text at `/metrics` unless the spec declares that path. */
export function mountMetrics(app: FastifyInstance, metrics: Metrics): void {
  if (!pathFree(app, '/metrics')) return;
  app.get('/metrics', { config: QUIET_ROUTE }, async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}
