// outputRawFormat conversions (semantics doc §3.7; case R11).
import { describe, expect, it } from 'vitest';
import { formatToJson } from '../../../generator/runtime/formats.js';
import { shapeOutput } from '../../../generator/runtime/output.js';

describe('formatToJson', () => {
  it('R11: xml drops the root, repeats become arrays, scalars are strings', () => {
    const xml = '<root><user><id>1</id><name>Alice</name></user><user><id>2</id><name>Bob &amp; co</name></user></root>';
    const data = formatToJson('xml', xml);
    expect(data).toEqual({ user: [{ id: '1', name: 'Alice' }, { id: '2', name: 'Bob & co' }] });
    const shape = { kind: 'array' as const, mapping: '$.user', items: { kind: 'object' as const, properties: [{ key: 'id', shape: { kind: 'value' as const, type: 'string', mapping: '$.id' } }, { key: 'name', shape: { kind: 'value' as const, type: 'string', mapping: '$.name' } }] } };
    expect(shapeOutput(shape, data)).toEqual([{ id: '1', name: 'Alice' }, { id: '2', name: 'Bob & co' }]);
  });

  it('refuses DTDs (no entity expansion) and malformed XML', () => {
    expect(() => formatToJson('xml', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(/DTD/);
    expect(() => formatToJson('xml', '<a><b></a>')).toThrow(/malformed/);
  });

  it.each([
    ['csv', 'id,name\n1,"Smith, J"\n2,"say ""hi"""\n', [{ id: '1', name: 'Smith, J' }, { id: '2', name: 'say "hi"' }]],
    ['tsv', 'id\tname\r\n1\tA\r\n', [{ id: '1', name: 'A' }]],
    ['psv', 'id|name\n1|A\n', [{ id: '1', name: 'A' }]],
    ['yaml', 'a: 1\nb: [x, y]\n', { a: 1, b: ['x', 'y'] }],
  ])('%s', (format, text, want) => {
    expect(formatToJson(format, text)).toEqual(want);
  });
});
