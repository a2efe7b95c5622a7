/**
 * Applies one capability's config settings to its model, after the model stage and before emit:
 * adapter ports and addresses, base URIs, MCP tool prefix and filter are planned into the code;
 * variables, constant query/header values, timeout and retry become the namespace descriptor's
 * `defaults`, which the runtime reads and server options override.
 */
import type { Diagnostic } from '../diagnostics.js';
import { pathVariables } from '../model/consumes.js';
import type { CapabilityModel, ConsumesModel, McpAdapterModel, OperationModel, RestAdapterModel, ToolModel } from '../model/ir.js';
import { ToolNamePlanner } from '../model/names.js';
import type { NamespaceDefaults } from '../runtime/descriptor.js';
import type { McpSettings, NamespaceSettings } from './define.js';
import type { ResolvedSettings } from './settings.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `*` and `?` wildcards over a whole tool name. */
export function matchesPattern(name: string, pattern: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's').test(name);
}

export function applySettings(model: CapabilityModel, resolved: ResolvedSettings): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const { settings } = resolved;
  const report = (severity: Diagnostic['severity'], path: (string | number)[], message: string, hint?: string): void => {
    const at = resolved.locate(path);
    diagnostics.push({ severity, code: 'config', file: at.file, line: at.line, col: at.col, message, ...(hint ? { hint } : {}) });
  };

  const known = model.consumes.map((c) => c.namespace);
  for (const ns of resolved.ownNamespaces) {
    if (!known.includes(ns)) {
      report('error', ['consumes', ns], `capability "${model.name}" has no consumes namespace "${ns}"`, known.length ? `its namespaces: ${known.join(', ')}` : 'it consumes nothing');
    }
  }
  for (const consumes of model.consumes) {
    applyNamespace(consumes as Mutable<ConsumesModel>, settings.consumes?.[consumes.namespace], settings);
    const cache = settings.consumes?.[consumes.namespace]?.cache;
    for (const [name, policy] of Object.entries(cache ?? {})) {
      const op = consumes.operations.find((o) => o.name === name) as Mutable<OperationModel> | undefined;
      if (!op) {
        const names = consumes.operations.map((o) => o.name);
        report('error', ['consumes', consumes.namespace, 'cache', name], `consumes namespace "${consumes.namespace}" has no operation "${name}"`, names.length ? `its operations: ${names.slice(0, 10).join(', ')}` : undefined);
        continue;
      }
      if (policy === false) delete op.cache;
      else if (op.method !== 'GET' && op.method !== 'HEAD') report('warning', ['consumes', consumes.namespace, 'cache', name], `operation "${name}" is ${op.method}: only GET and HEAD answers are cached`);
      else op.cache = { ...op.cache, ...(policy === true ? {} : policy) };
    }
  }

  for (const rest of model.rest as Mutable<RestAdapterModel>[]) {
    if (settings.rest?.port !== undefined) rest.port = settings.rest.port;
    if (settings.rest?.address !== undefined) rest.address = settings.rest.address;
  }
  const mcp = settings.mcp;
  if (mcp) {
    const before = model.mcp.flatMap((a) => a.tools.flatMap((t) => [t.name, t.specName]));
    for (const adapter of model.mcp as Mutable<McpAdapterModel>[]) {
      if (mcp.port !== undefined) adapter.port = mcp.port;
      if (mcp.address !== undefined) adapter.address = mcp.address;
      adapter.tools = selectTools(adapter.tools, mcp);
    }
    // A pattern that matches nothing is most likely a typo: say so (only for the capability's own patterns).
    if (resolved.ownPatterns) {
      for (const key of ['include', 'exclude'] as const) {
        (mcp[key] ?? []).forEach((pattern, i) => {
          if (before.some((n) => matchesPattern(n, pattern))) return;
          const names = [...new Set(before)];
          report('warning', ['mcp', key, i], `tool pattern "${pattern}" matches no tool of "${model.name}"`, names.length ? `its tools: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}` : 'it has no MCP tools');
        });
      }
    }
  }
  return diagnostics;
}

function applyNamespace(consumes: Mutable<ConsumesModel>, own: NamespaceSettings | undefined, settings: ResolvedSettings['settings']): void {
  if (own?.baseUri !== undefined) {
    consumes.baseUri = own.baseUri;
    consumes.hostVariables = pathVariables(own.baseUri);
  }
  const defaults: Mutable<NamespaceDefaults> = {};
  if (own?.variables && Object.keys(own.variables).length) defaults.variables = own.variables;
  if (own?.headers && Object.keys(own.headers).length) defaults.headers = own.headers;
  if (own?.query && Object.keys(own.query).length) defaults.query = own.query;
  const timeoutMs = own?.timeoutMs ?? settings.timeoutMs;
  if (timeoutMs !== undefined) defaults.timeoutMs = timeoutMs;
  const retry = own?.retry === false ? false : own?.retry === undefined ? settings.retry : { ...(settings.retry || {}), ...own.retry };
  if (retry !== undefined) defaults.retry = retry;
  if (own?.budget && Object.keys(own.budget).length) defaults.budget = own.budget;
  if (Object.keys(defaults).length) consumes.defaults = defaults;
}

/** Filter, then prefix; names are planned again so they stay unique and within 64 characters. */
function selectTools(tools: readonly ToolModel[], mcp: McpSettings): ToolModel[] {
  const matches = (tool: ToolModel, patterns: readonly string[]): boolean => patterns.some((p) => matchesPattern(tool.name, p) || matchesPattern(tool.specName, p));
  const kept = tools.filter((t) => (!mcp.include || matches(t, mcp.include)) && !(mcp.exclude && matches(t, mcp.exclude)));
  if (!mcp.toolPrefix) return kept;
  const planner = new ToolNamePlanner(64);
  return kept.map((t) => ({ ...t, name: planner.plan(`${mcp.toolPrefix}${t.name}`) }));
}
