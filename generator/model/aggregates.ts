/**
 * Aggregates: a REST operation or MCP tool with `ref: <namespace>.<function>` is compiled as if
 * the function were written inline — its call, `with`, inputs and outputs — with the adapter's
 * own name, description, inputs, outputs and hints winning where it gives them. Hints start from
 * the function's `semantics` (safe → readOnly and not destructive; idempotent copied) and are
 * overridden field by field, as the reference engine does.
 */
import type { ConsumesModel, OperationModel } from './ir.js';
import { child, isObj, items, str, type Node, type Obj, type Reporter } from './spec-access.js';

export interface AggregateFunction {
  readonly namespace: string;
  readonly node: Node;
}

export function aggregateFunctions(capability: Node, report?: Reporter): Map<string, AggregateFunction> {
  const out = new Map<string, AggregateFunction>();
  for (const aggregate of items(child(capability, 'aggregates'))) {
    const namespace = str(child(aggregate, 'namespace')) ?? '';
    for (const fn of items(child(aggregate, 'functions'))) {
      const key = `${namespace}.${str(child(fn, 'name'))}`;
      if (out.has(key) && report) report.error(child(fn, 'name'), 'duplicate-function', `aggregate function "${key}" is declared twice`, 'rename or remove one of them');
      out.set(key, { namespace, node: fn });
    }
  }
  return out;
}

/**
 * The adapter node with the function inlined, and the namespace its `with` references use.
 * `kind` says how function inputs (which have no location) reach a REST operation.
 */
export function inlineRef(node: Node, fn: AggregateFunction, kind: 'tool' | 'rest', method = 'GET'): { node: Node; withNamespace: string } {
  const own = node.value as Obj;
  const fnValue = fn.node.value as Obj;
  const merged: Obj = { ...fnValue, ...withoutUndefined(own) };
  delete merged.ref;
  delete merged.semantics;
  if (own.with === undefined && fnValue.with !== undefined) merged.with = fnValue.with;
  if (own.outputParameters === undefined && fnValue.outputParameters !== undefined) merged.outputParameters = fnValue.outputParameters;
  if (own.inputParameters === undefined && Array.isArray(fnValue.inputParameters)) {
    merged.inputParameters = kind === 'tool' ? fnValue.inputParameters : fnValue.inputParameters.filter(isObj).map((p) => restInput(p, method));
  }
  if (kind === 'tool') {
    const hints = { ...derivedHints(fnValue.semantics), ...(isObj(own.hints) ? own.hints : {}) };
    if (Object.keys(hints).length > 0) merged.hints = hints;
  } else {
    delete merged.hints;
  }
  return { node: { ...node, value: merged }, withNamespace: fn.namespace };
}

function restInput(param: Obj, method: string): Obj {
  const name = String(param.name);
  return ['POST', 'PUT', 'PATCH'].includes(method)
    ? { ...param, in: 'body', value: `$['${name.replace(/'/g, "\\'")}']` }
    : { ...param, in: 'query' };
}

function derivedHints(semantics: unknown): Obj {
  if (!isObj(semantics)) return {};
  const out: Obj = {};
  if (semantics.safe === true) {
    out.readOnly = true;
    out.destructive = false;
  } else if (semantics.safe === false) {
    out.readOnly = false;
  }
  if (typeof semantics.idempotent === 'boolean') out.idempotent = semantics.idempotent;
  return out;
}

function withoutUndefined(value: Obj): Obj {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * `semantics.cacheable: true` on a function: the consumed GET/HEAD operations it calls (its
 * `call` and its call steps) may have their answers cached, with the default policy
 * (docs/caching.md); the config file can refine or switch that off per operation.
 */
export function markCacheable(aggregates: ReadonlyMap<string, AggregateFunction>, consumes: readonly ConsumesModel[]): void {
  for (const fn of aggregates.values()) {
    const semantics = child(fn.node, 'semantics');
    if (!isObj(semantics?.value) || (semantics.value as Obj).cacheable !== true) continue;
    const calls = [str(child(fn.node, 'call')), ...items(child(fn.node, 'steps')).map((step) => str(child(step, 'call')))];
    for (const call of calls) {
      if (!call) continue;
      const dot = call.indexOf('.');
      const ns = consumes.find((c) => c.namespace === call.slice(0, dot));
      const op = ns?.operations.find((o) => o.name === call.slice(dot + 1)) as { -readonly [K in keyof OperationModel]: OperationModel[K] } | undefined;
      if (op && (op.method === 'GET' || op.method === 'HEAD')) op.cache ??= {};
    }
  }
}
