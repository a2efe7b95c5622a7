/**
 * Small glob expansion for input lists (`capabilities/**\/*.yaml`, `specs/azure-*.yml`): `*` and
 * `?` within one path segment, `**` for any number of folders. Node 20 has no fs.glob, and the
 * shell does not expand globs written in a config file or quoted on the command line.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function segmentRegExp(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Files (never folders) matching `pattern`, relative to `cwd` unless absolute; sorted, as written paths. */
export function expandGlob(pattern: string, cwd: string = process.cwd()): string[] {
  const segments = pattern.split('/');
  const absolute = isAbsolute(pattern);
  const firstGlob = segments.findIndex(isGlob);
  const prefix = segments.slice(0, firstGlob).join('/');
  const start = prefix === '' && absolute ? '/' : prefix;
  const out = new Set<string>();

  const walk = (shown: string, rest: readonly string[]): void => {
    const dir = isAbsolute(shown) || shown === '' ? shown || cwd : join(cwd, shown);
    const [head, ...tail] = rest;
    if (head === undefined) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const child = (name: string): string => (shown === '' ? name : shown.endsWith('/') ? `${shown}${name}` : `${shown}/${name}`);
    if (head === '**') {
      walk(shown, tail); // zero folders
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(child(e.name), rest);
      return;
    }
    const re = isGlob(head) ? segmentRegExp(head) : undefined;
    for (const e of entries) {
      if (re ? !re.test(e.name) || (e.name.startsWith('.') && !head.startsWith('.')) : e.name !== head) continue;
      const path = child(e.name);
      if (tail.length === 0) {
        const full = isAbsolute(path) ? path : join(cwd, path);
        if (statSync(full, { throwIfNoEntry: false })?.isFile()) out.add(path);
      } else if (e.isDirectory() || e.isSymbolicLink()) {
        walk(path, tail);
      }
    }
  };
  walk(start, segments.slice(firstGlob < 0 ? segments.length : firstGlob));
  return [...out].sort();
}
