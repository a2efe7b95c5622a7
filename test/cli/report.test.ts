// How generate/check/validate report: --json (CI annotations), --quiet, progress lines on a
// terminal and off it, a summary with counts, and --dry-run that writes nothing.
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.js';
import type { RunReport } from '../../generator/cli/report.js';
import { cli, scratchDirs } from '../helpers/cli.js';

const IMDS = 'capabilities/azure-imds-get-token.yaml';
const SQL = 'test/fixtures/synthetic/larder-sql-admins.yaml';
const BROKEN = 'naftiko: 1.0.0-alpha2\ncapability:\n  exposes:\n  - type: rest\n    namespace: r\n    port: 1\n    resources:\n    - path: /x\n      operations:\n      - method: GET\n        name: x\n        call: nowhere.op\n';

const dir = scratchDirs();
afterEach(() => {
  delete process.env.NAFTIKO_PROGRESS_MS;
});

function caps(prefix: string, files: Record<string, string>): string {
  const d = dir(prefix);
  for (const [name, source] of Object.entries(files)) {
    if (source.includes('\n')) writeFileSync(join(d, name), source);
    else cpSync(source, join(d, name));
  }
  return d;
}

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(full, `${statSync(full).mtimeMs}:${readFileSync(full, 'utf8')}`);
    }
  };
  walk(root);
  return out;
}

describe('summary and --json', () => {
  it('the summary counts capabilities, operations, routes, tools and files', async () => {
    const input = caps('sum', { 'imds.yaml': IMDS, 'sql.yaml': SQL });
    const run = await cli('generate', input, '--out', dir('sum-out'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^generated 2 capabilities into \S+ \(2 written, 0 unchanged, 0 failed; 5 operations, 5 routes, 5 tools\): \d+ added, 0 changed, 0 removed, 0 unchanged \(\d+ ms\)$/);
  });

  it('--json prints one report: per capability its file, status, counts, changes and positioned diagnostics', async () => {
    const input = caps('json', { 'good.yaml': IMDS, 'broken.yaml': BROKEN });
    const out = dir('json-out');
    const run = await cli('generate', input, '--out', out, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report).toMatchObject({ version: 1, command: 'generate', ok: false, exitCode: 1 });
    expect(report.totals).toMatchObject({ capabilities: 2, written: 1, failed: 1, operations: 1, routes: 1, tools: 1 });
    const [broken, good] = report.capabilities;
    expect(good).toMatchObject({ name: 'good', status: 'written', counts: { operations: 1, routes: 1, tools: 1, files: 7 }, diagnostics: [] });
    expect(good!.changes).toContainEqual({ path: 'good/client.ts', kind: 'added' });
    expect(broken).toMatchObject({ name: 'broken', file: join(input, 'broken.yaml'), status: 'failed', changes: [] });
    expect(broken!.diagnostics[0]).toMatchObject({ file: join(input, 'broken.yaml'), line: 12, severity: 'error', code: expect.any(String) });
    expect(broken!.diagnostics[0]!.col).toBeGreaterThan(0);
    expect(broken!.diagnostics[0]!.message).toMatch(/nowhere/);
    // stderr still has the human diagnostics; stdout holds only the JSON
    expect(run.stderr).toMatch(/broken\.yaml:12:\d+: error: /);

    const again = JSON.parse((await cli('generate', input, '--out', out, '--json')).stdout) as RunReport;
    expect(again.capabilities.find((c) => c.name === 'good')!.status).toBe('unchanged');

    const check = JSON.parse((await cli('check', join(input, 'good.yaml'), '--out', out, '--json')).stdout) as RunReport;
    expect(check).toMatchObject({ command: 'check', ok: true, exitCode: 0 });
    const validate = await cli('validate', input, '--json');
    expect(JSON.parse(validate.stdout)).toMatchObject({ command: 'validate', ok: false, totals: { valid: 1, invalid: 1 } });
  });

  it('--json reports a usage error (exit 2) as a report too', async () => {
    const run = await cli('generate', 'no/such/folder', '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2, diagnostics: [{ severity: 'error', message: expect.stringMatching(/no such file/) }] });
  });
});

describe('--quiet', () => {
  it('prints errors only: no summary, no warnings, no progress', async () => {
    process.env.NAFTIKO_PROGRESS_MS = '0';
    const input = caps('quiet', { 'good.yaml': IMDS, 'broken.yaml': BROKEN });
    const config = join(input, 'c.json');
    writeFileSync(config, JSON.stringify({ capabilities: { good: { mcp: { exclude: ['no-such-tool'] } } } }));
    const loud = await cli('generate', input, '--out', dir('loud'), '--config', config);
    expect(loud.stderr).toMatch(/warning: tool pattern/);
    expect(loud.stderr).toMatch(/^progress: /m);
    const run = await cli('generate', input, '--out', dir('quiet-out'), '--config', config, '--quiet');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/broken\.yaml:12:\d+: error: /);
    expect(run.stderr).not.toMatch(/warning|progress/);
  });
});

describe('progress', () => {
  it('without a terminal: periodic lines on stderr (NAFTIKO_PROGRESS_MS apart)', async () => {
    process.env.NAFTIKO_PROGRESS_MS = '0';
    const input = caps('prog', { 'a.yaml': IMDS, 'b.yaml': IMDS, 'c.yaml': IMDS });
    const run = await cli('generate', input, '--out', dir('prog-out'));
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(/^progress: 1\/3 files \(33%\), \d+\.\d s$/),
      expect.stringMatching(/^progress: 2\/3 files \(66%\), \d+\.\d s$/),
    ]);
    process.env.NAFTIKO_PROGRESS_MS = '60000';
    const throttled = await cli('generate', input, '--out', dir('prog-out2'));
    expect(throttled.stderr).toBe(''); // no line before the interval has passed
  });

  it('on a terminal: one line rewritten in place, cleared before the summary', async () => {
    const input = caps('tty', { 'a.yaml': IMDS, 'b.yaml': IMDS });
    const raw: string[] = [];
    const out: string[] = [];
    const code = await main(['node', 'naftiko-codegen', 'generate', input, '--out', dir('tty-out')], { out: (l) => out.push(l), err: (l) => raw.push(`${l}\n`), progress: (t) => raw.push(t) });
    expect(code).toBe(0);
    expect(raw).toEqual([`\r\x1b[K[1/2] ${join(input, 'a.yaml')}`, `\r\x1b[K[2/2] ${join(input, 'b.yaml')}`, '\r\x1b[K']);
    expect(out[0]).toMatch(/^generated 2 capabilities/);
  });
});

describe('--dry-run', () => {
  it('lists files that would be created, updated and deleted, and leaves the tree untouched', async () => {
    const input = caps('dry', { 'keep.yaml': IMDS, 'gone.yaml': IMDS });
    const out = dir('dry-out');
    expect((await cli('generate', input, '--out', out)).code).toBe(0);
    rmSync(join(input, 'gone.yaml'));
    cpSync(SQL, join(input, 'new.yaml'));
    writeFileSync(join(input, 'keep.yaml'), readFileSync(join(input, 'keep.yaml'), 'utf8').replace('description: Microsoft Azure Get Identity Oauth2 Token', 'description: Fetch a token'));
    const before = snapshot(out);
    const specs = snapshot(input);

    const run = await cli('generate', input, '--out', out, '--dry-run');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain(`would create: ${out}/new/client.ts`);
    expect(lines).toContain(`would update: ${out}/keep/client.ts`);
    expect(lines).toContain(`would delete: ${out}/gone/client.ts`);
    expect(lines.at(-1)).toMatch(/^dry run, 2 capabilities into \S+ .*: would create 7, update \d+, delete 7 files, \d+ unchanged; nothing written/);
    expect(snapshot(out)).toEqual(before);
    expect(snapshot(input)).toEqual(specs);
    // and a real run afterwards does exactly that
    expect((await cli('generate', input, '--out', out)).stdout).toMatch(/: 7 added, \d+ changed, 7 removed/);
  });
});
