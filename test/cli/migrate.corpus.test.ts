// `migrate` over a whole external folder (`npm run test:corpus [-- <folder>]`): every older file
// (catalogue dialect, alpha2) rewritten as Ikanos beta5 generates exactly the code the original
// generates (only the header's spec path may differ), and no file makes migrate throw.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { migrateText } from '../../generator/migrate/migrate.js';
import { runPipeline } from '../../generator/pipeline.js';
import { corpusDir } from '../helpers/corpus.js';
import { scratchDir } from '../helpers/cli.js';

const scratch = scratchDir('migrate-corpus');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.name.startsWith('.') || e.name === 'node_modules' ? [] : e.isDirectory() ? listYaml(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

it('every migrated file generates the same code as its original', () => {
  const source = corpusDir();
  // Whole trees, so relative imports and bind files resolve alike from the original and the copy.
  const A = join(scratch, 'a');
  const B = join(scratch, 'b');
  cpSync(source, A, { recursive: true });
  cpSync(source, B, { recursive: true });
  const migrated: string[] = [];
  for (const file of listYaml(B)) {
    const result = migrateText(readFileSync(file, 'utf8'));
    if (result.text === undefined) continue;
    writeFileSync(file, result.text);
    migrated.push(file.slice(B.length + 1));
  }
  const neutral = (root: string, files: ReadonlyMap<string, string>): Map<string, string> =>
    new Map([...files].map(([path, text]) => [path, text.replaceAll(`${root.split('/').slice(-2).join('/')}/`, '<copy>/')]));
  const differ: string[] = [];
  let compared = 0;
  for (const file of migrated) {
    const before = runPipeline(join(A, file), { outDir: join(A, '.out') });
    const after = runPipeline(join(B, file), { outDir: join(B, '.out') });
    if (!before.files) continue; // refused originals: the migrated file is not compared
    compared += 1;
    const a = neutral(A, before.files);
    const b = after.files ? neutral(B, after.files) : new Map<string, string>();
    if ([...a.keys()].join() !== [...b.keys()].join() || [...a].some(([path, text]) => b.get(path) !== text)) differ.push(file);
  }
  expect(differ).toEqual([]);
  expect(compared).toBeGreaterThan(0);
}, 600_000);
