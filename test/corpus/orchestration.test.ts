// Orchestration (semantics doc §4.8; cases M9 and the tutorial's orchestrated lookup):
// call steps in order with templates over inputs, a lookup join, and mappings building the answer.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated } from '../helpers/cli.js';
import { startRecorder } from './recorder.js';

const dir = scratchDir('steps');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs call and lookup steps and answers with the mappings, on REST and MCP', async () => {
  writeFileSync(join(dir, 'fleet.yaml'), `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: registry
    baseUri: http://127.0.0.1:9
    resources:
    - {name: ship, path: '/ships/{{imo_number}}', operations: [{name: get-ship, method: GET}]}
    - {name: crew, path: /crew, operations: [{name: list-crew, method: GET}]}
  exposes:
  - type: mcp
    namespace: fleet
    port: 9090
    tools:
    - name: ship-with-crew
      description: Ship and crew
      inputParameters: [{name: imo, type: string, description: IMO}]
      steps:
      - {name: get-ship, type: call, call: registry.get-ship, with: {imo_number: '{{imo}}'}}
      - {name: list-crew, type: call, call: registry.list-crew}
      - {name: resolve-crew, type: lookup, index: list-crew, match: crewId, lookupValue: '$.get-ship.assignedCrew', outputParameters: [fullName, role]}
      mappings:
      - {targetName: imo, value: '$.get-ship.imo_number'}
      - {targetName: specs.length, value: '$.get-ship.dimensions.length'}
      - {targetName: crew, value: '$.resolve-crew'}
  - type: rest
    namespace: fleet-rest
    port: 8080
    resources:
    - path: /ships/{imo}
      operations:
      - method: GET
        name: ship-with-crew
        steps:
        - {name: get-ship, type: call, call: registry.get-ship, with: {imo_number: fleet-rest.imo}}
        - {name: list-crew, type: call, call: registry.list-crew}
        - {name: resolve-crew, type: lookup, index: list-crew, match: crewId, lookupValue: '$.get-ship.assignedCrew', outputParameters: [fullName, role]}
        mappings:
        - {targetName: imo, value: '$.get-ship.imo_number'}
        - {targetName: specs.length, value: '$.get-ship.dimensions.length'}
        - {targetName: crew, value: '$.resolve-crew'}
`);
  const run = await cli('generate', join(dir, 'fleet.yaml'), '--out', join(dir, 'out'));
  expect(run.code, run.stderr).toBe(0);
  const upstream = await startRecorder();
  upstream.reply = (req) =>
    req.path.startsWith('/ships/')
      ? { status: 200, contentType: 'application/json', body: JSON.stringify({ imo_number: decodeURIComponent(req.path.slice(7)), dimensions: { length: 229 }, assignedCrew: ['C1', 'C3'] }) }
      : { status: 200, contentType: 'application/json', body: JSON.stringify([{ crewId: 'C1', fullName: 'Ada', role: 'master' }, { crewId: 'C2', fullName: 'Bo', role: 'cook' }, { crewId: 'C3', fullName: 'Cy', role: 'mate' }]) };
  const running = await startGenerated(join(dir, 'out'), 'fleet', { baseUris: { registry: upstream.url }, retry: false });
  const want = { imo: 'IMO 1/2', specs: { length: 229 }, crew: [{ fullName: 'Ada', role: 'master' }, { fullName: 'Cy', role: 'mate' }] };
  try {
    const response = await fetch(`${running.rest[0]!.url}/ships/${encodeURIComponent('IMO 1/2')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(want);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/ships/IMO%201%2F2', '/crew']);

    const client = new Client({ name: 'steps', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.mcp[0]!.url)));
    const result = await client.callTool({ name: 'ship-with-crew', arguments: { imo: 'IMO 1/2' } });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual(want);
    await client.close();
  } finally {
    await running.close();
    await upstream.close();
  }
});
