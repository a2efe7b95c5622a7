// outputRawFormat conversions (semantics doc §3.7; case R11).
import { describe, expect, it } from 'vitest';
import { formatToJson } from '../../../generator/runtime/formats.js';

describe('formatToJson', () => {
  it('R11: xml drops the root, repeats become arrays, scalars are strings', () => {
    const xml = '<root><user><id>1</id><name>Alice</name></user><user><id>2</id><name>Bob &amp; co</name></user></root>';
    const data = formatToJson('xml', xml);
    expect(data).toEqual({ user: [{ id: '1', name: 'Alice' }, { id: '2', name: 'Bob & co' }] });
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

describe('html tables', () => {
  const page = `<!doctype html><html><head><style>td { x: "<table>" }</style></head><body>
    <table class="nav"><tr><td>skip</td></tr></table>
    <div id="main"><table class="products wide">
      <thead><tr><th>Name</th><th>Price</th></tr></thead>
      <tbody>
        <tr><td>Widget &amp; co</td><td>9.99</td>
        <tr><td><b>Gadget</b><br>XL</td><td>&#x31;0</td></tr>
      </tbody>
    </table></div><!-- <table><tr><td>comment</td></tr></table> --></body></html>`;

  it.each([
    ['no selector: every table', undefined, [[], [{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
    ['tag.class', 'table.products', [[{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
    ['descendant of an id', '#main table', [[{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
    ['a container selects its tables', 'div#main', [[{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
    ['no match', 'table.none', []],
    // css-select: the whole CSS selector language, not only compounds and descendants.
    ['child combinator and attribute', 'div[id=main] > table', [[{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
    ['pseudo-class', 'table:not(.nav)', [[{ Name: 'Widget & co', Price: '9.99' }, { Name: 'Gadget XL', Price: '10' }]]],
  ])('%s', (_name, selector, want) => {
    expect(formatToJson('html', page, selector)).toEqual({ tables: want });
  });
});

it('html: an invalid selector is refused with an Error, a page without tables gives none', () => {
  expect(() => formatToJson('html', '<table></table>', 'table[')).toThrow(Error);
  expect(formatToJson('html', '<p>no tables &amp; no rows')).toEqual({ tables: [] });
});

describe('markdown', () => {
  const doc = `---
title: Readme
tags: [a, b]
---
# Features

| Feature | Status |
|:--------|-------:|
| Search  | done   |
| Pipes \\| too | wip |

## Notes
Some *text*.

\`\`\`
# not a heading
| not | a table |
|---|---|
\`\`\`
`;

  it('front matter, tables keyed by their header, sections with their content', () => {
    const data = formatToJson('markdown', doc) as { frontMatter: unknown; tables: unknown; sections: { heading: string; level: number; content: string }[] };
    expect(data.frontMatter).toEqual({ title: 'Readme', tags: ['a', 'b'] });
    expect(data.tables).toEqual([[{ Feature: 'Search', Status: 'done' }, { Feature: 'Pipes | too', Status: 'wip' }]]);
    expect(data.sections.map((s) => [s.heading, s.level])).toEqual([['Features', 1], ['Notes', 2]]);
    expect(data.sections[1]!.content).toContain('# not a heading');
  });

  it('CommonMark (micromark): setext headings count, inline markup in cells is text, an indented table is code', () => {
    const text = 'Title\n=====\n\n| A | B |\n|---|---|\n| **x** | `y` |\n\n    | not | a table |\n    |---|---|\n';
    expect(formatToJson('markdown', text)).toEqual({
      frontMatter: {},
      tables: [[{ A: 'x', B: 'y' }]],
      sections: [{ heading: 'Title', level: 1, content: '| A | B |\n|---|---|\n| **x** | `y` |\n\n    | not | a table |\n    |---|---|' }],
    });
  });

  it('outputSchema is a heading prefix that filters sections and their tables', () => {
    expect(formatToJson('markdown', doc, 'Not')).toMatchObject({ tables: [], sections: [{ heading: 'Notes' }] });
  });
});

// Hostile upstream bodies (issue 17: the parsers are csv-parse and fast-xml-parser now).
describe('hostile and random bodies', () => {
  it('random text is converted or refused with an Error, for every delimited format and xml', async () => {
    const fc = await import('fast-check');
    fc.assert(fc.property(fc.constantFrom('xml', 'csv', 'tsv', 'psv', 'html', 'markdown'), fc.string({ unit: fc.constantFrom('<', '>', '/', 'a', 'b', '"', ',', '\t', '|', '\n', '\r', '&', ';', '#', '!', '[', ']', ' ', '=', "'") }), (format, text) => {
      try {
        formatToJson(format, text);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
      }
    }), { numRuns: 500 });
  });

  it('delimited rows round-trip through RFC 4180 quoting', async () => {
    const fc = await import('fast-check');
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\t', '|', 'é') });
    fc.assert(fc.property(fc.constantFrom(',', '\t', '|'), fc.integer({ min: 1, max: 4 }), fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 5 }), (separator, width, rows) => {
      const header = Array.from({ length: width }, (_, i) => `c${i}`);
      const body = rows.map((r) => r.slice(0, width)).filter((r) => r.some((c) => c !== ''));
      const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
      const text = [header, ...body].map((r) => r.map(quote).join(separator)).join('\r\n');
      const format = separator === ',' ? 'csv' : separator === '\t' ? 'tsv' : 'psv';
      expect(formatToJson(format, text)).toEqual(body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
    }), { numRuns: 300 });
  });

  it('xml: entity tricks stay text, deep nesting and reserved names are refused, character references are decoded', () => {
    expect(() => formatToJson('xml', '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>')).toThrow(/DTD/);
    expect(() => formatToJson('xml', `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`)).toThrow();
    expect(() => formatToJson('xml', '<r><__proto__><x>1</x></__proto__></r>')).toThrow();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(formatToJson('xml', '<r><a>&#x31;0 &amp;lt; &#65;</a><a>&unknown;</a></r>')).toEqual({ a: ['10 &lt; A', '&unknown;'] });
    expect(formatToJson('xml', '<r><m><b>1</b>loose text</m><e/><c><![CDATA[<raw>]]></c></r>')).toEqual({ m: { b: '1' }, e: '', c: '<raw>' });
    expect(() => formatToJson('xml', '<a>1</a><b>2</b>')).toThrow(/malformed/);
  });
});
