/** `exposes[type=rest]` → RestAdapterModel: routes, explicit inputs, bindings and outputs. */
import type { HttpMethod } from '../runtime/descriptor.js';
import type { ConsumesModel, DeclaredResponse, ExposedInput, ForwardModel, OutputModel, RestAdapterModel, RestOperationModel } from './ir.js';
import { buildBindings, declaredRestInputs, normalise, resolveCall, type Lookup } from './exposed.js';
import { binarySize, pathVariables } from './consumes.js';
import { SymbolTable, pascalCase } from './names.js';
import { inlineRef, type AggregateFunction } from './aggregates.js';
import { buildAuth } from './auth.js';
import { buildOutput } from './output.js';
import { buildOrchestration } from './steps.js';
import { child, has, isObj, items, str, type Node, type Reporter } from './spec-access.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface AdapterContext {
  readonly report: Reporter;
  readonly symbols: SymbolTable;
  readonly consumes: readonly ConsumesModel[];
  readonly isBindRef: (name: string) => boolean;
  /** Aggregate functions by `<aggregate namespace>.<function>`. */
  readonly aggregates: ReadonlyMap<string, AggregateFunction>;
  /** A `file:` location of the spec, made relative to the generated folder. */
  readonly relativeLocation: (location: string) => string;
}

/** Reports a `ref` that names no aggregate function (a spec error, whatever the support status). */
export function checkRef(node: Node, ctx: AdapterContext): AggregateFunction | undefined {
  const ref = str(node);
  if (ref === undefined) return undefined;
  const fn = ctx.aggregates.get(ref);
  if (fn) return fn;
  const known = [...ctx.aggregates.keys()];
  ctx.report.error(node, 'unknown-ref', `ref "${ref}" names no aggregate function`,
    known.length ? `declared functions: ${known.join(', ')}` : 'declare it under capability.aggregates[].functions');
  return undefined;
}

const MAPPABLE_FORMATS = ['json', 'xml', 'yaml', 'csv', 'tsv', 'psv', 'html', 'markdown'];
const BINARY_FORMATS = ['avro', 'protobuf'];

/**
 * Checks the consumed `outputRawFormat` against the output: an unknown format is an error; the
 * binary formats (which need schema files the engine loads at run time) cannot be mapped, so
 * their output is relayed as it comes, with a warning saying so. Returns the output to generate.
 */
export function checkOutputFormat(output: OutputModel, format: string | undefined, at: Node, ctx: AdapterContext): OutputModel {
  if (format === undefined || output.kind !== 'mapped' || output.mock || MAPPABLE_FORMATS.includes(format)) return output;
  if (BINARY_FORMATS.includes(format)) {
    ctx.report.warning(at, 'unmapped-format', `mapping ${format} output is not supported: this operation relays the upstream body as it comes`, 'remove outputParameters, or have the upstream answer JSON');
    return { kind: 'passthrough' };
  }
  ctx.report.error(at, 'unknown-format', `outputRawFormat "${format}" is not a format naftiko-codegen can convert`, `use one of ${[...MAPPABLE_FORMATS, ...BINARY_FORMATS].join(', ')}`);
  return output;
}

/** An adapter's `maxBinarySize` (Ikanos beta5) in bytes; a bad size is reported here. */
export function adapterMaxBytes(node: Node, ctx: AdapterContext): number | undefined {
  const size = child(node, 'maxBinarySize');
  if (size.value === undefined) return undefined;
  const bytes = typeof size.value === 'string' ? binarySize(size.value) : undefined;
  if (bytes === undefined) ctx.report.error(size, 'bad-binary-size', `maxBinarySize ${JSON.stringify(size.value)} is not a size with a unit`, 'write a number and B, KiB, MiB or GiB, e.g. 25MiB');
  return bytes;
}

/** The adapter's limit on an operation or tool that relays a binary answer as it comes. */
export function withMaxBytes<T extends { readonly call?: { readonly operation: { readonly outputFormat: string } }; readonly output: { readonly kind: string } }>(op: T, maxBytes: number | undefined): T {
  return maxBytes !== undefined && op.call?.operation.outputFormat === 'binary' && op.output.kind === 'passthrough' ? { ...op, maxBytes } : op;
}

export function buildRestAdapter(node: Node, ctx: AdapterContext): RestAdapterModel {
  const namespace = str(child(node, 'namespace')) ?? 'rest';
  const operations: RestOperationModel[] = [];
  const forwards: ForwardModel[] = [];
  const routes = new Map<string, Node>();
  for (const resource of items(child(node, 'resources'))) {
    const resourceOps: string[] = [];
    for (const op of items(child(resource, 'operations'))) {
      resourceOps.push((str(child(op, 'method')) ?? 'GET').toUpperCase());
      const built = buildRestOperation(node, resource, op, namespace, ctx);
      if (!built) continue;
      const key = `${built.method} ${built.routePath.replace(/:[A-Za-z0-9_]+/g, ':')}`;
      const previous = routes.get(key);
      if (previous) {
        const at = previous.spec.locate(previous.path);
        ctx.report.error(child(op, 'method'), 'duplicate-route', `${built.method} ${built.path} is already declared at line ${at.line}`, 'remove or rename one of them');
        continue;
      }
      routes.set(key, op);
      operations.push(built);
    }
    if (has(resource, 'forward')) {
      const forward = buildForward(resource, resourceOps, ctx);
      if (forward) forwards.push(forward);
    }
  }
  const description = str(child(node, 'description'));
  const address = str(child(node, 'address'));
  const auth = buildAuth(child(node, 'authentication'), ctx.report, 'inbound');
  const maxBytes = adapterMaxBytes(node, ctx);
  return {
    namespace,
    port: typeof child(node, 'port').value === 'number' ? (child(node, 'port').value as number) : 8080,
    ...(address ? { address } : {}),
    ...(description ? { description } : {}),
    ...(auth ? { auth } : {}),
    operations: operations.map((op) => withMaxBytes(op, maxBytes)),
    forwards,
    pluginName: ctx.symbols.allocate(`${pascalCase(namespace).replace(/^./, (c) => c.toLowerCase())}Routes`),
  };
}

function buildRestOperation(adapter: Node, resource: Node, opNode: Node, adapterNamespace: string, ctx: AdapterContext): RestOperationModel | undefined {
  const method = (str(child(opNode, 'method')) ?? 'GET').toUpperCase();
  let op = opNode;
  let namespace = adapterNamespace;
  if (has(opNode, 'ref')) {
    const fn = checkRef(child(opNode, 'ref'), ctx);
    if (!fn) return undefined;
    ({ node: op, withNamespace: namespace } = inlineRef(opNode, fn, 'rest', method));
  }
  if (!METHODS.has(method)) {
    ctx.report.error(child(op, 'method'), 'bad-method', `method "${method}" is not supported`, 'use GET, POST, PUT, PATCH, DELETE or HEAD');
    return undefined;
  }

  const path = str(child(resource, 'path')) ?? '/';
  const route = toRoutePath(path, child(resource, 'path'), ctx.report);
  if (!route) return undefined;

  const declared = declaredRestInputs([adapter, resource, op], ctx.report);
  const inputs: ExposedInput[] = [];
  for (const { variable, routeParam } of route.params) {
    // The path segment is the value: a declared input of that name (e.g. an aggregate input that
    // became a body field on POST) keeps its type and description, not its body path or constant.
    const { bodyPath: _bodyPath, constant: _constant, ...d } = declared.find((i) => i.name === variable) ?? { type: 'string' as const };
    inputs.push({ ...d, name: variable, in: 'path', required: true, routeParam });
  }
  for (const d of declared) if (!inputs.some((i) => i.name === d.name)) inputs.push(d);

  const name = str(child(op, 'name')) ?? `${method.toLowerCase()}${pascalCase(path)}`;
  const description = str(child(op, 'description')) ?? str(child(resource, 'description'));
  const target = has(op, 'call') ? resolveCall(child(op, 'call'), ctx.consumes, ctx.report) : undefined;
  if (has(op, 'call') && !target) return undefined;

  let call;
  let orchestration;
  if (has(op, 'steps')) {
    orchestration = buildOrchestration(op, namespace, restLookup(inputs, declared, method, new Map()), { ...ctx, unsupported: (n, c) => ctx.report.unsupported(n, c) });
    if (!orchestration) return undefined;
  } else if (target) {
    const positional = matchPathVariables(target.operation.path, path);
    const lookup = restLookup(inputs, declared, method, positional);
    call = buildBindings(target, child(op, 'with'), namespace, lookup, ctx.isBindRef, ctx.report);
  }
  const built: OutputModel = buildOutput(child(op, 'outputParameters'), ctx.report, (c) => ctx.symbols.allocate(c), pascalCase(name), `\`${method} ${path}\``);
  const output = checkOutputFormat(built, target?.operation.outputFormat, child(op, 'outputParameters'), ctx);
  if (!call && !orchestration && (output.kind !== 'mapped' || !output.mock)) {
    ctx.report.error(op, 'no-call', `operation "${name}" has neither "call" nor mock outputParameters with "value"`, 'add call: <namespace>.<operation>');
    return undefined;
  }
  return {
    name,
    ...(description ? { description } : {}),
    method: method as HttpMethod,
    path,
    routePath: route.routePath,
    inputs,
    ...(call ? { call } : {}),
    ...(orchestration ? { orchestration } : {}),
    output,
    ...declaredResponses(op, ctx),
  };
}

/** `responses` (per status) and the `responseBinary` shorthand of an exposed operation (Ikanos beta5). */
function declaredResponses(op: Node, ctx: AdapterContext): Pick<RestOperationModel, 'responses'> {
  const out: Record<string, DeclaredResponse> = {};
  const responses = child(op, 'responses');
  if (isObj(responses.value)) {
    for (const [status, value] of Object.entries(responses.value)) {
      const at = child(responses, status);
      if (!/^[1-5][0-9X]{2}$/.test(status) || !isObj(value) || !isObj(value.content)) {
        ctx.report.error(at, 'bad-response', `responses.${status} must be a status code (200, 2XX) with "content" by media type`, 'write e.g. "200": {content: {image/jpeg: {binary: true}}}');
        continue;
      }
      const content: Record<string, { binary?: boolean; schema?: Record<string, unknown> }> = {};
      for (const [type, media] of Object.entries(value.content)) {
        const m = isObj(media) ? media : {};
        content[type] = { ...(m.binary === true ? { binary: true } : {}), ...(isObj(m.schema) ? { schema: m.schema } : {}) };
      }
      out[status] = { ...(typeof value.description === 'string' ? { description: value.description } : {}), content };
    }
  }
  const binary = child(op, 'responseBinary');
  if (isObj(binary.value) && typeof binary.value.mediaType === 'string') {
    const status = String(typeof binary.value.status === 'number' ? binary.value.status : 200);
    const description = typeof binary.value.description === 'string' ? binary.value.description : undefined;
    out[status] = { ...(description ? { description } : {}), content: { [binary.value.mediaType]: { binary: true } } };
  }
  return Object.keys(out).length ? { responses: out } : {};
}

/**
 * Finds (or implies) the REST input supplying a value: exact name, a route variable by normalised
 * name or position (a route variable nobody declared takes the consumed input's type), else an
 * implied input where the consumed operation sends it.
 */
function restLookup(inputs: ExposedInput[], declared: readonly ExposedInput[], method: string, positional: ReadonlyMap<string, string>): Lookup {
  const adopt = (name: string, field: Parameters<Lookup>[1]): string => {
    const index = inputs.findIndex((i) => i.name === name);
    const input = inputs[index]!;
    if (field && input.in === 'path' && !declared.some((d) => d.name === name)) {
      inputs[index] = { ...input, type: field.type, ...(input.description ?? field.description ? { description: input.description ?? field.description } : {}) };
    }
    return name;
  };
  return (p, field) => {
    const exact = inputs.find((i) => i.name === p);
    if (exact) return adopt(exact.name, field);
    const byName = inputs.find((i) => i.in === 'path' && normalise(i.name) === normalise(p));
    if (byName) return adopt(byName.name, field);
    if (field?.in === 'path') {
      const byPosition = positional.get(field.name);
      if (byPosition) return adopt(byPosition, field);
    }
    inputs.push(impliedInput(p, field, method));
    return p;
  };
}

/** A `forward` resource: every method its operations do not handle is proxied to the target namespace. */
function buildForward(resource: Node, handled: readonly string[], ctx: AdapterContext): ForwardModel | undefined {
  const node = child(resource, 'forward');
  const target = str(child(node, 'targetNamespace'));
  const consumes = ctx.consumes.find((c) => c.namespace === target);
  if (!consumes) {
    ctx.report.error(child(node, 'targetNamespace'), 'unknown-namespace', `forward target "${target}" is not a consumes namespace`,
      `declared namespaces: ${ctx.consumes.map((c) => c.namespace).join(', ') || 'none'}`);
    return undefined;
  }
  const path = str(child(resource, 'path')) ?? '/';
  const wildcard = /\{\{?\s*path\s*\}?\}$/.exec(path);
  let routePath: string;
  let prefix = '';
  if (wildcard) {
    prefix = path.slice(0, wildcard.index);
    if (/[{}]/.test(prefix)) {
      ctx.report.error(child(resource, 'path'), 'bad-path', 'a forward path may only use {{path}}, as its last segment');
      return undefined;
    }
    routePath = `${prefix.replace(/:/g, '::')}*`;
  } else {
    if (/[{}]/.test(path)) {
      ctx.report.error(child(resource, 'path'), 'bad-path', 'a forward path may only use {{path}}, as its last segment');
      return undefined;
    }
    routePath = path.replace(/:/g, '::');
  }
  const methods = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const).filter((m) => !handled.includes(m) && !(m === 'HEAD' && handled.includes('GET')));
  const description = str(child(resource, 'description')) ?? str(child(resource, 'label'));
  return {
    path,
    routePath: routePath.startsWith('/') ? routePath : `/${routePath}`,
    prefix: prefix.startsWith('/') || prefix === '' ? prefix : `/${prefix}`,
    consumes,
    trustedHeaders: items(child(node, 'trustedHeaders')).map((h) => str(h) ?? '').filter(Boolean),
    methods,
    ...(description ? { description } : {}),
  };
}

/** An input nobody declared, implied from where the consumed operation sends it (§7.4 step 3). */
function impliedInput(name: string, field: { in: string; type: ExposedInput['type']; required: boolean; description?: string } | undefined, method: string): ExposedInput {
  const base = { name, type: field?.type ?? 'string', required: field?.required ?? false, ...(field?.description ? { description: field.description } : {}) };
  switch (field?.in) {
    case 'query':
    case 'header':
    case 'cookie':
    case 'formData':
      return { ...base, in: field.in };
    case 'body':
      return { ...base, in: 'body' };
    case 'path':
      // The exposed path lost this variable (a `{x}:suffix` segment became a literal): query.
      return { ...base, in: 'query', required: true };
    default:
      return BODY_METHODS.has(method) ? { ...base, in: 'body', bodyPath: `$['${name.replace(/'/g, "\\'")}']` } : { ...base, in: 'query' };
  }
}

/**
 * Consumed path variable → exposed one: exact name, normalised name, then the same segment
 * counted from the end (exposed paths add prefixes such as /v1), then order when the counts agree.
 */
function matchPathVariables(consumedPath: string, exposedPath: string): Map<string, string> {
  const consumed = variableSegments(consumedPath);
  const exposed = variableSegments(exposedPath);
  const out = new Map<string, string>();
  const free = new Map(exposed);
  const take = (c: string, e: string | undefined): void => {
    if (e === undefined) return;
    out.set(c, e);
    free.delete(e);
  };
  const pending = () => [...consumed.keys()].filter((c) => !out.has(c));
  for (const c of pending()) take(c, [...free.keys()].find((e) => e === c));
  for (const c of pending()) take(c, [...free.keys()].find((e) => normalise(e) === normalise(c)));
  for (const c of pending()) take(c, [...free.keys()].find((e) => free.get(e) === consumed.get(c)));
  const left = pending();
  if (left.length === free.size) left.forEach((c, i) => take(c, [...free.keys()][i]));
  return out;
}

/** Variables of a path with the index of their segment counted from the end. */
function variableSegments(path: string): Map<string, number> {
  const segments = path.split('/').filter(Boolean);
  const out = new Map<string, number>();
  segments.forEach((segment, i) => {
    for (const name of pathVariables(segment)) if (!out.has(name)) out.set(name, segments.length - i);
  });
  return out;
}

/** Spec path → Fastify path: `{x}`/`{{x}}` become `:x` with safe names; literal `:` is escaped. */
export function toRoutePath(path: string, at: Node, report: Reporter): { routePath: string; params: { variable: string; routeParam: string }[] } | undefined {
  const params: { variable: string; routeParam: string }[] = [];
  const names = new SymbolTable();
  const pattern = /\{\{?\s*([^{}\s]+?)\s*\}?\}/g;
  if (/\}\{/.test(path.replace(/\}\}/g, '}').replace(/\{\{/g, '{'))) {
    report.error(at, 'bad-path', `path "${path}" has two variables with nothing between them`, 'separate them with a literal such as "-" or "/"');
    return undefined;
  }
  let routePath = '';
  let last = 0;
  for (const m of path.matchAll(pattern)) {
    routePath += escapeLiteral(path.slice(last, m.index));
    const existing = params.find((p) => p.variable === m[1]);
    const routeParam = existing?.routeParam ?? names.allocate(m[1]!.replace(/[^A-Za-z0-9_]/g, '_'));
    if (!existing) params.push({ variable: m[1]!, routeParam });
    routePath += `:${routeParam}`;
    last = m.index! + m[0].length;
  }
  routePath += escapeLiteral(path.slice(last));
  if (!routePath.startsWith('/')) routePath = `/${routePath}`;
  if (routePath.includes('*')) {
    report.error(at, 'bad-path', `path "${path}" contains "*", which REST routes cannot match literally`);
    return undefined;
  }
  return { routePath, params };
}

function escapeLiteral(text: string): string {
  return text.replace(/:/g, '::');
}
