// The beta5 normalisation: maps keyed by name become the alpha2 lists the model reads, `display`
// becomes `label`, `flows` `functions`, `target` `targetName`, `from` `location`; list forms keep
// working inside beta5 files; positions and descriptions point back at the original file.
import { describe, expect, it } from 'vitest';
import { dialectOf, inDialect, normalise } from '../../../generator/load/dialect.js';
import { loadSpecText } from '../../../generator/load/load.js';
import { validateSpec } from '../../../generator/validate/validate.js';

const BETA5 = `ikanos: "1.0.0-beta5"
info:
  display: Ships
  description: Ship registry
capability:
  consumes:
    - import: registry
      from: ./shared/registry.yaml
      as: reg
    - namespace: legacy
      type: http
      baseUri: https://legacy.example.com
      resources:
        vessels:
          display: Vessels
          path: /vessels
          operations:
            list-vessels:
              method: GET
              inputParameters:
                status:
                  in: query
  aggregates:
    - display: Crew
      namespace: crew
      flows:
        resolve:
          description: Resolve crew
          steps:
            get-ship:
              type: call
              call: legacy.list-vessels
          mappings:
            - target: name
              value: $.get-ship.name
          outputParameters:
            name:
              type: string
            crew:
              type: array
              items:
                fullName:
                  type: string
  exposes:
    - type: mcp
      namespace: tools
      port: 3001
      tools:
        list-vessels:
          display: List vessels
          description: List them
          call: legacy.list-vessels
`;

describe('dialects', () => {
  it('tells the three dialects apart', () => {
    expect(dialectOf({ ikanos: '1.0.0-beta5' })).toBe('beta5');
    expect(dialectOf({ ikanos: '1.0.0-beta3' })).toBe('beta5');
    expect(dialectOf({ naftiko: '1.0.0-alpha2' })).toBe('alpha2');
    expect(dialectOf({ naftiko: '0.5' })).toBe('catalogue');
  });

  it('leaves alpha2 and catalogue documents as they are', () => {
    const doc = { naftiko: '1.0.0-alpha2', capability: { exposes: [] } };
    expect(normalise(doc).doc).toBe(doc);
  });

  it('rewrites beta5 into the alpha2 shape', () => {
    const spec = loadSpecText('x.yaml', BETA5).spec!;
    expect(spec.dialect).toBe('beta5');
    const d = spec.doc as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(d.naftiko).toBe('1.0.0-beta5');
    expect(d.info.label).toBe('Ships');
    expect(d.capability.consumes[0]).toEqual({ import: 'registry', location: './shared/registry.yaml', as: 'reg' });
    const resource = d.capability.consumes[1].resources[0];
    expect(resource).toMatchObject({ name: 'vessels', label: 'Vessels', path: '/vessels' });
    expect(resource.operations[0]).toMatchObject({ name: 'list-vessels', method: 'GET', inputParameters: [{ name: 'status', in: 'query' }] });
    const fn = d.capability.aggregates[0].functions[0];
    expect(d.capability.aggregates[0].label).toBe('Crew');
    expect(fn.name).toBe('resolve');
    expect(fn.steps).toEqual([{ name: 'get-ship', type: 'call', call: 'legacy.list-vessels' }]);
    expect(fn.mappings).toEqual([{ targetName: 'name', value: '$.get-ship.name' }]);
    expect(fn.outputParameters).toEqual([
      { name: 'name', type: 'string' },
      { name: 'crew', type: 'array', items: [{ name: 'fullName', type: 'string' }] },
    ]);
    expect(d.capability.exposes[0].tools[0]).toMatchObject({ name: 'list-vessels', label: 'List vessels' });
  });

  it('accepts the older list forms inside a beta5 file', () => {
    const spec = loadSpecText('x.yaml', `ikanos: "1.0.0-beta5"
capability:
  exposes:
    - type: mcp
      namespace: tools
      port: 3001
      tools:
        - name: a
          label: A
          description: a
          outputParameters:
            - type: string
              value: x
`).spec!;
    expect((spec.doc as any).capability.exposes[0].tools[0]).toMatchObject({ name: 'a', label: 'A' }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(validateSpec(spec)).toEqual([]);
  });

  it('positions normalised places at the original keys and names them as the file does', () => {
    const spec = loadSpecText('x.yaml', BETA5).spec!;
    const op = ['capability', 'consumes', 1, 'resources', 0, 'operations', 0];
    expect(spec.describe(op)).toBe('capability.consumes[1].resources.vessels.operations.list-vessels');
    expect(spec.locateKey([...op, 'name'])).toMatchObject({ line: 18, col: 13 });
    expect(spec.locate([...op, 'method'])).toMatchObject({ line: 19, col: 23 });
    expect(spec.locate(['capability', 'exposes', 0, 'tools', 0, 'label'])).toMatchObject({ line: 50, col: 20 });
    expect(spec.describe(['capability', 'aggregates', 0, 'functions', 0, 'mappings', 0, 'targetName'])).toBe('capability.aggregates[0].flows.resolve.mappings[0].target');
  });

  it('validation speaks beta5: display, not label', () => {
    const spec = loadSpecText('x.yaml', `ikanos: "1.0.0-beta5"
capability:
  exposes:
    - type: mcp
      namespace: tools
      port: 3001
      tools:
        a:
          dispaly: A
          description: a
          call: x.y
`).spec!;
    const [d] = validateSpec(spec);
    expect(d).toMatchObject({ line: 9, col: 11, message: 'capability.exposes[0].tools.a: unknown property "dispaly"', hint: 'did you mean "display"?' });
    expect(inDialect('beta5', 'set "label" or functions, `naftiko: 1.0.0-alpha2`')).toBe('set "display" or flows, `ikanos: "1.0.0-beta5"`');
    expect(inDialect('alpha2', 'set "label"')).toBe('set "label"');
  });
});
