// Non-JSON upstream formats end to end (semantics doc §3.7): the official format fixtures,
// served against a recording upstream that answers in that format, mapped by generated code.
import { describe, expect, it } from 'vitest';
import { withDeployment } from '../conformance/harness.js';

describe('outputRawFormat through generated routes', () => {
  it('html: the outputSchema selector picks the table; rows map by header', async () => {
    await withDeployment({ example: 'tests/formats/html-capability.yaml' }, {}, async (d) => {
      d.upstream.reply = () => ({ status: 200, contentType: 'text/html', body: '<table id="nav"><tr><th>Name</th></tr><tr><td>menu</td></tr></table><table class="products"><tr><th>Name</th><th>Price</th><th>Stock</th></tr><tr><td>Widget</td><td>9.99</td><td>3</td></tr></table>' });
      const response = await d.fetch('/html/products');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ name: 'Widget', price: '9.99', stock: '3' }]);
    });
  });

  it('markdown: the first table maps by header', async () => {
    await withDeployment({ example: 'tests/formats/markdown-capability.yaml' }, {}, async (d) => {
      d.upstream.reply = () => ({ status: 200, contentType: 'text/markdown', body: '# Features\n\n| Feature | Status |\n|---|---|\n| Search | done |\n' });
      expect(await (await d.fetch('/markdown/features')).json()).toEqual([{ feature: 'Search', status: 'done' }]);
    });
  });

  it('avro: not mapped (warned when generating); the upstream body is relayed as it comes', async () => {
    await withDeployment({ example: 'tests/formats/avro-capability.yaml' }, {}, async (d) => {
      const bytes = Buffer.from([0x4f, 0x62, 0x6a, 0x01, 0x00, 0xff]);
      d.upstream.reply = () => ({ status: 200, contentType: 'application/avro', body: bytes });
      const response = await d.fetch('/avro/records');
      expect(response.headers.get('content-type')).toBe('application/avro');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    });
  });
});
