// `generate --watch` as a process: one line per change of a capability, an imported file, a bind
// file, the config or a new file in an input folder; a broken import is reported and watching
// goes on; SIGTERM exits 0.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scratchDir } from '../helpers/cli.js';

const TUTORIAL = 'test/fixtures/naftiko-examples/tutorial';
const dir = scratchDir('watch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of a stream, with a way to await the next line matching a pattern. */
function lines(stream: NodeJS.ReadableStream): { all: string[]; next(re: RegExp): Promise<string> } {
  const all: string[] = [];
  let from = 0;
  let buffer = '';
  let waiter: (() => void) | undefined;
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    all.push(...parts);
    waiter?.();
  });
  return {
    all,
    next(re) {
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} in:\n${all.join('\n')}`)), 20_000);
        const look = (): void => {
          for (; from < all.length; from += 1) {
            if (re.test(all[from]!)) {
              clearTimeout(timer);
              waiter = undefined;
              resolveLine(all[from++]!);
              return;
            }
          }
        };
        waiter = look;
        look();
      });
    },
  };
}

it('regenerates on every kind of change, keeps going after an error, and exits 0 on SIGTERM', async () => {
  const caps = join(dir, 'caps');
  mkdirSync(caps);
  cpSync(join(TUTORIAL, 'step-6-shipyard-write-operations.yml'), join(caps, 'shipyard.yml'));
  cpSync(join(TUTORIAL, 'shared'), join(caps, 'shared'), { recursive: true });
  const config = join(dir, 'codegen.json');
  writeFileSync(config, '{}\n');
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [resolve('bin/naftiko-codegen.js'), 'generate', '--watch', caps, '--out', out, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((r) => child.once('exit', r));
  const stdout = lines(child.stdout);
  const stderr = lines(child.stderr);
  try {
    await stdout.next(/^\d\d:\d\d:\d\d watching: generated 1 capability into .* 0 failed/);
    expect(existsSync(join(out, 'shipyard/mcp.ts'))).toBe(true);

    const spec = join(caps, 'shipyard.yml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('namespace: shipyard-tools', 'namespace: shipyard-tools-2'));
    await stdout.next(/\/caps\/shipyard\.yml changed: generated 1 capability .*0 failed.*[1-9]\d* changed/);

    const imported = join(caps, 'shared/step6-registry-consumes.yaml');
    const original = readFileSync(imported, 'utf8');
    writeFileSync(imported, `${original}\n  broken: [\n`);
    await stderr.next(/step6-registry-consumes\.yaml:\d+:\d+: error: /);
    await stdout.next(/\/caps\/shared\/step6-registry-consumes\.yaml changed: generated 0 capabilities .*1 failed/);
    writeFileSync(imported, original);
    await stdout.next(/\/caps\/shared\/step6-registry-consumes\.yaml changed: generated 1 capability .*0 failed/);

    writeFileSync(join(caps, 'shared/secrets.yaml'), readFileSync(join(caps, 'shared/secrets.yaml'), 'utf8'));
    await stdout.next(/\/caps\/shared\/secrets\.yaml changed: /);

    writeFileSync(config, JSON.stringify({ capabilities: { shipyard: { mcp: { toolPrefix: 'ship_' } } } }));
    await stdout.next(/\/codegen\.json changed: generated 1 capability/);
    expect(readFileSync(join(out, 'shipyard/mcp.ts'), 'utf8')).toMatch(/addTool<.*?>\(server, 'ship_/);

    cpSync('capabilities/azure-imds-get-token.yaml', join(caps, 'imds.yaml'));
    await stdout.next(/\/caps\/imds\.yaml changed: generated 2 capabilities/);
    expect(existsSync(join(out, 'imds/server.ts'))).toBe(true);

    // Each change above gave exactly one summary line (debounced).
    expect(stdout.all.filter((l) => / (changed|watching): /.test(l))).toHaveLength(7);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exit).toBe(0);
}, 90_000);
