// The shipyard tutorial (every step file) end to end: a recording upstream answers with the
// payloads the tutorial describes (registry JSON, legacy dockyard XML), and every REST route and
// every MCP tool of the step is called; answers must succeed and carry the upstream's data
// through the step's output shaping.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { normalise } from '../../generator/load/dialect.js';
import { describe, expect, it } from 'vitest';
import type { Recorded, Reply } from '../corpus/recorder.js';
import { EXAMPLES, withDeployment } from './harness.js';

// The same tutorial in both dialects: the official alpha2 examples and the Ikanos beta5 ones.
const DIALECTS = [
  { dialect: 'alpha2', root: EXAMPLES },
  { dialect: 'beta5', root: 'test/fixtures/ikanos-examples' },
];
const IMO = 'IMO-9321483';
const VOYAGE = 'VOY-2026-042';

const ships = [
  { imo_number: IMO, vessel_name: 'Northern Star', vessel_type: 'bulk_carrier', flag_code: 'NO', operational_status: 'active', year_built: 2015, gross_tonnage: 42000, dimensions: { length_overall: 229 }, assignedCrew: ['CREW-001', 'CREW-003'] },
  { imo_number: 'IMO-9412375', vessel_name: 'Southern Cross', vessel_type: 'container', flag_code: 'PA', operational_status: 'laid_up', year_built: 2009, gross_tonnage: 51000, dimensions: { length_overall: 294 }, assignedCrew: [] },
];
const crew = [
  { crewId: 'CREW-001', fullName: 'Ada Larsen', role: 'master', rank: 'captain', nationality: 'NO' },
  { crewId: 'CREW-003', fullName: 'Cy Okafor', role: 'chief_engineer', rank: 'officer', nationality: 'NG' },
];
const cargo = [{ cargoId: 'CARGO-2024-0451', description: 'Iron ore', weight: 1200 }];
const voyage = { voyageId: VOYAGE, shipImo: IMO, departurePort: 'Oslo', arrivalPort: 'Singapore', departureDate: '2026-04-10', arrivalDate: '2026-05-02', crewIds: ['CREW-001', 'CREW-003'], cargoIds: ['CARGO-2024-0451'], status: 'planned' };
const legacyXml = '<vessels><vessel><vesselCode>LEG-001</vesselCode><vesselName>Old Faithful</vesselName><category>tug</category><flagState>DK</flagState><operationalStatus>active</operationalStatus></vessel><vessel><vesselCode>LEG-002</vesselCode><vesselName>Rusty</vesselName><category>barge</category><flagState>DK</flagState><operationalStatus>laid_up</operationalStatus></vessel></vessels>';

/** The tutorial's upstreams: the maritime registry (JSON) and the legacy dockyard (XML). */
function answer(req: Recorded): Reply {
  const json = (status: number, body: unknown): Reply => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
  const path = req.path.replace(/^.*?(\/(?:ships|crew|cargo|voyages|vessels|legacy)\b)/, '$1');
  if (/\/vessels$/.test(path)) return { status: 200, contentType: 'application/xml', body: legacyXml };
  if (path === '/ships') return json(200, ships);
  if (/^\/ships\/[^/]+\/crew$/.test(path)) return json(200, crew);
  if (/^\/ships\/[^/]+$/.test(path)) return json(200, { ...ships[0], imo_number: decodeURIComponent(path.split('/')[2]!) });
  if (path === '/crew') return json(200, crew);
  if (path === '/cargo') return json(200, cargo);
  if (path === '/voyages' && req.method === 'POST') return json(201, { ...voyage, ...(JSON.parse(req.body.toString() || '{}') as object) });
  if (path === '/voyages') return json(200, [voyage]);
  if (/^\/voyages\/[^/]+(\/manifest)?$/.test(path)) return json(200, voyage);
  return json(404, { error: 'not found', path });
}

/** A plausible value for an input, by its name. */
function sample(name: string, type = 'string'): unknown {
  if (type === 'array') return /cargo/i.test(name) ? ['CARGO-2024-0451'] : ['CREW-001', 'CREW-003'];
  if (/imo/i.test(name)) return IMO;
  if (/voyage/i.test(name)) return VOYAGE;
  if (/status/i.test(name)) return 'active';
  if (/date/i.test(name)) return '2026-04-10';
  if (/port/i.test(name)) return 'Oslo';
  if (type === 'number' || type === 'integer') return 1;
  return 'x';
}

interface Spec {
  capability: {
    exposes?: { type: string; resources?: { path: string; operations?: { method?: string; inputParameters?: { name: string; in?: string; type?: string }[] }[] }[]; tools?: { name: string }[] }[];
  };
}

/** What upstream data must show through: a value only the upstream payloads hold. */
const UPSTREAM_VALUES = /Northern Star|Southern Cross|Ada Larsen|Old Faithful|Iron ore|Oslo|IMO-9321483|VOY-2026-042|planned/;

describe.each(DIALECTS)('tutorial steps end to end ($dialect)', ({ root }) => {
  const TUTORIAL = join(root, 'tutorial');
  const secrets = readFileSync(join(TUTORIAL, 'shared/secrets.yaml'), 'utf8');
  const MCP_TOKEN = /mcp-server-token:\s*"?([^"\n]+)"?/.exec(secrets)?.[1] ?? '';
  const steps = readdirSync(TUTORIAL).filter((f) => /^step-\d+-.*\.ya?ml$/.test(f)).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
  it.each(steps)('%s: every REST route and MCP tool answers with the upstream data shaped', async (file) => {
    // Read through the generator's own normalisation, so beta5 maps keyed by name read as lists.
    const spec = normalise(parse(readFileSync(join(TUTORIAL, file), 'utf8'))).doc as Spec;
    await withDeployment({ example: `tutorial/${file}`, root }, {}, async (d) => {
      d.upstream.reply = answer;
      let calls = 0;
      for (const adapter of spec.capability.exposes ?? []) {
        if (adapter.type === 'rest') {
          for (const resource of adapter.resources ?? []) {
            for (const op of resource.operations ?? []) {
              const method = (op.method ?? 'GET').toUpperCase();
              const path = resource.path.replace(/\{\{?([A-Za-z0-9_]+)\}?\}/g, (_m, name: string) => encodeURIComponent(String(sample(name))));
              const body = Object.fromEntries((op.inputParameters ?? []).filter((p) => p.in === 'body').map((p) => [p.name, sample(p.name, p.type)]));
              const response = await d.fetch(path, method === 'GET' || method === 'DELETE' ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
              const text = await response.text();
              expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
              expect(text, `${method} ${path}`).toMatch(UPSTREAM_VALUES);
              calls += 1;
            }
          }
        }
      }
      if (d.mcp) {
        const client = await d.client({ authorization: `Bearer ${MCP_TOKEN}` });
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThan(0);
        for (const tool of tools) {
          const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string }>;
          const args = Object.fromEntries(Object.entries(properties).filter(([name]) => !/status/i.test(name) || (tool.inputSchema.required ?? []).includes(name)).map(([name, schema]) => [name, sample(name, schema.type)]));
          const result = await client.callTool({ name: tool.name, arguments: args });
          const text = JSON.stringify(result.content);
          expect(result.isError ?? false, `${tool.name}: ${text}`).toBe(false);
          if (d.upstream.requests.length > 0 || /mock/.test(file)) expect(text.length, tool.name).toBeGreaterThan(2);
          calls += 1;
        }
      }
      expect(calls).toBeGreaterThan(0);
    });
  });
});
