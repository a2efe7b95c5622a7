/**
 * Mapped `outputParameters` compiled to TypeScript: each output becomes an exact type and a
 * function that builds it with plain accessor code (`at(root, 'a', 0)`; `each(…)` for `[*]`),
 * so nothing interprets JSONPath at run time and a reviewer reads what the answer holds.
 * Semantics match the reference engine: properties read from the answer's root, array items
 * from their element; mock `value`s are strings rendered against the caller's inputs.
 */
import type { OutputShape } from '../model/ir.js';
import { parseJsonPath } from '../runtime/jsonpath.js';
import { hasVariables } from '../runtime/template.js';
import { propertyKey, stringLiteral } from './escape.js';

export interface CompiledOutput {
  /** TypeScript type of the shaped answer. */
  readonly type: string;
  /** Expression computing it from `root` (the upstream JSON) and `inputs`. */
  readonly expression: string;
  readonly usesRoot: boolean;
  readonly usesInputs: boolean;
}

const SCALARS: Record<string, { convert: string; type: string }> = {
  string: { convert: 'asString', type: 'string' },
  number: { convert: 'asNumber', type: 'number' },
  integer: { convert: 'asNumber', type: 'number' },
  boolean: { convert: 'asBoolean', type: 'boolean' },
  object: { convert: 'asJsonObject', type: 'JsonObject' },
};

export function compileOutput(shape: OutputShape): CompiledOutput {
  const state = { usesRoot: false, usesInputs: false, depth: 0 };
  const { type, expression } = compile(shape, 'root', state);
  return { type, expression, usesRoot: state.usesRoot, usesInputs: state.usesInputs };
}

interface State {
  usesRoot: boolean;
  usesInputs: boolean;
  depth: number;
}

function compile(shape: OutputShape, root: string, state: State): { type: string; expression: string } {
  switch (shape.kind) {
    case 'value':
      return compileValue(shape, root, state);
    case 'object': {
      const entries = shape.properties.map(({ key, shape: child }) => ({ key: propertyKey(key), ...compile(child, root, state) }));
      if (entries.length === 0) return { type: 'Record<string, never>', expression: '{}' };
      // One property a line: ts-morph indents, it does not wrap.
      return {
        type: `{\n${entries.map((e) => `${e.key}: ${e.type};`).join('\n')}\n}`,
        expression: `{\n${entries.map((e) => `${e.key}: ${e.expression},`).join('\n')}\n}`,
      };
    }
    case 'array': {
      if (shape.mapping === undefined) {
        if (!shape.items) return { type: 'JsonValue[]', expression: '[]' };
        const item = compile(shape.items, root, state);
        return { type: `Array<${item.type}>`, expression: `[${item.expression}]` };
      }
      const list = path(root, shape.mapping, state);
      if (!shape.items) return { type: 'JsonValue[] | null', expression: `asJsonArray(${list})` };
      state.depth += 1;
      const name = state.depth === 1 ? 'item' : `item${state.depth}`;
      const item = compile(shape.items, name, state);
      state.depth -= 1;
      const body = item.expression.startsWith('{') ? `(${item.expression})` : item.expression;
      return { type: `Array<${item.type}> | null`, expression: `mapList(${list}, (${name}) => ${body})` };
    }
  }
}

function compileValue(shape: Extract<OutputShape, { kind: 'value' }>, root: string, state: State): { type: string; expression: string } {
  const scalar = SCALARS[shape.type];
  if (shape.mapping !== undefined) {
    const value = path(root, shape.mapping, state);
    if (!scalar) return { type: 'JsonValue', expression: `asJson(${value})` };
    // A wildcard yields a list; each element gets the declared type.
    if (parseJsonPath(shape.mapping).some((s) => 'wildcard' in s)) {
      return { type: `Array<${scalar.type} | null> | null`, expression: `mapList(${value}, ${scalar.convert})` };
    }
    return { type: `${scalar.type} | null`, expression: `${scalar.convert}(${value})` };
  }
  if (shape.value !== undefined) {
    if (!hasVariables(shape.value)) return { type: 'string', expression: stringLiteral(shape.value) };
    state.usesInputs = true;
    return { type: 'string', expression: `renderText(${stringLiteral(shape.value)}, (name) => inputs[name])` };
  }
  return { type: 'null', expression: 'null' };
}

/** `at(root, 'a', 0)`, with `each(…, (x) => …)` around every `[*]`. */
function path(root: string, mapping: string, state: State): string {
  if (root === 'root') state.usesRoot = true;
  const segments = parseJsonPath(mapping);
  const build = (base: string, from: number, level: number): string => {
    const steps: string[] = [];
    for (let i = from; i < segments.length; i += 1) {
      const segment = segments[i]!;
      if ('wildcard' in segment) {
        const element = `element${level === 0 ? '' : level + 1}`;
        return `each(${access(base, steps)}, (${element}) => ${build(element, i + 1, level + 1)})`;
      }
      steps.push('index' in segment ? String(segment.index) : stringLiteral(segment.key));
    }
    return access(base, steps);
  };
  return build(root, 0, 0);
}

function access(base: string, steps: readonly string[]): string {
  return steps.length === 0 ? base : `at(${base}, ${steps.join(', ')})`;
}
