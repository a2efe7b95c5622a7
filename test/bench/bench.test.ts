// The benchmark harness still runs end to end: `npm run bench:quick` (tiny sizes, one short
// round, no peer MCP build) over every section, in a child process. No timing is asserted:
// figures of a smoke run mean nothing; that every section produced its table does.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('runs every benchmark section in quick mode and prints its table', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { encoding: 'utf8', timeout: 170_000, env: { ...process.env, BENCH_NO_PIN: '1' } });
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.status, run.stdout + run.stderr).toBe(0);
  for (const title of ['### Generation', '### Scaling', '### Peers on the same API', '### REST overhead', '### MCP tools/call', '### Cold start', '### Upstream with a budget']) {
    expect(run.stdout).toContain(title);
  }
  expect(run.stdout).not.toMatch(/\|\s*failed\s*\|/);
  // Each section measured something real: the generated REST route and MCP tool answered under load.
  expect(run.stdout).toMatch(/\| \(c\) generated IMDS route\s*\|\s*[\d,]+ \|/);
  expect(run.stdout).toMatch(/\| generated server, stdio\s*\|[^|]*\|\s*[\d,]+ \|/);
}, 180_000);
