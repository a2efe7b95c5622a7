/**
 * The write stage: compares the wanted output tree with the disk, writes only files whose bytes
 * changed, removes what an earlier run generated and this one does not, and keeps a manifest so
 * removal never touches files the generator did not write. `check` uses the same comparison.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const MANIFEST = '.naftiko-codegen.json';

/** Output-relative path (forward slashes) → contents. */
export type OutputTree = Map<string, string>;

export interface Change {
  readonly path: string;
  readonly kind: 'added' | 'changed' | 'removed';
}

export interface Comparison {
  readonly changes: Change[];
  readonly unchanged: number;
}

interface Manifest {
  readonly generator: 'naftiko-codegen';
  readonly files: string[];
}

export function manifestText(paths: Iterable<string>): string {
  const manifest: Manifest = { generator: 'naftiko-codegen', files: [...paths].filter((p) => p !== MANIFEST).sort() };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function readManifest(outDir: string): string[] {
  try {
    const data = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as Partial<Manifest>;
    return Array.isArray(data.files) ? data.files.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

/** Every file under `dir`, output-relative. */
function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out;
}

/**
 * Wanted tree vs disk. `keep` lists output folders whose files must be left alone (capabilities
 * that failed this run keep their last good output). With `strict`, every unexpected file counts
 * (check); otherwise only files an earlier run generated are removed (generate).
 */
export function compare(outDir: string, wanted: OutputTree, keep: ReadonlySet<string>, strict: boolean): Comparison {
  const changes: Change[] = [];
  let unchanged = 0;
  for (const [path, text] of wanted) {
    const full = join(outDir, path);
    if (!existsSync(full)) changes.push({ path, kind: 'added' });
    else if (!sameBytes(readFileSync(full), text)) changes.push({ path, kind: 'changed' });
    else unchanged += 1;
  }
  const candidates = strict ? listFiles(outDir) : readManifest(outDir);
  for (const path of candidates) {
    if (wanted.has(path) || keep.has(path.split('/')[0]!)) continue;
    if (existsSync(join(outDir, path))) changes.push({ path, kind: 'removed' });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, unchanged };
}

export function applyChanges(outDir: string, wanted: OutputTree, comparison: Comparison): void {
  for (const change of comparison.changes) {
    const full = join(outDir, change.path);
    if (change.kind === 'removed') {
      rmSync(full, { force: true });
      removeEmptyDirs(dirname(full), outDir);
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, wanted.get(change.path)!);
    }
  }
}

function sameBytes(disk: Buffer, text: string): boolean {
  const wanted = Buffer.from(text, 'utf8');
  return disk.length === wanted.length && createHash('sha1').update(disk).digest('hex') === createHash('sha1').update(wanted).digest('hex');
}

function removeEmptyDirs(dir: string, stopAt: string): void {
  let current = dir;
  while (current.startsWith(stopAt) && current !== stopAt) {
    if (!statSync(current, { throwIfNoEntry: false })?.isDirectory() || readdirSync(current).length > 0) return;
    rmdirSync(current);
    current = dirname(current);
  }
}
