// Large and awkward capabilities: 450 operations with hostile names generate and type-check;
// literal routes win over template routes declared before them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir, startGenerated, typecheck } from '../helpers/cli.js';
import { startRecorder } from './recorder.js';

const dir = scratchDir('scale');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bigSpec(count: number): string {
  const consumed: string[] = [];
  const rest: string[] = [];
  const tools: string[] = [];
  for (let i = 0; i < count; i += 1) {
    // Same resource name everywhere (the catalogue truncates names), hostile parameter names.
    const name = i % 2 ? `op-${i}` : `Op.${i}`;
    consumed.push(`    - name: duplicated-resource-name
      path: /things/{thingId}/parts/{part-id}/${i}:run
      operations:
      - name: ${JSON.stringify(name)}
        method: ${['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'][i % 6]}
        description: "Operation ${i} */ with a closing comment and \`backticks\` \${x}"
        inputParameters:
        - {name: api-version, in: query, type: string, required: true}
        - {name: $filter, in: query, type: string}
        - {name: certificateName, in: query, type: string}
        - {name: certificate.name, in: query, type: string}
        - {name: default, in: query, type: integer}
        - {name: attr:qualifiedName, in: query, type: boolean}
        - {name: "attr'qualified|Name", in: header, type: boolean}
        - {name: body, in: body, type: object}`);
    rest.push(`    - path: /v1/things/{thingid}/parts/{part-id}/op${i}-run
      operations:
      - method: ${['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'][i % 6]}
        name: ${JSON.stringify(name)}
        call: ${JSON.stringify(`svc.${name}`)}`);
    tools.push(`    - name: ${JSON.stringify(`microsoft-azure-a-very-long-tool-name-that-goes-on-and-on-for-operation-${i}`)}
      call: ${JSON.stringify(`svc.${name}`)}`);
  }
  return `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: svc
    baseUri: https://{accountName}.example.com
    resources:
${consumed.join('\n')}
  exposes:
  - type: rest
    namespace: svc-rest
    port: 8080
    resources:
${rest.join('\n')}
  - type: mcp
    namespace: svc-mcp
    port: 9090
    tools:
${tools.join('\n')}
`;
}

it('a 450-operation capability with hostile names generates and type-checks', async () => {
  writeFileSync(join(dir, 'big.yaml'), bigSpec(450));
  const run = await cli('generate', join(dir, 'big.yaml'), '--out', join(dir, 'out'));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const mcp = readFileSync(join(dir, 'out/big/mcp.ts'), 'utf8');
  const names = [...mcp.matchAll(/addTool<.*?>\(server, '([^']+)'/g)].map((m) => m[1]!);
  expect(names).toHaveLength(450);
  expect(new Set(names).size).toBe(450);
  for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  expect(() => typecheck(join(dir, 'out'))).not.toThrow();
}, 180_000);

it('literal routes win over template routes of the same shape declared before them', async () => {
  writeFileSync(join(dir, 'routes.yaml'), `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - type: http
    namespace: att
    baseUri: https://att.example.com
    resources:
    - name: policy
      path: /policies/{attestationType}
      operations:
      - {name: get-policy, method: GET}
    - name: reset
      path: /policies/{attestationType}:reset
      operations:
      - {name: reset-policy, method: POST}
  exposes:
  - type: rest
    namespace: att-rest
    port: 8080
    resources:
    - path: /v1/policies/{attestationtype}
      operations:
      - {method: GET, name: get-policy, call: att.get-policy}
    - path: /v1/policies/attestationtype-reset
      operations:
      - {method: POST, name: reset-policy, call: att.reset-policy}
`);
  expect((await cli('generate', join(dir, 'routes.yaml'), '--out', join(dir, 'out'))).code).toBe(0);
  const upstream = await startRecorder();
  const running = await startGenerated(join(dir, 'out'), 'routes', { baseUris: { att: upstream.url }, retry: false });
  try {
    const reset = await fetch(`${running.rest[0]!.url}/v1/policies/attestationtype-reset?attestationType=SgxEnclave`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(upstream.requests.at(-1)!.path).toBe('/policies/SgxEnclave:reset');
    const get = await fetch(`${running.rest[0]!.url}/v1/policies/Tpm`);
    expect(get.status).toBe(200);
    expect(upstream.requests.at(-1)!.path).toBe('/policies/Tpm');
  } finally {
    await running.close();
    await upstream.close();
  }
});

it('a missing base URI or host variable is a clear 500 problem naming the option; nothing is sent', async () => {
  writeFileSync(join(dir, 'hosts.yaml'), `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - {type: http, namespace: empty, baseUri: '', resources: [{name: r, path: /r, operations: [{name: get-empty, method: GET}]}]}
  - {type: http, namespace: templated, baseUri: 'https://{accountName}.blob.example.net', resources: [{name: r, path: /r, operations: [{name: get-templated, method: GET}]}]}
  exposes:
  - type: rest
    namespace: hosts-rest
    port: 8080
    resources:
    - {path: /empty, operations: [{method: GET, name: get-empty, call: empty.get-empty}]}
    - {path: /templated, operations: [{method: GET, name: get-templated, call: templated.get-templated}]}
`);
  expect((await cli('generate', join(dir, 'hosts.yaml'), '--out', join(dir, 'out'))).code).toBe(0);
  const upstream = await startRecorder();
  const running = await startGenerated(join(dir, 'out'), 'hosts', { retry: false, env: {} });
  try {
    const empty = await fetch(`${running.rest[0]!.url}/empty`);
    expect(empty.status).toBe(500);
    expect(empty.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await empty.json()) as { detail: string }).detail).toContain('--base-uri empty=<url>');
    const templated = await fetch(`${running.rest[0]!.url}/templated`);
    expect(templated.status).toBe(500);
    expect(((await templated.json()) as { detail: string }).detail).toMatch(/\{accountName\}.*--var accountName=<value>/);
    expect(upstream.requests).toHaveLength(0);
  } finally {
    await running.close();
    await upstream.close();
  }
  // With the host variable given, the request goes to the host it names.
  const withVar = await startGenerated(join(dir, 'out'), 'hosts', { retry: false, env: {}, variables: { accountName: '127.0.0.1' }, timeoutMs: 500 });
  try {
    const response = await fetch(`${withVar.rest[0]!.url}/templated`);
    expect([502, 504]).toContain(response.status); // 127.0.0.1:443 is not listening: the host was used
  } finally {
    await withVar.close();
  }
});
