/**
 * Orchestration (`steps` + `mappings`): step outputs are kept by step name; `$.<step>.<a>.<b>`
 * reads them (a plain dotted walk, as the reference engine does); lookup steps join one step's
 * output against another's list; mappings build the answer, dotted target names nesting objects.
 */

/** `$.<step>.<a>.<b>` against the step outputs; undefined when any part is missing. */
export function stepValue(path: string, steps: Readonly<Record<string, unknown>>): unknown {
  if (!path.startsWith('$.')) return undefined;
  const rest = path.slice(2);
  // Step names may contain dots-free punctuation such as '-'; the first segment is the step.
  const [step, ...keys] = rest.split('.');
  let current: unknown = steps[step!];
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A lookup step: for the value (or each value of a list), the first index entry whose `match` equals it, reduced to `fields`. */
export function lookupStep(index: unknown, match: string, value: unknown, fields: readonly string[]): unknown {
  const entries = Array.isArray(index) ? index : [];
  const find = (wanted: unknown): unknown => {
    const hit = entries.find((entry) => typeof entry === 'object' && entry !== null && String((entry as Record<string, unknown>)[match]) === String(wanted));
    if (hit === undefined) return null;
    return Object.fromEntries(fields.map((f) => [f, (hit as Record<string, unknown>)[f] ?? null]));
  };
  return Array.isArray(value) ? value.map(find) : find(value);
}

/** The answer built from `mappings`; unresolved values are skipped. */
export function stepMappings(mappings: readonly { readonly targetName: string; readonly value: string }[], steps: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { targetName, value } of mappings) {
    const resolved = stepValue(value, steps);
    if (resolved === undefined) continue;
    const keys = targetName.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = resolved;
  }
  return out;
}
