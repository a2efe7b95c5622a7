/**
 * `outputParameters` of an exposed operation or tool → OutputModel. The catalogue's
 * `{type: object, mapping: $.}` (no properties) and no outputs at all mean pass-through of the
 * upstream answer (dialect D2); anything else is a shape computed from the upstream JSON.
 */
import type { OutputModel, OutputShape } from './ir.js';
import { child, isObj, items, str, type Node, type Reporter } from './spec-access.js';

const ROOT = new Set(['$', '$.']);

/** `base` names the output (`GetShip` → type `GetShipOutput`, function `shapeGetShipOutput`). */
export function buildOutput(node: Node, report: Reporter, allocate: (candidate: string) => string, base: string, origin: string): OutputModel {
  const outputs = items(node);
  if (outputs.length === 0) return { kind: 'passthrough' };
  const first = outputs[0]!;
  const mapping = str(child(first, 'mapping'));
  const type = str(child(first, 'type')) ?? 'object';
  if (type === 'object' && !isObj(child(first, 'properties').value) && (mapping === undefined || ROOT.has(mapping)) && !hasValue(first)) {
    return { kind: 'passthrough' };
  }
  const mock = outputs.every((o) => !hasMapping(o));
  // Several named outputs form an object; a single unnamed one is the answer itself.
  const shape: OutputShape =
    outputs.length === 1 && str(child(first, 'name')) === undefined
      ? buildShape(first, report)
      : { kind: 'object', properties: outputs.map((o, i) => ({ key: str(child(o, 'name')) ?? (i === 0 ? 'value' : `value${i + 1}`), shape: buildShape(o, report) })) };
  return { kind: 'mapped', shape, typeName: allocate(`${base}Output`), shapeName: allocate(`shape${base}Output`), mock, origin };
}

function hasValue(node: Node): boolean {
  return child(node, 'value').value !== undefined;
}

function hasMapping(node: Node): boolean {
  if (str(child(node, 'mapping')) !== undefined) return true;
  const props = child(node, 'properties');
  if (isObj(props.value)) return Object.keys(props.value).some((k) => hasMapping(child(props, k)));
  const itemsNode = child(node, 'items');
  return isObj(itemsNode.value) ? hasMapping(itemsNode) : false;
}

function buildShape(node: Node, report: Reporter): OutputShape {
  const type = str(child(node, 'type')) ?? 'string';
  const mapping = str(child(node, 'mapping')) ?? (str(child(node, 'value'))?.startsWith('$') && str(child(node, 'name')) ? str(child(node, 'value')) : undefined);
  if (mapping !== undefined) checkJsonPath(child(node, 'mapping').value !== undefined ? child(node, 'mapping') : child(node, 'value'), mapping, report);
  if (type === 'object') {
    const props = child(node, 'properties');
    if (!isObj(props.value)) return { kind: 'value', type: 'object', ...(mapping !== undefined ? { mapping } : {}) };
    return {
      kind: 'object',
      ...(mapping !== undefined ? { mapping } : {}),
      properties: Object.keys(props.value).map((key) => ({ key: str(child(child(props, key), 'name')) ?? key, shape: buildShape(child(props, key), report) })),
    };
  }
  if (type === 'array') {
    let itemsNode = child(node, 'items');
    if (Array.isArray(itemsNode.value)) itemsNode = child(itemsNode, 0);
    return {
      kind: 'array',
      ...(mapping !== undefined ? { mapping } : {}),
      ...(isObj(itemsNode.value) ? { items: buildShape(itemsNode, report) } : {}),
    };
  }
  const value = mapping === undefined ? textOf(child(node, 'value').value ?? child(node, 'const').value) : undefined;
  return { kind: 'value', type, ...(mapping !== undefined ? { mapping } : {}), ...(value !== undefined ? { value } : {}) };
}

function textOf(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The JSONPath subset the runtime evaluates; anything else is refused here, with its position. */
function checkJsonPath(node: Node, path: string, report: Reporter): void {
  const ok = /^\$(\.?(\*|[^.[\]]+)|\[(\*|\d+|'[^']*'|"[^"]*")\])*\.?$/.test(path);
  if (!ok) report.error(node, 'unsupported-jsonpath', `JSONPath "${path}" uses selectors the generator does not support`,
    'use $, $.a.b, $.a[0], $[\'a b\'] or $.a[*].b');
}
