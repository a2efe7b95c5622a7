// The engine's beta5 format fixtures (csv, xml, yaml, html, markdown) end to end: the recording
// upstream answers the engine's own sample files (tests/schemas/) in that format, and the
// generated route maps them as the engine's tests expect.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDeployment } from './harness.js';

const ROOT = 'test/fixtures/ikanos-examples';
const sample = (name: string): string => readFileSync(join(ROOT, 'tests/schemas', name), 'utf8');
const USERS = [
  { id: '1', name: 'Alice Smith', email: 'alice@example.com' },
  { id: '2', name: 'Bob Johnson', email: 'bob@example.com' },
];

const cases = [
  { format: 'csv', route: '/csv/users', file: 'sample-users.csv', type: 'text/csv' },
  // The root element is dropped (as the engine's XmlMapper does), so the fixture's `$.root.user`
  // reads the sample's users once it sits inside an outer element.
  { format: 'xml', route: '/xml/users', file: 'sample-users.xml', type: 'application/xml', wrap: true },
  { format: 'yaml', route: '/yaml/users', file: 'sample-users.yaml', type: 'application/yaml' },
];

describe('beta5 format fixtures', () => {
  it.each(cases)('$format: the sample users map to id, name, email', async ({ format, route, file, type, wrap }: { format: string; route: string; file: string; type: string; wrap?: boolean }) => {
    await withDeployment({ example: `tests/formats/${format}-capability.yaml`, root: ROOT }, {}, async (d) => {
      const text = sample(file);
      d.upstream.reply = () => ({ status: 200, contentType: type, body: wrap ? `<document>${text.replace(/^<\?xml[^>]*\?>/, '')}</document>` : text });
      const response = await d.fetch(route);
      const body = (await response.json()) as typeof USERS;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.slice(0, 2)).toEqual(USERS);
    });
  });

  it('html: the outputSchema selector picks the products table', async () => {
    await withDeployment({ example: 'tests/formats/html-capability.yaml', root: ROOT }, {}, async (d) => {
      d.upstream.reply = () => ({ status: 200, contentType: 'text/html', body: sample('sample-products.html') });
      expect(await (await d.fetch('/html/products')).json()).toEqual([{ name: 'Widget', price: '$42', stock: '150' }, { name: 'Gadget', price: '$99', stock: '30' }]);
    });
  });

  it('markdown: the first table maps by header', async () => {
    await withDeployment({ example: 'tests/formats/markdown-capability.yaml', root: ROOT }, {}, async (d) => {
      d.upstream.reply = () => ({ status: 200, contentType: 'text/markdown', body: sample('sample-readme.md') });
      const rows = (await (await d.fetch('/markdown/features')).json()) as { feature: string; status: string }[];
      expect(rows.slice(0, 2)).toEqual([{ feature: 'HTML support', status: 'GA' }, { feature: 'Markdown support', status: 'Beta' }]);
    });
  });
});
