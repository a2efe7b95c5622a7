/**
 * An OpenAPI 3.1 description of the upstream operations a capability consumes (IMDS itself, not
 * our REST adapter): what an OpenAPI-to-MCP generator needs to call the same upstream our
 * generated MCP server calls. Constant consumes-level inputs (IMDS's `Metadata: true` header and
 * `api-version`) become parameters with that single value as enum and default, so the peer sends
 * them without the caller passing them.
 */
import { runPipeline } from '../../generator/pipeline.js';

type Json = Record<string, unknown>;

export function upstreamOpenApi(capabilityFile: string, baseUrl: string): Json {
  const model = runPipeline(capabilityFile, { outDir: '.cache/bench', validateOnly: true }).model;
  if (!model) throw new Error(`${capabilityFile} does not validate`);
  const paths: Record<string, Json> = {};
  for (const ns of model.consumes) {
    for (const op of ns.operations) {
      const parameters = [...ns.params, ...op.params]
        .filter((p) => p.in === 'query' || p.in === 'header' || p.in === 'path')
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.in === 'path' || (p.required && p.value === undefined),
          ...(p.description ? { description: p.description } : {}),
          schema: p.value !== undefined ? { type: 'string', enum: [p.value], default: p.value } : { type: p.type === 'integer' || p.type === 'number' || p.type === 'boolean' ? p.type : 'string' },
        }));
      const path = op.path.replace(/\{\{?\s*([^{}\s]+?)\s*\}?\}/g, '{$1}');
      paths[path] = {
        ...paths[path],
        [op.method.toLowerCase()]: {
          operationId: op.name,
          summary: op.description ?? op.name,
          parameters,
          responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      };
    }
  }
  return { openapi: '3.1.0', info: { title: model.label ?? model.name, version: '1.0.0' }, servers: [{ url: baseUrl }], paths };
}
