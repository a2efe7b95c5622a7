/** `exposes[type=mcp]` → McpAdapterModel: tools with inputs, bindings, hints and outputs. */
import type { InputField, McpAdapterModel, McpPromptModel, McpResourceModel, ToolAnnotations, ToolModel } from './ir.js';
import { buildBindings, declaredToolInputs, resolveCall, type Lookup } from './exposed.js';
import { pascalCase, ToolNamePlanner } from './names.js';
import { buildOutput } from './output.js';
import { buildOrchestration } from './steps.js';
import { inlineRef } from './aggregates.js';
import { buildAuth } from './auth.js';
import { adapterMaxBytes, checkOutputFormat, checkRef, withMaxBytes, type AdapterContext } from './rest.js';
import { child, has, isObj, items, str, type Node } from './spec-access.js';

export function buildMcpAdapter(node: Node, ctx: AdapterContext): McpAdapterModel {
  const namespace = str(child(node, 'namespace')) ?? 'mcp';
  const planner = new ToolNamePlanner(64);
  const seen = new Map<string, Node>();
  const tools: ToolModel[] = [];
  for (const declared of items(child(node, 'tools'))) {
    let toolNode = declared;
    let withNamespace = namespace;
    if (has(declared, 'ref')) {
      const fn = checkRef(child(declared, 'ref'), ctx);
      if (!fn) continue;
      ({ node: toolNode, withNamespace } = inlineRef(declared, fn, 'tool'));
    }
    const specName = str(child(toolNode, 'name'));
    if (!specName) continue;
    const previous = seen.get(specName);
    if (previous) {
      ctx.report.error(child(toolNode, 'name'), 'duplicate-tool', `tool "${specName}" is already declared at line ${previous.spec.locate(previous.path).line}`, 'tool names must be unique');
      continue;
    }
    seen.set(specName, child(toolNode, 'name'));
    const tool = buildTool(toolNode, specName, planner.plan(specName), withNamespace, ctx);
    if (tool) tools.push(tool);
  }
  const transport = str(child(node, 'transport')) === 'stdio' ? 'stdio' : 'http';
  const port = child(node, 'port').value;
  const address = str(child(node, 'address'));
  const description = str(child(node, 'description'));
  const auth = buildAuth(child(node, 'authentication'), ctx.report, 'inbound');
  const maxBytes = adapterMaxBytes(node, ctx);
  return {
    namespace,
    ...(typeof port === 'number' ? { port } : {}),
    ...(address ? { address } : {}),
    transport,
    ...(description ? { description } : {}),
    ...(auth ? { auth } : {}),
    tools: tools.map((t) => withMaxBytes(t, maxBytes)),
    resources: unique(unique(items(child(node, 'resources')), 'name', 'resource', ctx), 'uri', 'resource URI', ctx)
      .map((r) => buildResource(r, namespace, ctx)).filter((r): r is McpResourceModel => r !== undefined),
    prompts: unique(items(child(node, 'prompts')), 'name', 'prompt', ctx).map((p) => buildPrompt(p, ctx)).filter((p): p is McpPromptModel => p !== undefined),
    registerName: ctx.symbols.allocate(`register${pascalCase(namespace)}Tools`),
    ...cacheHints(node),
  };
}

/** `ttlMs` / `cacheScope` of the adapter, carried on its results as the engine does. */
function cacheHints(node: Node): Pick<McpAdapterModel, 'cacheHints'> {
  const ttl = child(node, 'ttlMs').value;
  const scope = str(child(node, 'cacheScope'));
  const hints: NonNullable<McpAdapterModel['cacheHints']> = {
    ...(typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 0 ? { ttlMs: ttl } : {}),
    ...(scope === 'public' || scope === 'private' ? { cacheScope: scope } : {}),
  };
  return Object.keys(hints).length > 0 ? { cacheHints: hints } : {};
}

function buildTool(node: Node, specName: string, name: string, namespace: string, ctx: AdapterContext): ToolModel | undefined {
  const inputs: InputField[] = declaredToolInputs(node);
  const target = has(node, 'call') ? resolveCall(child(node, 'call'), ctx.consumes, ctx.report) : undefined;
  if (has(node, 'call') && !target) return undefined;
  let call;
  let orchestration;
  const lookup: Lookup = (p, field) => {
      if (!inputs.some((i) => i.name === p)) {
        inputs.push({
          name: p,
          type: field?.type ?? 'string',
          required: field ? field.required || field.in === 'path' : false,
          in: field?.in ?? 'template',
          ...(field?.description ? { description: field.description } : {}),
        });
      }
      return p;
    };
  if (has(node, 'steps')) {
    orchestration = buildOrchestration(node, namespace, lookup, { ...ctx, unsupported: (n, c) => ctx.report.unsupported(n, c) });
    if (!orchestration) return undefined;
  } else if (target) {
    call = buildBindings(target, child(node, 'with'), namespace, lookup, ctx.isBindRef, ctx.report);
  }
  const built = buildOutput(child(node, 'outputParameters'), ctx.report, (c) => ctx.symbols.allocate(c), `${pascalCase(specName)}Tool`, `MCP tool \`${specName}\``);
  const output = checkOutputFormat(built, target?.operation.outputFormat, child(node, 'outputParameters'), ctx);
  if (!call && !orchestration && (output.kind !== 'mapped' || !output.mock)) {
    ctx.report.error(node, 'no-call', `tool "${specName}" has neither "call" nor mock outputParameters with "value"`, 'add call: <namespace>.<operation>');
    return undefined;
  }
  const label = str(child(node, 'label'));
  const title = label ?? (name !== specName ? specName : undefined);
  const description = str(child(node, 'description'));
  const annotations = buildAnnotations(child(node, 'hints'), label);
  return {
    name,
    specName,
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
    ...(annotations ? { annotations } : {}),
    inputs,
    ...(call ? { call } : {}),
    ...(orchestration ? { orchestration } : {}),
    output,
  };
}

function buildResource(node: Node, namespace: string, ctx: AdapterContext): McpResourceModel | undefined {
  const name = str(child(node, 'name')) ?? 'resource';
  const uri = str(child(node, 'uri')) ?? '';
  const title = str(child(node, 'label'));
  const description = str(child(node, 'description'));
  const mimeType = str(child(node, 'mimeType'));
  const location = str(child(node, 'location'));
  if (location !== undefined) {
    if (/\{[^}]*\}/.test(uri)) {
      ctx.report.error(child(node, 'uri'), 'bad-resource', 'a file resource\'s uri is a base and cannot hold {variables}', 'remove the {variable}: files are served as <uri>/<relative path>');
      return undefined;
    }
    return { name, ...(title ? { title } : {}), uri, ...(description ? { description } : {}), ...(mimeType ? { mimeType } : {}), variables: [], location: ctx.relativeLocation(location) };
  }
  if (!has(node, 'call')) {
    ctx.report.unsupported(node, 'MCP resources without call or location');
    return undefined;
  }
  const target = resolveCall(child(node, 'call'), ctx.consumes, ctx.report);
  if (!target) return undefined;
  const variables = [...uri.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!);
  // Only URI variables are inputs of a resource; anything else stays unset.
  const lookup: Lookup = (p) => p;
  const call = buildBindings(target, child(node, 'with'), namespace, lookup, ctx.isBindRef, ctx.report);
  // A resource's only inputs are its URI variables: a required input bound to nothing else has no value.
  const unbound = call.bindings.filter((b) => b.source.kind === 'input' && !variables.includes(b.source.input)
    && target.operation.inputs.some((f) => f.name === b.target && f.required));
  if (unbound.length > 0) {
    const names = unbound.map((b) => b.target);
    ctx.report.error(has(node, 'with') ? child(node, 'with') : child(node, 'call'), 'resource-input-unbound',
      `resource "${name}" gives no value for required input${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} of ${target.consumes.namespace}.${target.operation.name}`,
      `bind ${names.length > 1 ? 'them' : 'it'} in with: (a constant, or "{{<URI variable>}}") or name a URI variable {${names[0]}}`);
    return undefined;
  }
  return {
    name,
    ...(title ? { title } : {}),
    uri,
    ...(description ? { description } : {}),
    mimeType: mimeType ?? (target.operation.mediaType ?? 'application/json'),
    variables,
    ...(child(node, 'binary').value === true || target.operation.outputFormat === 'binary' ? { binary: true } : {}),
    call: { ...call, bindings: call.bindings.filter((b) => b.source.kind !== 'input' || variables.includes(b.source.input)) },
  };
}

/**
 * The SDK refuses a second resource, template or prompt of the same name (or resource of the same
 * URI) when the server is built — on every MCP request. Repeats are reported here instead.
 */
function unique(nodes: Node[], key: string, what: string, ctx: AdapterContext): Node[] {
  const seen = new Map<string, Node>();
  return nodes.filter((n) => {
    const value = str(child(n, key));
    if (value === undefined) return true;
    const previous = seen.get(value);
    if (previous) {
      ctx.report.error(child(n, key), `duplicate-${what.replace(/ /g, '-').toLowerCase()}`, `${what} ${JSON.stringify(value)} is already declared at line ${previous.spec.locate(previous.path).line}`, key === 'uri' ? 'resource URIs must be unique' : `${what} names must be unique`);
      return false;
    }
    seen.set(value, child(n, key));
    return true;
  });
}

function buildPrompt(node: Node, ctx: AdapterContext): McpPromptModel | undefined {
  const location = str(child(node, 'location'));
  if (!has(node, 'template') && location === undefined) {
    ctx.report.error(node, 'bad-prompt', 'a prompt needs a template or a location', 'add template: [{role: user, content: …}] or location: file:///./prompt.md');
    return undefined;
  }
  // Arguments become the keys of the prompt's argument schema: each needs a name, once.
  const args = items(child(node, 'arguments'));
  for (const a of args) {
    if (str(child(a, 'name')) === undefined) {
      ctx.report.error(a, 'prompt-argument-name', 'a prompt argument needs a name', 'add name: <argument>');
      return undefined;
    }
  }
  if (unique(args, 'name', 'prompt argument', ctx).length !== args.length) return undefined;
  const title = str(child(node, 'label'));
  const description = str(child(node, 'description'));
  return {
    name: str(child(node, 'name')) ?? 'prompt',
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
    arguments: items(child(node, 'arguments')).map((a) => ({
      name: str(child(a, 'name')) ?? 'arg',
      ...(str(child(a, 'description')) ? { description: str(child(a, 'description')) } : {}),
      required: child(a, 'required').value !== false,
    })),
    messages: items(child(node, 'template')).map((m) => ({ role: str(child(m, 'role')) === 'assistant' ? 'assistant' as const : 'user' as const, content: str(child(m, 'content')) ?? '' })),
    ...(location !== undefined && !has(node, 'template') ? { location: ctx.relativeLocation(location) } : {}),
  };
}

/** Hints become annotations; unset hints stay unset (hosts apply their own defaults). */
function buildAnnotations(hints: Node, label: string | undefined): ToolAnnotations | undefined {
  const h = isObj(hints.value) ? hints.value : undefined;
  if (!h && !label) return undefined;
  const pick = (key: string): boolean | undefined => (typeof h?.[key] === 'boolean' ? (h[key] as boolean) : undefined);
  const out: Record<string, unknown> = {};
  if (label) out.title = label;
  const map: [string, keyof ToolAnnotations][] = [['readOnly', 'readOnlyHint'], ['destructive', 'destructiveHint'], ['idempotent', 'idempotentHint'], ['openWorld', 'openWorldHint']];
  for (const [from, to] of map) {
    const v = pick(from);
    if (v !== undefined) out[to] = v;
  }
  return Object.keys(out).length > 0 ? (out as ToolAnnotations) : undefined;
}
