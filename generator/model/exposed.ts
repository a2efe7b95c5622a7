/**
 * REST operations and MCP tools → models with explicit inputs and bindings. Implements the
 * resolution algorithm of the catalogue dialect (semantics doc §7.4), which also covers the
 * official dialect: `with` values are namespace references, templates or literals; consumed
 * inputs no `with` covers are looked up by name; inputs nobody declared are implied from the
 * consumed operation; exposed path variables match consumed ones by name, normalised name,
 * then position.
 */
import { suggest } from '../diagnostics.js';
import type { ParamType } from '../runtime/descriptor.js';
import { variablesOf } from '../runtime/template.js';
import type { Binding, CallModel, ConsumesModel, ExposedInput, InputField, OperationModel, ValueSource } from './ir.js';
import { child, isObj, items, str, text, type Node, type Reporter } from './spec-access.js';

const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object', 'file']);
/** Prefixes the catalogue and the docs use for "the caller's input" in `with` values. */
const GENERIC_PREFIXES = ['rest', 'tools', 'mcp', 'api'];

export function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Finds the consumed operation a `call: ns.op` names, reporting unknown targets. */
export function resolveCall(node: Node, consumes: readonly ConsumesModel[], report: Reporter): { consumes: ConsumesModel; operation: OperationModel } | undefined {
  const call = str(node);
  if (call === undefined) return undefined;
  const dot = call.indexOf('.');
  if (dot <= 0) {
    report.error(node, 'bad-call', `call "${call}" must be "<consumes namespace>.<operation name>"`);
    return undefined;
  }
  const nsName = call.slice(0, dot);
  const opName = call.slice(dot + 1);
  const ns = consumes.find((c) => c.namespace === nsName);
  if (!ns) {
    report.error(node, 'unknown-call', `call "${call}" names consumes namespace "${nsName}", which does not exist`,
      consumes.length ? `declared namespaces: ${consumes.map((c) => c.namespace).join(', ')}` : 'declare it under capability.consumes');
    return undefined;
  }
  const operation = ns.operations.find((o) => o.name === opName);
  if (!operation) {
    const near = suggest(opName, ns.operations.map((o) => o.name));
    report.error(node, 'unknown-call', `call "${call}": namespace "${nsName}" has no operation "${opName}"`,
      near ? `did you mean "${nsName}.${near}"?` : `its operations: ${ns.operations.map((o) => o.name).slice(0, 10).join(', ')}`);
    return undefined;
  }
  return { consumes: ns, operation };
}

/** Looks up (or implies) the exposed input that supplies the value named `name`. */
export type Lookup = (name: string, field: InputField | undefined) => string;

/** Evaluates `with` plus implied lookups into one binding per consumed input field. */
export function buildBindings(
  target: { consumes: ConsumesModel; operation: OperationModel },
  withNode: Node,
  exposeNamespace: string,
  lookup: Lookup,
  isBindRef: (name: string) => boolean,
  report: Reporter,
): CallModel {
  const bindings: Binding[] = [];
  const withValue = isObj(withNode.value) ? withNode.value : {};
  for (const key of Object.keys(withValue)) {
    if (!target.operation.inputs.some((f) => f.name === key)) {
      report.warning(child(withNode, key), 'unused-with', `"${key}" is not an input of ${target.consumes.namespace}.${target.operation.name}; it is ignored`,
        `inputs: ${target.operation.inputs.map((f) => f.name).join(', ') || 'none'}`);
    }
  }
  for (const field of target.operation.inputs) {
    const raw = Object.prototype.hasOwnProperty.call(withValue, field.name) ? withValue[field.name] : undefined;
    let source: ValueSource;
    if (raw === undefined || raw === null) {
      source = { kind: 'input', input: lookup(field.name, field) };
    } else if (typeof raw === 'string') {
      const ref = namespaceRef(raw, exposeNamespace);
      if (ref !== undefined) source = { kind: 'input', input: lookup(ref, field) };
      else if (raw.includes('{{')) {
        for (const variable of variablesOf(raw)) if (!isBindRef(variable)) lookup(variable, undefined);
        source = { kind: 'template', template: raw };
      } else source = { kind: 'literal', value: raw };
    } else {
      source = { kind: 'literal', value: raw };
    }
    bindings.push({ target: field.name, source });
  }
  return { consumes: target.consumes, operation: target.operation, bindings };
}

/** `ns.param` → `param` when ns is the adapter's namespace or a generic prefix; split at the first dot. */
function namespaceRef(value: string, exposeNamespace: string): string | undefined {
  const legacy = /^\$this\.[^.]+\.(.+)$/.exec(value);
  if (legacy) return legacy[1];
  const dot = value.indexOf('.');
  if (dot <= 0 || value.includes('{{') || /\s/.test(value)) return undefined;
  const prefix = value.slice(0, dot);
  return prefix === exposeNamespace || GENERIC_PREFIXES.includes(prefix) ? value.slice(dot + 1) : undefined;
}

export function paramType(node: Node): ParamType {
  const type = str(child(node, 'type')) ?? 'string';
  return (TYPES.has(type) ? type : 'string') as ParamType;
}

/** Declared REST inputs (adapter, resource, operation level; later levels win). */
export function declaredRestInputs(levels: readonly Node[], report?: Reporter): ExposedInput[] {
  const out = new Map<string, ExposedInput>();
  for (const level of levels) {
    for (const p of items(child(level, 'inputParameters'))) {
      const name = text(child(p, 'name'));
      if (!name) continue;
      const location = str(child(p, 'in')) ?? 'body';
      const value = text(child(p, 'value')) ?? text(child(p, 'template'));
      const description = str(child(p, 'description'));
      const inLoc = (['path', 'query', 'header', 'cookie', 'body'].includes(location) ? location : 'body') as ExposedInput['in'];
      const pattern = checkedPattern(child(p, 'pattern'), report);
      out.set(name, {
        name,
        in: inLoc,
        type: paramType(p),
        required: inLoc === 'path' || child(p, 'required').value === true,
        ...(description ? { description } : {}),
        ...(value !== undefined && value.startsWith('$') ? { bodyPath: value } : {}),
        ...(value !== undefined && !value.startsWith('$') ? { constant: value } : {}),
        ...(pattern !== undefined ? { pattern } : {}),
      });
    }
  }
  return [...out.values()];
}

/** A `pattern` that compiles as a JavaScript (Unicode) regular expression; otherwise an error. */
function checkedPattern(node: Node, report: Reporter | undefined): string | undefined {
  const pattern = str(node);
  if (pattern === undefined) return undefined;
  try {
    new RegExp(pattern, 'u');
    return pattern;
  } catch (error) {
    report?.error(node, 'bad-pattern', `pattern is not a valid regular expression: ${(error as Error).message}`, 'write an ECMAScript regular expression, e.g. ^[A-Z]{3}-[0-9]+$');
    return undefined;
  }
}

/** Declared MCP tool inputs (`required` defaults to true, as in the schema). */
export function declaredToolInputs(node: Node): InputField[] {
  return items(child(node, 'inputParameters')).flatMap((p): InputField[] => {
    const name = text(child(p, 'name'));
    if (!name) return [];
    const description = str(child(p, 'description'));
    return [{ name, type: paramType(p), required: child(p, 'required').value !== false, in: 'template', ...(description ? { description } : {}) }];
  });
}
