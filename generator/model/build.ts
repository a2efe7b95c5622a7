/**
 * The model stage: a validated spec (plus its imports) → CapabilityModel, or diagnostics.
 * Constructs the generator does not support yet are reported once each, at their position,
 * and the capability is not generated (never half-generated).
 */
import { relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedSpec } from '../load/load.js';
import { aggregateFunctions, markCacheable } from './aggregates.js';
import { buildConsumes, resolveConsumesNode, type ConsumesContext } from './consumes.js';
import type { BindModel, CapabilityModel, ConsumesModel } from './ir.js';
import { buildMcpAdapter } from './mcp.js';
import { SymbolTable } from './names.js';
import { buildRestAdapter, type AdapterContext } from './rest.js';
import { child, has, isObj, items, str, Reporter, type Node } from './spec-access.js';

/** Identifiers the templates use themselves; spec-derived names never take them. */
export const TEMPLATE_NAMES = [
  'HttpClient', 'ClientOptions', 'CallOptions', 'UpstreamResponse', 'JsonValue', 'JsonObject', 'Clients', 'ClientsOptions',
  'createClients', 'definition', 'capability', 'z', 'McpServer', 'FastifyInstance', 'FastifyPluginAsync', 'runtime',
  'replyUpstream', 'replyJson', 'setupRestPlugin', 'toolResult', 'jsonResult', 'field', 'Bindings',
  'at', 'each', 'mapList', 'asString', 'asNumber', 'asBoolean', 'asJson', 'asJsonObject', 'asJsonArray', 'renderText',
  'binds', 'bindsBaseDir', 'main', 'startCapability', 'runCapability', 'ServerOptions', 'RestPluginOptions', 'onDisconnect', 'addRoute', 'addTool',
];

export interface BuildOptions {
  /** Output folder name. */
  readonly name: string;
  /** Spec path as shown in headers. */
  readonly source: string;
  /** Absolute path of the capability's output folder (bind file locations are made relative to it). */
  readonly outDir: string;
}

export interface BuildResult {
  readonly model?: CapabilityModel;
  readonly diagnostics: Diagnostic[];
}

export function buildModel(spec: LoadedSpec, imports: ReadonlyMap<string, LoadedSpec>, options: BuildOptions): BuildResult {
  const report = new Reporter();
  const root: Node = { value: spec.doc, spec, path: [] };
  const capability = child(root, 'capability');
  if (!isObj(capability.value)) {
    report.error(root, 'not-a-capability', 'this file has no "capability"; it can only be imported by one', 'add capability.exposes, or import it with location:');
    return { diagnostics: report.diagnostics };
  }

  const binds = [...items(child(root, 'binds')), ...items(child(capability, 'binds'))].map((b) => buildBind(b, spec, options.outDir));
  // `in: environment` parameters (Ikanos beta5) are read from the process environment: they
  // become bind variables of that name, never part of the upstream request.
  const environment = new Set<string>();
  const isBindRef = (name: string): boolean => {
    if (environment.has(name)) return true;
    const dot = name.indexOf('.');
    if (dot > 0 && binds.some((b) => b.namespace === name.slice(0, dot) && name.slice(dot + 1) in b.keys)) return true;
    return binds.some((b) => Object.prototype.hasOwnProperty.call(b.keys, name));
  };

  const symbols = new SymbolTable(TEMPLATE_NAMES);
  const consumesCtx: ConsumesContext = { report, symbols, clientKeys: new SymbolTable(), isBindRef, imports, environment };
  const consumes: ConsumesModel[] = [];
  for (const entry of items(child(capability, 'consumes'))) {
    const resolved = resolveConsumesNode(entry, consumesCtx);
    if (!resolved) continue;
    refuseConsumesConstructs(resolved, report);
    const built = buildConsumes(resolved, consumesCtx);
    if (!built) continue;
    if (consumes.some((c) => c.namespace === built.namespace)) {
      report.error(child(resolved, 'namespace'), 'duplicate-namespace', `consumes namespace "${built.namespace}" is declared twice`);
      continue;
    }
    consumes.push(built);
  }

  const aggregates = aggregateFunctions(capability, report);
  markCacheable(aggregates, consumes);
  const ctx: AdapterContext = { report, symbols, consumes, isBindRef, aggregates, relativeLocation: (location) => relativeLocation(location, spec.dir, options.outDir) };
  const rest = [];
  const mcp = [];
  const exposes = items(child(capability, 'exposes'));
  refuseExposedConstructs(capability, exposes, report, consumes);
  if (exposes.length === 0 && !report.hasUnsupported && !report.failed) {
    report.error(capability, 'no-exposes', 'the capability exposes nothing', 'add a rest or mcp entry under capability.exposes');
  }
  const skipped: Node[] = [];
  for (const adapter of exposes) {
    const type = str(child(adapter, 'type'));
    if (type === 'rest') rest.push(buildRestAdapter(adapter, ctx));
    else if (type === 'mcp') mcp.push(buildMcpAdapter(adapter, ctx));
    else skipped.push(adapter);
  }
  for (const adapter of skipped) {
    const type = str(child(adapter, 'type'));
    if (rest.length + mcp.length > 0) {
      report.warning(child(adapter, 'type'), 'skipped-adapter', `"${type}" adapters are not generated; this one is skipped`, 'naftiko-codegen generates rest and mcp adapters');
    } else {
      report.error(child(adapter, 'type'), 'unsupported', `"${type}" adapters are not supported, and the capability has no rest or mcp adapter to generate`, 'add a rest or mcp adapter');
      break;
    }
  }
  report.flushUnsupported();
  if (report.failed) return { diagnostics: report.diagnostics };

  const info = child(root, 'info');
  const label = str(child(info, 'label'));
  const description = str(child(info, 'description'));
  return {
    model: {
      name: options.name,
      source: options.source,
      ...(label ? { label } : {}),
      ...(description ? { description } : {}),
      binds: environmentBinds(binds, environment),
      consumes,
      rest,
      mcp,
    },
    diagnostics: report.diagnostics,
  };
}

/**
 * Ikanos beta5 constructs the generator does not generate yet: each is recorded at its place and
 * the capability gets one positioned "not supported yet" diagnostic naming them (docs/semantics.md).
 */
function refuseConsumesConstructs(consumes: Node, report: Reporter): void {
  if (has(consumes, 'tunnel')) report.unsupported(child(consumes, 'tunnel'), 'consumes tunnel (OpenZiti overlay)');
  for (const resource of items(child(consumes, 'resources'))) {
    for (const op of items(child(resource, 'operations'))) {
      if (has(op, 'outputMediaType') && str(child(op, 'outputRawFormat')) !== 'binary') report.unsupported(child(op, 'outputMediaType'), 'outputMediaType without outputRawFormat: binary');
    }
  }
}

function refuseExposedConstructs(capability: Node, exposes: Node[], report: Reporter, consumes: readonly ConsumesModel[]): void {
  for (const aggregate of items(child(capability, 'aggregates'))) {
    for (const fn of items(child(aggregate, 'functions'))) {
      if (!has(fn, 'outputMediaType')) continue;
      // The flow's media type is the called operation's (which the answer is relayed with); another one is not supported.
      const call = str(child(fn, 'call')) ?? '';
      const dot = call.indexOf('.');
      const op = consumes.find((c) => c.namespace === call.slice(0, dot))?.operations.find((o) => o.name === call.slice(dot + 1));
      if (!op || op.mediaType !== str(child(fn, 'outputMediaType'))) report.unsupported(child(fn, 'outputMediaType'), 'aggregate flow outputMediaType other than its called operation\'s outputMediaType');
    }
  }
  for (const adapter of exposes) {
    const type = str(child(adapter, 'type'));
    if (type !== 'rest' && type !== 'mcp') continue;
  }
}

/** Binds plus one environment bind for the `in: environment` parameters no declared bind names. */
function environmentBinds(binds: readonly BindModel[], environment: ReadonlySet<string>): BindModel[] {
  const keys: Record<string, string> = {};
  for (const name of [...environment].sort()) {
    if (!binds.some((b) => Object.prototype.hasOwnProperty.call(b.keys, name))) keys[name] = name;
  }
  return Object.keys(keys).length > 0 ? [...binds, { namespace: 'environment', keys }] : [...binds];
}

function buildBind(node: Node, spec: LoadedSpec, outDir: string): BindModel {
  const keys: Record<string, string> = {};
  const keysNode = child(node, 'keys');
  if (isObj(keysNode.value)) for (const [k, v] of Object.entries(keysNode.value)) keys[k] = String(v);
  const location = str(child(node, 'location'));
  return {
    namespace: str(child(node, 'namespace')) ?? 'env',
    ...(location !== undefined && has(node, 'location') ? { location: relativeLocation(location, spec.dir, outDir) } : {}),
    keys,
  };
}

/** A bind file location, made relative to the generated folder so the output stays portable. */
function relativeLocation(location: string, specDir: string, outDir: string): string {
  let path = location;
  if (/^file:\/\/\/\.\.?\//.test(path)) path = path.slice('file:///'.length);
  else if (/^file:\/\/\.\.?\//.test(path)) path = path.slice('file://'.length);
  else if (path.startsWith('file:')) return fileURLToPath(path);
  const absolute = resolvePath(specDir, path);
  return relative(outDir, absolute).split('\\').join('/');
}
