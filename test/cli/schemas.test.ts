// JSON Schemas shipped for editors, and the `# yaml-language-server: $schema=` line of `naftiko-codegen new` (issue 17).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA_FILES, schemaFiles } from '../../generator/validate/schema-files.js';
import { cli, scratchDirs } from '../helpers/cli.js';

const dir = scratchDirs();

describe('shipped schemas', () => {
  it('schemas/ holds one schema per dialect and is current (`npm run schemas` writes it)', () => {
    const files = schemaFiles();
    expect([...files.keys()].sort()).toEqual(Object.values(SCHEMA_FILES).sort());
    for (const [name, text] of files) expect(readFileSync(join('schemas', name), 'utf8'), name).toBe(text);
  });

  it('the package ships them (package.json "files" and an export)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[]; exports: Record<string, unknown> };
    expect(pkg.files).toContain('schemas/');
    expect(pkg.exports['./schemas/*']).toBe('./schemas/*');
  });
});

describe('new', () => {
  it('writes a yaml-language-server line that points at the shipped alpha2 schema, which the starter satisfies', async () => {
    const file = join(dir('new'), 'caps', 'weather.yaml');
    const run = await cli('new', 'weather', '--out', file);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    const first = text.split('\n')[0]!;
    const match = /^# yaml-language-server: \$schema=(\.\.?\/\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    const schemaPath = resolve(dirname(file), match![1]!);
    expect(schemaPath).toBe(resolve('schemas', SCHEMA_FILES.alpha2));
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const check = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    expect(check(parse(text)), JSON.stringify(check.errors?.slice(0, 3))).toBe(true);
    expect(await cli('validate', file)).toEqual({ code: 0, stdout: '1 valid, 0 invalid', stderr: '' });
  });

  it('the line is relative to the written file (a file two folders down climbs two more)', async () => {
    const base = dir('new-deep');
    const file = join(base, 'a', 'b', 'deep.yaml');
    expect((await cli('new', 'deep', '--out', file)).code).toBe(0);
    const ref = /\$schema=(\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    expect(existsSync(resolve(dirname(file), ref))).toBe(true);
  });
});
