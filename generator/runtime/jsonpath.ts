/**
 * The JSONPath subset capability specs use for inputs and outputs: `$`, `$.`, `$.a.b`,
 * `$.a[0].b`, `$['a b']`, `$.a[*].b` (wildcards give arrays). Missing paths give undefined.
 */
type Segment = { key: string } | { index: number } | { wildcard: true };

const cache = new Map<string, Segment[]>();

export function parseJsonPath(path: string): Segment[] {
  const cached = cache.get(path);
  if (cached) return cached;
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with "$": ${path}`);
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '.') {
      i += 1;
      if (path[i] === '*') {
        segments.push({ wildcard: true });
        i += 1;
        continue;
      }
      const start = i;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') i += 1;
      if (i > start) segments.push({ key: path.slice(start, i) });
    } else if (ch === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed "[" in JSONPath: ${path}`);
      const inner = path.slice(i + 1, end).trim();
      if (inner === '*') segments.push({ wildcard: true });
      else if (/^\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) segments.push({ key: inner.slice(1, -1) });
      else throw new Error(`unsupported JSONPath selector [${inner}] in ${path}`);
      i = end + 1;
    } else {
      throw new Error(`unexpected "${ch}" in JSONPath: ${path}`);
    }
  }
  cache.set(path, segments);
  return segments;
}

export function jsonPath(root: unknown, path: string): unknown {
  return walk(root, parseJsonPath(path), 0);
}

function walk(node: unknown, segments: Segment[], from: number): unknown {
  let current = node;
  for (let i = from; i < segments.length; i += 1) {
    const segment = segments[i]!;
    if (current === undefined || current === null) return undefined;
    if ('wildcard' in segment) {
      const items = Array.isArray(current) ? current : typeof current === 'object' ? Object.values(current) : [];
      return items.map((item) => walk(item, segments, i + 1)).filter((v) => v !== undefined);
    }
    if ('index' in segment) {
      current = Array.isArray(current) ? current[segment.index] : undefined;
    } else {
      current =
        typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, segment.key)
          ? (current as Record<string, unknown>)[segment.key]
          : undefined;
    }
  }
  return current;
}
