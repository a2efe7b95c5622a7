/**
 * One capability's effective settings: `defaults` with the capability's own entry merged over
 * them, field by field (maps such as `query` key by key; tool patterns are replaced, not joined).
 */
import type { Position, SpecPath } from '../load/load.js';
import type { CapabilitySettings, NamespaceSettings } from './define.js';
import type { LoadedConfig } from './load.js';

export interface ResolvedSettings {
  readonly capability: string;
  readonly settings: CapabilitySettings;
  /** Stable text of the settings: part of the incremental-generation cache key. */
  readonly key: string;
  /** Namespaces the capability's own entry names (those must exist; `defaults` may name others). */
  readonly ownNamespaces: readonly string[];
  /** Whether the capability's own entry gives tool patterns (only those are checked for matches). */
  readonly ownPatterns: boolean;
  /** Where a settings path was written: the capability's entry when it has it, else `defaults`. */
  locate(path: SpecPath): Position;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function mergeNamespace(base: NamespaceSettings | undefined, over: NamespaceSettings | undefined): NamespaceSettings {
  const out: Mutable<NamespaceSettings> = { ...base, ...over };
  for (const key of ['variables', 'query', 'headers'] as const) {
    if (base?.[key] && over?.[key]) out[key] = { ...base[key], ...over[key] };
  }
  if (base?.retry && over?.retry) out.retry = { ...base.retry, ...over.retry };
  return out;
}

export function merge(base: CapabilitySettings = {}, over: CapabilitySettings = {}): CapabilitySettings {
  const out: Mutable<CapabilitySettings> = { ...base, ...over };
  if (base.consumes || over.consumes) {
    const names = new Set([...Object.keys(base.consumes ?? {}), ...Object.keys(over.consumes ?? {})]);
    out.consumes = Object.fromEntries([...names].map((n) => [n, mergeNamespace(base.consumes?.[n], over.consumes?.[n])]));
  }
  if (base.retry && over.retry) out.retry = { ...base.retry, ...over.retry };
  if (base.rest || over.rest) out.rest = { ...base.rest, ...over.rest };
  if (base.mcp || over.mcp) out.mcp = { ...base.mcp, ...over.mcp };
  return out;
}

function has(value: unknown, path: SpecPath): boolean {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return false;
    current = (current as Record<string | number, unknown>)[part];
  }
  return true;
}

/** Settings of capability `name`, or undefined when the config says nothing that applies to it. */
export function settingsFor(loaded: LoadedConfig | undefined, name: string): ResolvedSettings | undefined {
  const config = loaded?.config;
  if (!loaded || !config || (!config.defaults && !config.capabilities?.[name])) return undefined;
  const own = config.capabilities?.[name];
  const settings = merge(config.defaults, own);
  const ownPath = ['capabilities', name];
  return {
    capability: name,
    settings,
    key: JSON.stringify(settings),
    ownNamespaces: Object.keys(own?.consumes ?? {}),
    ownPatterns: Boolean(own?.mcp?.include || own?.mcp?.exclude),
    locate: (path) => (has(config, [...ownPath, ...path]) || !has(config, ['defaults', ...path]) ? loaded.locate([...ownPath, ...path]) : loaded.locate(['defaults', ...path])),
  };
}
