// Input folders: searched recursively for capability files; an input without a capability is an error (issue 17).
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandInputs } from '../../generator/cli/inputs.js';
import { cli, scratchDirs } from '../helpers/cli.js';

const IMDS = 'capabilities/azure-imds-get-token.yaml';
const dir = scratchDirs();

const SHARED = `naftiko: 1.0.0-alpha2
consumes:
- {type: http, namespace: legacy, baseUri: 'https://legacy.example.com/v1', resources: [{name: vessels, path: /vessels, operations: [{name: list-vessels, method: GET}]}]}
`;
const FLEET = `naftiko: 1.0.0-alpha2
capability:
  consumes:
  - {import: legacy, location: ../shared/legacy.yaml}
  exposes:
  - type: rest
    namespace: fleet-rest
    port: 8080
    resources:
    - {path: /vessels, operations: [{method: GET, name: list-vessels, call: legacy.list-vessels}]}
`;

/** caps/ with capabilities at the top and two levels down, a shared import-only leaf, and folders to skip. */
function nestedCaps(): string {
  const caps = dir('nested');
  cpSync(IMDS, join(caps, 'top.yaml'));
  for (const sub of ['team-a/fleet', 'shared', 'node_modules/some-pkg', '.hidden', 'team-b/deeper']) mkdirSync(join(caps, sub), { recursive: true });
  writeFileSync(join(caps, 'shared/legacy.yaml'), SHARED);
  writeFileSync(join(caps, 'team-a/fleet/fleet.yml'), FLEET.replace('../shared/', '../../shared/'));
  cpSync(IMDS, join(caps, 'team-b/deeper/imds-copy.yaml'));
  cpSync(IMDS, join(caps, 'node_modules/some-pkg/ignored.yaml'));
  cpSync(IMDS, join(caps, '.hidden/ignored-too.yaml'));
  writeFileSync(join(caps, 'team-b/notes.txt'), 'not yaml\n');
  writeFileSync(join(caps, 'team-b/compose.yaml'), 'services:\n  web: {image: nginx}\n');
  return caps;
}

describe('input folders', () => {
  it('are searched recursively, without node_modules, dot folders, import-only leaves or unrelated YAML', () => {
    const caps = nestedCaps();
    const files = expandInputs([caps]).map((f) => f.slice(caps.length + 1));
    expect(files).toEqual(['team-a/fleet/fleet.yml', 'team-b/deeper/imds-copy.yaml', 'top.yaml']);
  });

  it('generate over a nested folder generates every capability, and check agrees', async () => {
    const caps = nestedCaps();
    const out = dir('nested-out');
    const run = await cli('generate', caps, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^generated 3 capabilities/);
    expect(readdirSync(out).filter((n) => !n.startsWith('.') && !n.startsWith('_') && n !== 'package.json').sort()).toEqual(['fleet', 'imds-copy', 'top']);
    expect(existsSync(join(out, 'legacy'))).toBe(false);
    expect((await cli('check', caps, '--out', out)).code).toBe(0);
  });

  it('a folder with capability files only in sub-folders is no longer "generated 0 capabilities"', async () => {
    const caps = dir('only-sub');
    mkdirSync(join(caps, 'apis'));
    cpSync(IMDS, join(caps, 'apis', 'imds.yaml'));
    const run = await cli('generate', caps, '--out', dir('only-sub-out'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^generated 1 capability /);
  });
});

describe('an input that yields no capability', () => {
  it.each(['generate', 'check', 'validate'])('%s: an empty folder is an error, exit 1, nothing written', async (command) => {
    const caps = dir('empty');
    mkdirSync(join(caps, 'node_modules', 'x'), { recursive: true });
    cpSync(IMDS, join(caps, 'node_modules', 'x', 'ignored.yaml'));
    const out = join(dir('empty-out'), 'gen');
    const run = await cli(command, caps, ...(command === 'validate' ? [] : ['--out', out]));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`error: no capability file in ${caps}: folders are searched for *.yaml / *.yml files (sub-folders too, without node_modules and dot folders); pass a file, a folder or a glob that holds one, or write one with \`naftiko-codegen new <name>\``);
    expect(existsSync(out)).toBe(false);
  });

  it.each(['generate', 'validate'])('%s: only shared import files is an error, exit 1, with a JSON report under --json', async (command) => {
    const caps = dir('shared-only');
    writeFileSync(join(caps, 'legacy.yaml'), SHARED);
    const out = join(dir('shared-out'), 'gen');
    const run = await cli(command, caps, ...(command === 'validate' ? [] : ['--out', out]), '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; diagnostics: { code: string; message: string }[] };
    expect(report).toMatchObject({ ok: false, exitCode: 1 });
    expect(report.diagnostics[0]!.code).toBe('no-capability');
    expect(report.diagnostics[0]!.message).toMatch(/only shared definitions that capabilities import/);
    expect(existsSync(out)).toBe(false);
  });

  it('a shared file next to a capability is still reported as import-only, not an error', async () => {
    const caps = dir('mixed');
    writeFileSync(join(caps, 'legacy.yaml'), SHARED);
    writeFileSync(join(caps, 'fleet.yaml'), FLEET.replace('../shared/', './'));
    const run = await cli('generate', caps, '--out', dir('mixed-out'), '--json');
    expect(run.code, run.stdout).toBe(0);
    const report = JSON.parse(run.stdout) as { capabilities: { name: string; status: string }[] };
    expect(report.capabilities.map((c) => [c.name, c.status])).toEqual([['fleet', 'written'], ['legacy', 'import-only']]);
  });
});
