/**
 * The emit stage: CapabilityModel → the files of `generated/<name>/`, rendered from templates/
 * and checked and formatted by ts-morph. Pure: returns contents, writes nothing.
 */
import type { CapabilityModel } from '../model/ir.js';
import type { FileSet } from './runtime-files.js';
import { SymbolTable } from '../model/names.js';
import { TEMPLATE_NAMES } from '../model/build.js';
import { Code, literal, stringLiteral } from './escape.js';
import { formatTypeScript } from './format.js';
import { render } from './handlebars.js';
import { requiredBinds } from './requires.js';
import { mcpView, namespaceView, outputView, restView } from './views.js';
import { exportOpenApi, openApiText } from '../openapi/export.js';

export { RUNTIME_DIR, runtimeFiles, type FileSet } from './runtime-files.js';

const OUTPUT_VALUES = ['at', 'each', 'mapList', 'asString', 'asNumber', 'asBoolean', 'asJson', 'asJsonObject', 'asJsonArray', 'renderText'];

const RUNTIME_VALUES = ['setupRestPlugin', 'addRoute', 'addTool', 'onDisconnect', 'forwardRequest', 'replyUpstream', 'replyJson', 'upstreamData', 'convert', 'required', 'renderWith', 'jsonPath', 'cookie', 'field', 'bodyInput', 'toolResult', 'toolJson', 'jsonResult', 'lookupStep', 'stepValue', 'stepMappings', 'resourceResult', 'renderPrompt', 'directoryResource', 'readDirectoryFile', 'filePrompt', 'locate', 'cacheHints'];

/** Runtime names a rendered body uses, as an import list (`type` imports last). */
function runtimeImports(body: string, types: string[]): Code {
  const used = RUNTIME_VALUES.filter((name) => new RegExp(`\\b${name}\\(`).test(body));
  return new Code([...used, ...types.map((t) => `type ${t}`)].join(', '));
}

/** The shape functions of outputs.ts a rendered body calls, as an import list (or undefined). */
function outputImports(body: string, mapped: readonly { shapeName: string }[]): Code | undefined {
  const used = mapped.map((o) => o.shapeName).filter((name) => new RegExp(`\\b${name}\\(`).test(body));
  return used.length ? new Code(used.join(', ')) : undefined;
}

export function generateCapability(model: CapabilityModel): FileSet {
  const files: FileSet = new Map();
  const base = { source: model.source, name: model.name };
  const emit = (file: string, template: string, view: object): void => {
    files.set(file, formatTypeScript(`${model.name}/${file}`, render(template, { ...base, ...view })));
  };

  const targets = new Set(model.rest.flatMap((r) => r.forwards.map((f) => f.consumes.namespace)));
  const consumes = model.consumes.map((ns) => ({ ...namespaceView(ns), forwardTarget: targets.has(ns.namespace) })) as unknown as ({ operations: { resultTs: Code; fields: { tsType: Code }[]; hasInputs: boolean; inputType: string; resultType: string }[] })[];
  const typeTexts = consumes.flatMap((ns) => ns.operations.flatMap((op) => [op.resultTs.text, ...op.fields.map((f) => f.tsType.text)])).join(' ');
  const typeImports = ['JsonObject', 'JsonValue'].filter((t) => new RegExp(`\\b${t}\\b`).test(typeTexts));
  emit('types.ts', 'types.ts', { consumes, imports: typeImports.length ? new Code(typeImports.join(', ')) : undefined });

  const opTypes = consumes.flatMap((ns) => ns.operations.flatMap((op) => (op.hasInputs ? [op.inputType, op.resultType] : [op.resultType])));
  emit('client.ts', 'client.ts', { consumes, anyForward: targets.size > 0, binds: model.binds, bindsLiteral: new Code(bindsLiteral(model)), typeImports: opTypes.length ? new Code(opTypes.join(', ')) : undefined });

  const mapped = [...model.rest.flatMap((r) => r.operations.map((o) => o.output)), ...model.mcp.flatMap((m) => m.tools.map((t) => t.output))]
    .filter((o): o is Extract<typeof o, { kind: 'mapped' }> => o.kind === 'mapped');
  const outputs = mapped.map(outputView) as { type: Code; expression: Code }[];
  if (outputs.length > 0) {
    const body = outputs.map((o) => `${o.type.text} ${o.expression.text}`).join('\n');
    const used = OUTPUT_VALUES.filter((name) => new RegExp(`\\b${name}\\(`).test(body));
    const types = ['JsonObject', 'JsonValue'].filter((t) => new RegExp(`\\b${t}\\b`).test(body)).map((t) => `type ${t}`);
    emit('outputs.ts', 'outputs.ts', { outputs, runtimeImports: new Code([...used, ...types].join(', ')) });
  }

  if (model.rest.length > 0) {
    const rest = model.rest.map(restView) as { routes: { handler: Code }[] }[];
    const body = rest.flatMap((r) => r.routes.map((route) => route.handler.text)).join('\n') + ' setupRestPlugin(' +
      (model.rest.some((r) => r.operations.length || r.forwards.length) ? ' addRoute(' : '') +
      (model.rest.some((r) => r.forwards.length) ? ' replyUpstream( forwardRequest( onDisconnect(' : '');
    emit('routes.ts', 'routes.ts', { rest, runtimeImports: runtimeImports(body, ['Bindings', 'ServerAuthSpec']), outputImports: outputImports(body, mapped) });
  }
  if (model.mcp.length > 0) {
    const names = new SymbolTable([...TEMPLATE_NAMES, ...model.mcp.map((m) => m.registerName)]);
    const mcp = model.mcp.map((m) => mcpView(m, (c) => names.allocate(c))) as { tools: { handler: Code; argsType: Code }[]; resources: { handler: Code; target: Code }[]; prompts: { handler: Code }[] }[];
    const argTypes = mcp.flatMap((m) => m.tools.map((t) => t.argsType.text)).join(' ');
    const jsonTypes = ['JsonObject', 'JsonValue'].filter((t) => new RegExp(`\\b${t}\\b`).test(argTypes));
    const body = mcp.flatMap((m) => [...m.tools, ...m.resources, ...m.prompts].map((t) => `${t.handler.text} ${'target' in t ? (t.target as Code).text : ''}`)).join('\n') +
      (model.mcp.some((m) => m.tools.length) ? ' addTool(' : '') + (model.mcp.some((m) => m.cacheHints) ? ' cacheHints(' : '');
    const usesTemplates = model.mcp.some((m) => m.resources.some((r) => r.variables.length > 0));
    const needsZod = model.mcp.some((m) => m.tools.length > 0 || m.prompts.some((p) => p.arguments.length > 0));
    emit('mcp.ts', 'mcp.ts', { mcp, usesTemplates, needsZod, runtimeImports: runtimeImports(body, ['Bindings', ...jsonTypes]), outputImports: outputImports(body, mapped) });
  }

  emit('server.ts', 'server.ts', {
    rest: model.rest,
    mcp: model.mcp,
    serverPath: `${model.name}/server.ts`,
    restImports: new Code(model.rest.map((r) => r.pluginName).join(', ')),
    mcpImports: new Code(model.mcp.map((m) => m.registerName).join(', ')),
    definition: definitionLiteral(model),
    sharedBinds: model.binds.length > 0,
  });
  emit('index.ts', 'index.ts', { rest: model.rest, mcp: model.mcp });
  // The REST adapters serve this at GET /openapi.json; it is also what `naftiko-codegen openapi` prints.
  if (model.rest.length > 0) files.set('openapi.json', openApiText(exportOpenApi(model).document, 'json'));
  return files;
}

/** The `definition` object of server.ts: data as literals, functions by their planned names. */
function definitionLiteral(model: CapabilityModel): Code {
  const data = (value: unknown): string => literal(value, '  ');
  const rest = model.rest.map((r) =>
    `{ namespace: ${stringLiteral(r.namespace)}, port: ${r.port}, ${r.address ? `address: ${stringLiteral(r.address)}, ` : ''}${r.auth ? `auth: ${literal(r.auth)}, ` : ''}plugin: ${r.pluginName} }`,
  );
  const mcp = model.mcp.map((m) =>
    `{ namespace: ${stringLiteral(m.namespace)}, ${m.port !== undefined ? `port: ${m.port}, ` : ''}${m.address ? `address: ${stringLiteral(m.address)}, ` : ''}transport: ${stringLiteral(m.transport)}, ${m.description ? `description: ${stringLiteral(m.description)}, ` : ''}${m.auth ? `auth: ${literal(m.auth)}, ` : ''}register: ${m.registerName} }`,
  );
  const requires = requiredBinds(model);
  const fields = [
    `name: ${stringLiteral(model.name)},`,
    `version: '1.0.0',`,
    `consumes: ${data(model.consumes.map((c) => ({ namespace: c.namespace, baseUri: c.baseUri, ...hostInputs(c) })))},`,
    model.binds.length ? 'binds,' : 'binds: [],',
    model.binds.length ? 'bindsBaseDir,' : `bindsBaseDir: fileURLToPath(new URL('.', import.meta.url)),`,
    ...(requires.length ? [`requires: ${data(requires)},`] : []),
    `createClients,`,
    `rest: [${rest.join(', ')}],`,
    `mcp: [${mcp.join(', ')}],`,
  ];
  return new Code(`{\n${fields.join('\n')}\n}`);
}

/** Host variables every operation of the namespace takes as a caller input (readiness does not wait for them). */
function hostInputs(c: CapabilityModel['consumes'][number]): { hostInputs?: string[] } {
  const names = c.hostVariables.filter((v) => c.operations.length > 0 && c.operations.every((op) => op.inputs.some((i) => i.name === v)));
  return names.length ? { hostInputs: names } : {};
}

function bindsLiteral(model: CapabilityModel): string {
  return literal(model.binds.map((b) => ({ namespace: b.namespace, ...(b.location !== undefined ? { location: b.location } : {}), keys: b.keys })));
}

