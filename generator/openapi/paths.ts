/**
 * REST adapter operations and forwards → OpenAPI operations: parameters as the route's Fastify
 * schema validates them, the request body as the plugin parses it, the success answer from the
 * outputs and the problem+json answers the runtime can give.
 */
import type { ExposedInput, ForwardModel, RestAdapterModel, RestOperationModel } from '../model/ir.js';
import { requestBody } from './body.js';
import { orchestrationSchema, outputSchema, parameterSchema, passthroughMediaType, type Schema } from './schema.js';

/** An operation placed at its OpenAPI path (`{x}` templates) and method (lower case). */
export interface PlacedOperation {
  readonly path: string;
  readonly method: string;
  readonly operation: Schema;
}

/** Problem answers shared through `components.responses`, by status. */
export const SHARED_RESPONSES: Record<string, { name: string; description: string }> = {
  '400': { name: 'BadRequest', description: 'Invalid input: a missing or malformed parameter or body. The problem names the inputs, never their values.' },
  '401': { name: 'Unauthorized', description: 'Missing or invalid credentials.' },
  '404': { name: 'NotFound', description: 'No route matches. (An upstream error status is relayed with the upstream\'s own body and content type.)' },
  '413': { name: 'ContentTooLarge', description: 'The request body exceeds the server\'s limit (1 MiB).' },
  '500': { name: 'InternalServerError', description: 'A base URI, host variable or bind variable is not configured, or an unexpected error happened.' },
  '502': { name: 'BadGateway', description: 'The upstream could not be reached, or its answer was too large.' },
  '504': { name: 'GatewayTimeout', description: 'The upstream did not answer in time.' },
};

const LOCATION_ORDER: readonly ExposedInput['in'][] = ['path', 'query', 'header', 'cookie'];

/** `{{x}}` / `{ x }` placeholders → `{x}`, with a leading slash. */
export function openApiPath(specPath: string): string {
  const path = specPath.replace(/\{\{?\s*([^{}\s]+?)\s*\}?\}/g, '{$1}');
  return path.startsWith('/') ? path : `/${path}`;
}

function parameters(inputs: readonly ExposedInput[]): Schema[] {
  const params = inputs.filter((i) => i.constant === undefined && i.bodyPath === undefined && LOCATION_ORDER.includes(i.in));
  return LOCATION_ORDER.flatMap((where) =>
    params.filter((i) => i.in === where).map((i) => ({
      name: i.name,
      in: i.in,
      ...(i.description ? { description: i.description } : {}),
      ...(i.required || i.in === 'path' ? { required: true } : {}),
      schema: parameterSchema(i),
    })),
  );
}

function refTo(status: string): Schema {
  return { $ref: `#/components/responses/${SHARED_RESPONSES[status]!.name}` };
}

/** Error answers of an operation: what the runtime can actually send for it. */
function errorResponses(options: { auth: boolean; body: boolean; upstream: boolean }): Record<string, Schema> {
  const statuses = ['400', ...(options.auth ? ['401'] : []), '404', ...(options.body ? ['413'] : []), '500', ...(options.upstream ? ['502', '504'] : [])];
  return Object.fromEntries(statuses.map((s) => [s, refTo(s)]));
}

function successResponse(op: RestOperationModel): Schema {
  if (op.method === 'HEAD') return { description: 'Success (headers only).' };
  if (op.orchestration) {
    return { description: 'The answer built from the steps\' mappings.', content: { 'application/json': { schema: orchestrationSchema(op.orchestration.mappings, op.output) } } };
  }
  if (op.output.kind === 'passthrough') {
    return {
      description: 'The upstream answer, relayed as it came: status, body and content type.',
      content: { [passthroughMediaType(op.call?.operation.outputFormat)]: { schema: {} } },
    };
  }
  const description = op.call ? 'The answer mapped from the upstream response.' : 'The mock answer, rendered from the inputs.';
  return { description, content: { 'application/json': { schema: outputSchema(op.output) } } };
}

/** The spec's own `responses` / `responseBinary` (Ikanos beta5), replacing the generic answers of those statuses. */
function declaredResponses(op: RestOperationModel): Record<string, Schema> {
  return Object.fromEntries(Object.entries(op.responses ?? {}).map(([status, r]) => [status, {
    description: r.description ?? `Declared by the spec (status ${status}).`,
    content: Object.fromEntries(Object.entries(r.content).map(([type, m]) => [type, { schema: m.binary ? { type: 'string', format: 'binary' } : m.schema ?? {} }])),
  }]));
}

/** One exposed operation → its OpenAPI operation (without operationId, tags and security). */
export function restOperation(op: RestOperationModel, auth: boolean): PlacedOperation {
  const body = requestBody(op.inputs);
  const params = parameters(op.inputs);
  const summary = op.description !== undefined && op.description.length <= 120 && !op.description.includes('\n') ? op.description : undefined;
  const operation: Schema = {
    ...(summary ? { summary } : op.description ? { description: op.description } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      ...(op.responses && Object.keys(op.responses).some((s) => s.startsWith('2')) ? {} : { '200': successResponse(op) }),
      ...errorResponses({ auth, body: body !== undefined, upstream: op.call !== undefined || op.orchestration !== undefined }),
      ...declaredResponses(op),
    },
  };
  return { path: openApiPath(op.path), method: op.method.toLowerCase(), operation };
}

/** A `forward` resource → one operation per proxied method. */
export function forwardOperations(forward: ForwardModel, auth: boolean): PlacedOperation[] {
  const wildcard = forward.routePath.endsWith('*');
  const path = openApiPath(wildcard ? `${forward.prefix}{path}` : forward.path);
  const params: Schema[] = [
    ...(wildcard ? [{ name: 'path', in: 'path', description: 'The rest of the path, forwarded as it is (it may contain "/").', required: true, schema: { type: 'string' } }] : []),
    ...forward.trustedHeaders.map((h) => ({ name: h, in: 'header', description: 'Relayed upstream (a trusted header).', schema: { type: 'string' } })),
  ];
  const description = `${forward.description ? `${forward.description}\n\n` : ''}Forwarded to consumes namespace \`${forward.consumes.namespace}\` with the query string; only trusted headers are relayed.`;
  return forward.methods.map((method) => {
    const body = ['POST', 'PUT', 'PATCH'].includes(method);
    return {
      path,
      method: method.toLowerCase(),
      operation: {
        summary: `Forward ${method} to ${forward.consumes.namespace}`,
        description,
        ...(params.length ? { parameters: params } : {}),
        ...(body ? { requestBody: { content: { '*/*': { schema: {} } } } } : {}),
        responses: {
          '200': method === 'HEAD' ? { description: 'The upstream answer (headers only).' } : { description: 'The upstream answer, relayed as it came: status, body and content type.', content: { '*/*': { schema: {} } } },
          ...errorResponses({ auth, body, upstream: true }),
        },
      },
    };
  });
}

/** Every placed operation of an adapter, with the name its operationId derives from. */
export function adapterOperations(adapter: RestAdapterModel): { name: string; placed: PlacedOperation }[] {
  const auth = adapter.auth !== undefined;
  return [
    ...adapter.operations.map((op) => ({ name: op.name, placed: restOperation(op, auth) })),
    ...adapter.forwards.flatMap((f) =>
      forwardOperations(f, auth).map((placed) => ({ name: `forward-${placed.method}-${f.consumes.namespace}`, placed })),
    ),
  ];
}
