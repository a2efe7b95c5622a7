// Mapped outputs compiled to accessor code: given a shape, want this type and expression.
import { describe, expect, it } from 'vitest';
import type { OutputShape } from '../../../generator/model/ir.js';
import { compileOutput } from '../../../generator/emit/outputs.js';
import * as pick from '../../../generator/runtime/pick.js';
import { renderText } from '../../../generator/runtime/template.js';

const value = (type: string, mapping?: string, constant?: string): OutputShape => ({ kind: 'value', type, ...(mapping ? { mapping } : {}), ...(constant !== undefined ? { value: constant } : {}) });

/** Evaluates a compiled expression with the runtime helpers in scope. */
function run(expression: string, root: unknown, inputs: Record<string, unknown> = {}): unknown {
  const scope = { ...pick, renderText };
  return new Function(...Object.keys(scope), 'root', 'inputs', `return (${expression});`)(...Object.values(scope), root, inputs);
}

describe('compileOutput', () => {
  it.each([
    ['root', value('string', '$'), 'string | null', 'asString(root)'],
    ['dotted path', value('number', '$.a.b'), 'number | null', "asNumber(at(root, 'a', 'b'))"],
    ['index and quoted key', value('boolean', "$.list[0]['x y']"), 'boolean | null', "asBoolean(at(root, 'list', 0, 'x y'))"],
    ['wildcard', value('string', '$.items[*].name'), 'Array<string | null> | null', "mapList(each(at(root, 'items'), (element) => at(element, 'name')), asString)"],
    ['untyped', value('any', '$.x'), 'JsonValue', "asJson(at(root, 'x'))"],
    ['object without properties', value('object', '$.x'), 'JsonObject | null', "asJsonObject(at(root, 'x'))"],
    ['constant', value('string', undefined, 'ready'), 'string', "'ready'"],
    ['template', value('string', undefined, 'Hi {{name}}'), 'string', "renderText('Hi {{name}}', (name) => inputs[name])"],
  ])('%s', (_name, shape, type, expression) => {
    const compiled = compileOutput(shape);
    expect(compiled.type).toBe(type);
    expect(compiled.expression).toBe(expression);
  });

  it('arrays map their items from each element; objects nest; keys are quoted when needed', () => {
    const shape: OutputShape = {
      kind: 'array', mapping: '$.results', items: {
        kind: 'object', properties: [
          { key: 'name', shape: value('string', '$.properties.Name.title[0].text.content') },
          { key: 'is-open', shape: value('boolean', '$.open') },
          { key: 'tags', shape: { kind: 'array', mapping: '$.tags', items: value('string', '$.label') } },
        ],
      },
    };
    const compiled = compileOutput(shape);
    expect(compiled.type.replace(/\s+/g, ' ')).toBe("Array<{ name: string | null; 'is-open': boolean | null; tags: Array<string | null> | null; }> | null");
    const root = { results: [{ properties: { Name: { title: [{ text: { content: 'Ada' } }] } }, open: 'true', tags: [{ label: 'x' }, { label: 7 }] }, {}] };
    expect(run(compiled.expression, root)).toEqual([{ name: 'Ada', 'is-open': true, tags: ['x', '7'] }, { name: null, 'is-open': null, tags: null }]);
  });

  it('an array output over XML data: a lone element is a list of one, a wrapper object gives its list', () => {
    const compiled = compileOutput({ kind: 'array', mapping: '$.vessel', items: { kind: 'object', properties: [{ key: 'code', shape: value('string', '$.code') }] } });
    expect(run(compiled.expression, { vessel: { code: 'A' } })).toEqual([{ code: 'A' }]);
    expect(run(compiled.expression, { vessel: [{ code: 'A' }, { code: 'B' }] })).toEqual([{ code: 'A' }, { code: 'B' }]);
    const root = compileOutput({ kind: 'array', mapping: '$.', items: { kind: 'object', properties: [{ key: 'code', shape: value('string', '$.code') }] } });
    expect(run(root.expression, { vessel: [{ code: 'A' }] })).toEqual([{ code: 'A' }]);
    expect(run(root.expression, 'text')).toBeNull();
  });

  it('numbers stay numbers, numeric strings become numbers, anything else is null', () => {
    const compiled = compileOutput({ kind: 'object', properties: [{ key: 'a', shape: value('number', '$.a') }, { key: 'b', shape: value('integer', '$.b') }, { key: 'c', shape: value('number', '$.c') }] });
    expect(run(compiled.expression, { a: 2015, b: '42', c: 'n/a' })).toEqual({ a: 2015, b: 42, c: null });
  });

  it('mock values render against the inputs and do not read the upstream', () => {
    const compiled = compileOutput({ kind: 'object', properties: [{ key: 'message', shape: value('string', undefined, 'Hello, {{name}}!') }] });
    expect(compiled.usesRoot).toBe(false);
    expect(compiled.usesInputs).toBe(true);
    expect(run(compiled.expression, undefined, { name: 'Nina' })).toEqual({ message: 'Hello, Nina!' });
  });

  it('a key that looks like code stays a string literal', () => {
    const key = "a'); globalThis.injected = 1; ('";
    const compiled = compileOutput(value('string', `$["${key}"]`));
    expect(run(compiled.expression, { [key]: 'v' })).toBe('v');
    expect((globalThis as { injected?: number }).injected).toBeUndefined();
  });

  it('own keys only: a path never reaches the prototype', () => {
    const compiled = compileOutput(value('string', '$.constructor.name'));
    expect(run(compiled.expression, {})).toBeNull();
  });
});
