/**
 * IR → the view objects templates render. Anything that becomes code is built here from
 * escaped parts (escape.ts) and handed to templates as a Code fragment.
 */
import { compileOutput } from './outputs.js';
import type { BodySpec, NamespaceSpec, OperationSpec, ParamSpec } from '../runtime/descriptor.js';
import { OPENAPI_PATH } from '../runtime/rest.js';
import type { CallModel, ConsumesModel, ExposedInput, InputField, McpAdapterModel, McpPromptModel, McpResourceModel, OperationModel, OrchestrationModel, OutputModel, RestAdapterModel, ToolModel } from '../model/ir.js';
import { Code, literal, propertyAccess, propertyKey, stringLiteral } from './escape.js';
import { CLIENT_TS, assignable, clientKind, convertTarget, routeKind, routeSchema, routeTs, toolKind, toolTs, zodSchema, type Kind } from './types.js';
import { camelCase } from '../model/names.js';

const code = (text: string): Code => new Code(text);

// ---------- types.ts and client.ts ----------

export function fieldView(field: InputField): object {
  return { name: field.name, required: field.required, description: field.description, tsType: code(CLIENT_TS[clientKind(field)]) };
}

const RESULT_TS: Record<OperationModel['resultKind'], string> = { object: 'JsonObject', array: 'JsonValue[]', any: 'JsonValue', none: 'undefined' };

export function operationView(ns: ConsumesModel, op: OperationModel): object {
  return {
    ...op,
    fields: op.inputs.map(fieldView),
    hasInputs: op.inputs.length > 0,
    inputDoc: `Input of \`${ns.namespace}.${op.name}\` (${op.method} ${op.path}).`,
    resultDoc: `Successful answer of \`${ns.namespace}.${op.name}\`.`,
    resultTs: code(RESULT_TS[op.resultKind]),
    requestLine: `\`${op.method} ${op.path}\``,
    spec: code(literal(operationSpec(op))),
  };
}

function paramSpec(p: { name: string; in: ParamSpec['in']; type: ParamSpec['type']; required: boolean; value?: string }): ParamSpec {
  return { name: p.name, in: p.in, type: p.type, ...(p.required ? { required: true } : {}), ...(p.value !== undefined ? { value: p.value } : {}) };
}

function operationSpec(op: OperationModel): OperationSpec {
  return {
    name: op.name,
    method: op.method,
    path: op.path,
    params: op.params.map(paramSpec),
    ...(op.body ? { body: op.body as BodySpec } : {}),
    ...(op.formEncoding ? { formEncoding: op.formEncoding } : {}),
    ...(op.outputFormat !== 'json' ? { outputFormat: op.outputFormat } : {}),
    ...(op.outputSchema !== undefined ? { outputSchema: op.outputSchema } : {}),
    ...(op.mediaType !== undefined ? { mediaType: op.mediaType } : {}),
    ...(op.maxBytes !== undefined ? { maxBytes: op.maxBytes } : {}),
    ...(op.cache !== undefined ? { cache: op.cache } : {}),
  };
}

export function namespaceView(ns: ConsumesModel): object {
  const spec: NamespaceSpec = { namespace: ns.namespace, baseUri: ns.baseUri, params: ns.params.map(paramSpec), ...(ns.auth ? { auth: ns.auth } : {}), ...(ns.defaults ? { defaults: ns.defaults } : {}) };
  const baseNote = ns.baseUri === ''
    ? 'The spec gives no base URI: pass `baseUri` (or the server option `--base-uri`).'
    : ns.hostVariables.length > 0
      ? `The base URI has host variables (${ns.hostVariables.map((v) => `{${v}}`).join(', ')}): pass \`variables\` or \`baseUri\`.`
      : `Base URI: ${ns.baseUri}`;
  return {
    ...ns,
    classDoc: `Client of consumes namespace \`${ns.namespace}\`.`,
    baseNote,
    spec: code(literal(spec)),
    operations: ns.operations.map((op) => operationView(ns, op)),
  };
}

// ---------- bindings: exposed inputs → client input object ----------

interface SourceAccess {
  /** Expression reading an exposed input, and its kind. */
  expr(name: string): { text: string; kind: Kind; optional: boolean };
}

function bindingObject(call: CallModel, access: SourceAccess, valuesFor: (names: string[]) => string): string {
  const entries: string[] = [];
  for (const binding of call.bindings) {
    const field = call.operation.inputs.find((f) => f.name === binding.target)!;
    let text: string;
    let kind: Kind;
    let optional: boolean;
    switch (binding.source.kind) {
      case 'input': {
        ({ text, kind, optional } = access.expr(binding.source.input));
        break;
      }
      case 'template': {
        const names = [...new Set([...binding.source.template.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1]!))];
        text = `renderWith(${stringLiteral(binding.source.template)}, ${valuesFor(names)}, bindings)`;
        kind = 'string';
        optional = false;
        break;
      }
      case 'literal':
        text = literal(binding.source.value);
        kind = typeof binding.source.value === 'string' ? 'string' : typeof binding.source.value === 'number' ? 'number' : typeof binding.source.value === 'boolean' ? 'boolean' : 'json';
        optional = false;
        break;
    }
    const target = clientKind(field);
    if (!assignable(kind, target)) {
      text = `convert(${text}, ${stringLiteral(convertTarget(field))}, ${stringLiteral(field.name)})`;
      optional = true;
    }
    if (field.required && optional) text = `required(${text}, ${stringLiteral(field.name)})`;
    entries.push(`${propertyKey(field.name)}: ${text},`);
  }
  return entries.length ? `{\n${entries.join('\n')}\n}` : '{}';
}

/** CallOptions of generated calls: REST routes cancel when the caller disconnects, MCP tools on the request's signal. */
const REST_CALL_OPTIONS = '{ cancel: onDisconnect(reply) }';
const MCP_CALL_OPTIONS = '{ signal: extra.signal }';

function callExpression(call: CallModel, input: string, options: string): string {
  const method = `${propertyAccess('clients', call.consumes.clientsKey)}.${call.operation.methodName}`;
  return call.operation.inputs.length > 0 ? `${method}(${input}, ${options})` : `${method}(${options})`;
}

/**
 * Statements running an orchestration: each call step's answer (or a lookup's result) is kept
 * under the step's name; the result is the mappings object, or the last step's output.
 */
function orchestrationCode(orch: OrchestrationModel, access: SourceAccess, inputValues: (names: string[]) => string, callOptions: string): string {
  const lines = ['const steps: Record<string, unknown> = {};'];
  for (const step of orch.steps) {
    const target = propertyAccess('steps', step.name);
    if (step.kind === 'call') {
      // Templates see the caller's inputs and the outputs of earlier steps (`{{step.field}}`).
      const valuesFor = (names: string[]): string => `{ ...steps, ...${inputValues(names)} }`;
      lines.push(`${target} = upstreamData(await ${callExpression(step.call, bindingObject(step.call, access, valuesFor), callOptions)});`);
    } else {
      lines.push(`${target} = lookupStep(${propertyAccess('steps', step.index)}, ${stringLiteral(step.match)}, stepValue(${stringLiteral(step.lookupValue)}, steps), ${literal(step.fields)});`);
    }
  }
  const last = orch.steps[orch.steps.length - 1];
  lines.push(orch.mappings.length > 0 ? `return stepMappings(${literal(orch.mappings)}, steps);` : last ? `return ${propertyAccess('steps', last.name)};` : 'return {};');
  return lines.join('\n');
}

/** A call of the output's compiled shape function with the arguments it takes. */
function shapeCall(output: OutputModel, root: string, inputs: () => string): string {
  if (output.kind !== 'mapped') return root;
  const compiled = compileOutput(output.shape);
  const args = [...(compiled.usesRoot ? [root] : []), ...(compiled.usesInputs ? [inputs()] : [])];
  return `${output.shapeName}(${args.join(', ')})`;
}

/** outputs.ts: every mapped output's type and shape function. */
export function outputView(output: Extract<OutputModel, { kind: 'mapped' }>): object {
  const compiled = compileOutput(output.shape);
  const params = [...(compiled.usesRoot ? ['root: unknown'] : []), ...(compiled.usesInputs ? ['inputs: Readonly<Record<string, unknown>>'] : [])];
  return {
    typeName: output.typeName,
    shapeName: output.shapeName,
    type: code(compiled.type),
    expression: code(compiled.expression),
    params: code(params.join(', ')),
    typeDoc: `The answer of ${output.origin}, as its outputParameters shape it.`,
    shapeDoc: output.mock
      ? `Builds the answer of ${output.origin} from its static values${compiled.usesInputs ? ' and the caller\'s inputs' : ''}.`
      : `Shapes the upstream JSON for ${output.origin}; a missing or mistyped value is null.`,
  };
}

// ---------- routes.ts ----------

function restInputAccess(inputs: readonly ExposedInput[]): SourceAccess {
  return {
    expr(name) {
      const input = inputs.find((i) => i.name === name)!;
      const kind = routeKind(input);
      const optional = !input.required;
      if (input.constant !== undefined) return { text: stringLiteral(input.constant), kind, optional: false };
      if (input.bodyPath !== undefined) return { text: `jsonPath(request.body, ${stringLiteral(input.bodyPath)})`, kind, optional: true };
      switch (input.in) {
        case 'path':
          return { text: `request.params.${input.routeParam!}`, kind, optional: false };
        case 'query':
          return { text: propertyAccess('request.query', input.name), kind, optional };
        case 'header':
          return { text: propertyAccess('request.headers', input.name.toLowerCase()), kind, optional };
        case 'cookie':
          return { text: `cookie(request.headers.cookie, ${stringLiteral(input.name)})`, kind, optional: true };
        case 'formData':
          return { text: `field(request.body, ${stringLiteral(input.name)})`, kind, optional: true };
        case 'body':
          return { text: `bodyInput(request.body, ${stringLiteral(input.name)})`, kind, optional: true };
      }
    },
  };
}

function objectType(entries: { key: string; ts: string; required: boolean }[]): string {
  return `{ ${entries.map((e) => `${propertyKey(e.key)}${e.required ? '' : '?'}: ${e.ts};`).join(' ')} }`;
}

function objectSchema(inputs: readonly ExposedInput[], key: (i: ExposedInput) => string): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const i of inputs) properties[key(i)] = routeSchema(i);
  const required = inputs.filter((i) => i.required).map(key);
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

export function routeView(op: RestAdapterModel['operations'][number]): object {
  const by = (where: ExposedInput['in']) => op.inputs.filter((i) => i.in === where && i.constant === undefined && i.bodyPath === undefined);
  const params = by('path');
  const query = by('query');
  const headers = by('header');
  const generics: string[] = [];
  const schema: Record<string, unknown> = {};
  if (params.length) {
    generics.push(`Params: ${objectType(params.map((i) => ({ key: i.routeParam!, ts: routeTs(i), required: true })))}`);
    schema.params = objectSchema(params, (i) => i.routeParam!);
  }
  if (query.length) {
    generics.push(`Querystring: ${objectType(query.map((i) => ({ key: i.name, ts: routeTs(i), required: i.required })))}`);
    schema.querystring = objectSchema(query, (i) => i.name);
  }
  if (headers.length) {
    generics.push(`Headers: ${objectType(headers.map((i) => ({ key: i.name.toLowerCase(), ts: routeTs(i), required: i.required })))}`);
    schema.headers = objectSchema(headers, (i) => i.name.toLowerCase());
  }
  const access = restInputAccess(op.inputs);
  const valuesFor = (names: string[]): string =>
    `{ ${names.filter((n) => op.inputs.some((i) => i.name === n)).map((n) => `${propertyKey(n)}: ${access.expr(n).text}`).join(', ')} }`;
  let handler: string;
  if (op.orchestration) {
    handler = `const result = await (async () => {\n${orchestrationCode(op.orchestration, access, valuesFor, REST_CALL_OPTIONS)}\n})();\nreturn replyJson(reply, 200, result);`;
  } else if (!op.call) {
    handler = `return replyJson(reply, 200, ${shapeCall(op.output, 'undefined', () => valuesFor(op.inputs.map((i) => i.name)))});`;
  } else {
    const call = callExpression(op.call, bindingObject(op.call, access, valuesFor), REST_CALL_OPTIONS);
    handler = op.output.kind === 'passthrough'
      ? `return replyUpstream(reply, await ${call}${op.maxBytes !== undefined ? `, ${op.maxBytes}` : ''});`
      : `const response = await ${call};\nreturn replyJson(reply, response.status, ${shapeCall(op.output, 'upstreamData(response)', () => valuesFor(op.inputs.map((i) => i.name)))});`;
  }
  return {
    ...op,
    doc: op.description,
    requestLine: `\`${op.method} ${op.path}\`${op.call ? ` → \`${op.call.consumes.namespace}.${op.call.operation.name}\`` : ' (mock)'}`,
    generics: code(generics.length ? `<{ ${generics.join('; ')} }>` : ''),
    schema: code(literal(schema)),
    handler: code(handler),
    handlerParams: code(/\brequest\b/.test(handler) ? 'request, reply' : '_request, reply'),
  };
}

export function restView(adapter: RestAdapterModel): object {
  const routes = adapter.operations.map(routeView) as { handler: Code }[];
  const forwards = adapter.forwards.map((f) => ({
    ...f,
    doc: `${f.description ? `${f.description}\n\n` : ''}\`${f.path}\` → forward to \`${f.consumes.namespace}\`${f.trustedHeaders.length ? ` (trusted headers: ${f.trustedHeaders.join(', ')})` : ''}`,
    methods: code(literal(f.methods)),
    trusted: code(literal(f.trustedHeaders)),
    client: code(propertyAccess('clients', f.consumes.clientsKey)),
  }));
  const body = routes.map((r) => r.handler.text).join('\n') + (forwards.length ? ' clients ' : '');
  // The spec may declare its own GET /openapi.json; then that route wins and nothing is added.
  const servesOpenApi = !adapter.operations.some((op) => (op.method === 'GET' || op.method === 'HEAD') && op.routePath.replace(/\/$/, '') === OPENAPI_PATH);
  return { ...adapter, routes, forwards, servesOpenApi, destructure: destructure(body, true), adapterDoc: `REST adapter \`${adapter.namespace}\`.` };
}

/** `clients, bindings` — only the names the generated handlers use (bindings always, for REST auth). */
function destructure(body: string, needBindings: boolean): Code | undefined {
  const names = [/\bclients\b/.test(body) ? 'clients' : '', needBindings || /\bbindings\b/.test(body) ? 'bindings' : ''].filter(Boolean);
  return names.length ? code(names.join(', ')) : undefined;
}

// ---------- mcp.ts ----------

export function toolView(tool: ToolModel, argsConst: string): object {
  const access: SourceAccess = {
    expr(name) {
      const input = tool.inputs.find((i) => i.name === name)!;
      return { text: propertyAccess('args', name), kind: toolKind(input), optional: !input.required };
    },
  };
  const valuesFor = (names: string[]): string =>
    `{ ${names.filter((n) => tool.inputs.some((i) => i.name === n)).map((n) => `${propertyKey(n)}: ${propertyAccess('args', n)}`).join(', ')} }`;
  const shape = tool.inputs.map((i) => {
    let schema = zodSchema(i);
    if (i.description) schema += `.describe(${stringLiteral(i.description)})`;
    if (!i.required) schema += '.optional()';
    return `${propertyKey(i.name)}: ${schema},`;
  });
  let handler: string;
  if (tool.orchestration) {
    handler = `toolJson(async () => {\n${orchestrationCode(tool.orchestration, access, valuesFor, MCP_CALL_OPTIONS)}\n})`;
  } else if (!tool.call) {
    handler = `jsonResult(${shapeCall(tool.output, 'undefined', () => valuesFor(tool.inputs.map((i) => i.name)))})`;
  } else {
    const call = callExpression(tool.call, bindingObject(tool.call, access, valuesFor), MCP_CALL_OPTIONS);
    handler = tool.output.kind === 'passthrough'
      ? `toolResult(() => ${call}, ${stringLiteral(tool.call.operation.method)}${tool.maxBytes !== undefined ? `, ${tool.maxBytes}` : ''})`
      : `toolJson(async () => ${shapeCall(tool.output, `upstreamData(await ${call})`, () => valuesFor(tool.inputs.map((i) => i.name)))})`;
  }
  const config: string[] = [];
  if (tool.title) config.push(`title: ${stringLiteral(tool.title)},`);
  if (tool.description) config.push(`description: ${stringLiteral(tool.description)},`);
  config.push(`inputSchema: ${argsConst},`);
  if (tool.annotations) config.push(`annotations: ${literal(tool.annotations)},`);
  const usesArgs = handler.includes('args');
  return {
    ...tool,
    argsConst,
    argsShape: code(shape.length ? `{\n${shape.join('\n')}\n}` : '{}'),
    argsType: code(tool.inputs.length ? objectType(tool.inputs.map((i) => ({ key: i.name, ts: toolTs(i), required: i.required }))) : 'Record<string, never>'),
    config: code(`{\n${config.join('\n')}\n}`),
    handler: code(`async (${usesArgs ? 'args' : '_args'}, ${handler.includes('extra.') ? 'extra' : '_extra'}) => ${handler}`),
    doc: tool.description,
  };
}

function resourceView(resource: McpResourceModel): object {
  const metadata = literal({ ...(resource.title ? { title: resource.title } : {}), ...(resource.description ? { description: resource.description } : {}), ...(resource.mimeType ? { mimeType: resource.mimeType } : {}) });
  if (resource.location !== undefined || !resource.call) {
    const directory = `locate(import.meta.url, ${stringLiteral(resource.location ?? '.')})`;
    const type = resource.mimeType ? `, ${stringLiteral(resource.mimeType)}` : '';
    return {
      ...resource,
      target: code(`directoryResource(${stringLiteral(resource.uri)}, ${directory}${type})`),
      metadata: code(metadata),
      handler: code(`async (uri, variables) => readDirectoryFile(uri.href, ${directory}, variables.path${type})`),
    };
  }
  const resourceCall = resource.call;
  const access: SourceAccess = {
    expr: (name) => ({ text: `String(${propertyAccess('variables', name)})`, kind: 'string', optional: false }),
  };
  const valuesFor = (names: string[]): string =>
    `{ ${names.filter((n) => resource.variables.includes(n)).map((n) => `${propertyKey(n)}: String(${propertyAccess('variables', n)})`).join(', ')} }`;
  const call = callExpression(resourceCall, bindingObject(resourceCall, access, valuesFor), MCP_CALL_OPTIONS);
  const templated = resource.variables.length > 0;
  return {
    ...resource,
    target: code(templated ? `new ResourceTemplate(${stringLiteral(resource.uri)}, { list: undefined })` : stringLiteral(resource.uri)),
    metadata: code(metadata),
    // A `with` may ignore every URI variable: the parameter is then unused (noUnusedParameters).
    handler: code(`async (uri, ${templated ? (/\bvariables\b/.test(call) ? 'variables, ' : '_variables, ') : ''}extra) => resourceResult(uri.href, ${stringLiteral(resource.mimeType ?? 'application/json')}, () => ${call}${resource.binary ? ', true' : ''})`),
  };
}

function promptView(prompt: McpPromptModel): object {
  const shape = prompt.arguments.map((a) => `${propertyKey(a.name)}: z.string()${a.description ? `.describe(${stringLiteral(a.description)})` : ''}${a.required ? '' : '.optional()'},`);
  const config = [
    ...(prompt.title ? [`title: ${stringLiteral(prompt.title)},`] : []),
    ...(prompt.description ? [`description: ${stringLiteral(prompt.description)},`] : []),
    ...(shape.length ? [`argsSchema: {\n${shape.join('\n')}\n},`] : []),
  ];
  if (prompt.location !== undefined) {
    return {
      ...prompt,
      config: code(`{\n${config.join('\n')}\n}`),
      handler: code(`async (${shape.length ? 'args' : ''}) => filePrompt(locate(import.meta.url, ${stringLiteral(prompt.location)}), ${shape.length ? 'args' : '{}'})`),
    };
  }
  const messages = prompt.messages.map((m) => `{ role: ${stringLiteral(m.role)}, content: { type: 'text', text: renderPrompt(${stringLiteral(m.content)}, ${shape.length ? 'args' : '{}'}) } },`);
  return {
    ...prompt,
    config: code(`{\n${config.join('\n')}\n}`),
    // With arguments but no message to render them into, the parameter is unused (noUnusedParameters).
    handler: code(`(${shape.length ? (messages.length ? 'args' : '_args') : ''}) => ({\nmessages: [\n${messages.join('\n')}\n],\n})`),
  };
}

export function mcpView(adapter: McpAdapterModel, allocate: (candidate: string) => string): object {
  const tools = adapter.tools.map((t) => toolView(t, allocate(`${camelCase(t.name)}Args`))) as { handler: Code }[];
  const resources = adapter.resources.map(resourceView) as { handler: Code }[];
  const prompts = adapter.prompts.map(promptView);
  return {
    ...adapter,
    tools,
    resources,
    prompts,
    destructure: destructure([...tools, ...resources].map((t) => t.handler.text).join('\n'), false),
    // An adapter that declares nothing registers nothing: its `server` parameter is unused.
    serverParam: tools.length + resources.length + prompts.length > 0 || adapter.cacheHints ? 'server' : '_server',
    adapterDoc: `Registers the tools of MCP adapter \`${adapter.namespace}\` on a server.`,
    ...(adapter.cacheHints ? { cacheHintsCode: code(literal(adapter.cacheHints)) } : {}),
  };
}
