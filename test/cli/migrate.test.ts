// `migrate`: catalogue-dialect and alpha2 capabilities rewritten as Ikanos beta5 keep their
// comments, validate against the official beta5 schema where the original validates against the
// official alpha2 one, and generate the same code as the original (only the header's spec path
// may differ) — for the IMDS capability and every alpha2 fixture, imports included.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpecFile } from '../../generator/load/load.js';
import { migrateText } from '../../generator/migrate/migrate.js';
import { runPipeline } from '../../generator/pipeline.js';
import { officialDiagnostics } from '../../generator/validate/official.js';
import { cli, scratchDir } from '../helpers/cli.js';

const ALPHA2 = 'test/fixtures/naftiko-examples';
const scratch = scratchDir('migrate');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

// Two copies of the alpha2 fixtures and the capabilities (whole trees, so relative imports and bind
// files resolve the same way from both): `a` as it is, `b` migrated.
const A = join(scratch, 'a');
const B = join(scratch, 'b');
for (const root of [A, B]) {
  cpSync(ALPHA2, join(root, 'alpha2'), { recursive: true });
  cpSync('capabilities', join(root, 'capabilities'), { recursive: true });
}
const migratedFiles: string[] = [];
/** Files where a list had to stay a list (two unnamed operations share an effective name). */
const keptLists: string[] = [];
for (const file of listYaml(B)) {
  const result = migrateText(readFileSync(file, 'utf8'));
  if (result.text === undefined) continue;
  writeFileSync(file, result.text);
  migratedFiles.push(file);
  if (result.notes.some((n) => n.includes('kept as a list'))) keptLists.push(file.slice(B.length + 1));
}

/** Generated files, with the copy's own folder name (in the header's spec path) made neutral. */
function generated(root: string, file: string): Map<string, string> | undefined {
  const result = runPipeline(join(root, file), { outDir: join(root, 'out') });
  if (!result.files) return undefined;
  const name = root === A ? 'a' : 'b';
  return new Map([...result.files].map(([path, text]) => [path, text.replaceAll(`${scratch.split('/').pop()}/${name}/`, '<copy>/')]));
}

const pairs = ['capabilities/azure-imds-get-token.yaml', ...listYaml(ALPHA2).filter((f) => !f.includes('/shared/')).map((f) => `alpha2/${f.slice(ALPHA2.length + 1)}`)];

describe('migrate', () => {
  it('rewrites the alpha2 fixtures and the capabilities', () => {
    expect(migratedFiles.length).toBeGreaterThan(40);
    const imds = readFileSync(join(B, 'capabilities/azure-imds-get-token.yaml'), 'utf8');
    expect(imds).toMatch(/^ikanos: "1\.0\.0-beta5"$/m);
    expect(imds).toContain('# Added (issue 5): this capability hands out bearer tokens');
    expect(imds).toMatch(/^ {6}identity-oauth2-token:$/m);
    expect(imds).toContain('resource: instancemetadataclient-get-token-rest.resource');
    expect(imds).not.toMatch(/^\s*-?\s*label:/m);
  });

  it.each(pairs)('%s: the migrated file generates the same code', (file) => {
    const before = generated(A, file);
    const after = generated(B, file);
    expect(after === undefined).toBe(before === undefined);
    if (!before || !after) return;
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [path, text] of before) expect(after.get(path), path).toBe(text);
  });

  it('a migrated file is valid against the official beta5 schema when the original is against alpha2', () => {
    const checked: string[] = [];
    // Its two unnamed operations have the same name (the aggregate function's): no map can hold both.
    expect(keptLists).toEqual(['alpha2/tests/aggregates/aggregate-basic.yaml']);
    for (const file of pairs.filter((f) => !keptLists.includes(f))) {
      const original = join(A, file);
      const migrated = join(B, file);
      const a = loadSpecFile(original).spec;
      if (!a || officialDiagnostics(a).length > 0) continue;
      const b = loadSpecFile(migrated).spec!;
      expect(b.dialect).toBe('beta5');
      expect(officialDiagnostics(b).map((d) => `${d.line}:${d.col} ${d.message}`), migrated).toEqual([]);
      checked.push(original);
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('prints a diff without --write and leaves the file alone; --write rewrites it', async () => {
    const file = join(scratch, 'one.yaml');
    const text = readFileSync(join(ALPHA2, 'tutorial/step-2-shipyard-wiring.yml'), 'utf8');
    writeFileSync(file, text);
    const dry = await cli('migrate', file);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^-naftiko: "?1\.0\.0-alpha2"?$/m);
    expect(dry.stdout).toContain('+ikanos: "1.0.0-beta5"');
    expect(readFileSync(file, 'utf8')).toBe(text);
    const write = await cli('migrate', file, '--write');
    expect(write.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^ikanos: "1\.0\.0-beta5"/m);
    const again = await cli('migrate', file);
    expect(again.stderr).toContain('already Ikanos beta5');
  });
});
