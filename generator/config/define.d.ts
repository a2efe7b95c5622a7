/**
 * The shape of `naftiko-codegen.config.{ts,js,mjs,json}` (docs/config.md). Settings here are what a
 * capability spec cannot express: where a deployment sends its requests and how it serves them.
 * Every setting is a default: the generated server's flags and environment variables still win.
 */

/** Retry policy of upstream calls (every field optional; the rest keep their defaults). */
export interface RetrySettings {
  /** Retries after the first attempt (0 disables retrying). Default 2. */
  readonly retries?: number;
  /** First backoff step in ms; each next step doubles up to `maxDelayMs`. Default 250. */
  readonly minDelayMs?: number;
  /** Default 8000. */
  readonly maxDelayMs?: number;
  /** Upstream statuses worth another attempt. Default [408, 429, 500, 502, 503, 504]. */
  readonly statuses?: readonly number[];
  /** Methods that may be repeated safely. Default GET, HEAD, PUT, DELETE. */
  readonly methods?: readonly ('GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST' | 'PATCH')[];
  /** Retry when the upstream could not be reached or timed out. Default true. */
  readonly onNetworkError?: boolean;
  /** Give up once this much time has passed since the first attempt. Default 60000. */
  readonly maxElapsedMs?: number;
  /** Longest `Retry-After` honoured. Default 60000. */
  readonly maxRetryAfterMs?: number;
}

/** How one operation's answers are cached (docs/caching.md). */
export interface CacheSettings {
  /** Lifetime in seconds when neither the upstream's headers nor an expiry field give one. Default 60. */
  readonly ttlSeconds?: number;
  /** Body field holding the absolute expiry in epoch seconds, e.g. `"expires_on"`. */
  readonly expiresOn?: string;
  /** Body field holding the remaining lifetime in seconds, e.g. `"expires_in"`. */
  readonly expiresIn?: string;
  /** An entry is served until this long before the body's expiry. Default 300 with an expiry field, else 0. */
  readonly marginSeconds?: number;
  /** Window at the end of the lifetime in which a hit also renews the entry in the background. Default: half the lifetime. */
  readonly refreshAheadSeconds?: number;
  /** Caller input that skips the cache and replaces the entry when it is `true` (e.g. `"bypass_cache"`). */
  readonly bypassInput?: string;
}

/** The most a generated server or client asks of one upstream (docs/caching.md). */
export interface BudgetSettings {
  /** Requests in progress at once. */
  readonly maxInFlight?: number;
  /** Requests started in any sliding second. */
  readonly maxRps?: number;
  /** Requests waiting for a slot; more fail at once with 503. Default 1000. */
  readonly maxQueue?: number;
  /** Longest wait for a slot in ms, within the call's timeout. Default 10000. */
  readonly maxWaitMs?: number;
}

/** Settings of one consumes namespace (one upstream). */
export interface NamespaceSettings {
  /** Replaces the spec's `baseUri` (may hold `{host}` variables). `--base-uri` still overrides it. */
  readonly baseUri?: string;
  /** Values of `{host}` variables of the base URI (`--var` and `NAFTIKO_VAR_<name>` still override). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Constant query parameters sent on every request, e.g. `{ "api-version": "2023-01-01" }`. */
  readonly query?: Readonly<Record<string, string>>;
  /** Constant headers sent on every request. Written into generated code: never put secrets here. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-attempt timeout in ms (`--timeout-ms` still overrides it). */
  readonly timeoutMs?: number;
  /** Retry policy changes, or `false` for a single attempt. */
  readonly retry?: RetrySettings | false;
  /** Upstream budget: every attempt, retries included, counts against it. */
  readonly budget?: BudgetSettings;
  /** Operation name → cache policy; `true` caches with the defaults, `false` turns off a spec's `semantics.cacheable`. */
  readonly cache?: Readonly<Record<string, CacheSettings | boolean>>;
}

/** The REST adapters of a capability. */
export interface RestSettings {
  /** Replaces the spec's `port` (`--rest-port` still overrides it). */
  readonly port?: number;
  /** Replaces the spec's `address` (`--host` still overrides it). */
  readonly address?: string;
}

/** The MCP adapters of a capability. */
export interface McpSettings {
  /** Replaces the spec's `port` (`--mcp-port` still overrides it). */
  readonly port?: number;
  /** Replaces the spec's `address` (`--host` still overrides it). */
  readonly address?: string;
  /** Put before every tool name (`azure_` → `azure_get-token`); names stay within 64 characters. */
  readonly toolPrefix?: string;
  /** Only tools whose name matches one of these patterns (`*` and `?` wildcards) are generated. */
  readonly include?: readonly string[];
  /** Tools whose name matches one of these patterns are left out. */
  readonly exclude?: readonly string[];
}

/** Deployment settings of one capability (or, under `defaults`, of every capability). */
export interface CapabilitySettings {
  /** Per consumes namespace of the capability. */
  readonly consumes?: Readonly<Record<string, NamespaceSettings>>;
  /** Per-attempt timeout of every namespace (a namespace's own `timeoutMs` wins). */
  readonly timeoutMs?: number;
  /** Retry policy of every namespace (a namespace's own `retry` wins). */
  readonly retry?: RetrySettings | false;
  readonly rest?: RestSettings;
  readonly mcp?: McpSettings;
}

export interface NaftikoConfig {
  /** Capability files, folders or globs, relative to the config file. Default `["capabilities"]`. */
  readonly inputs?: readonly string[];
  /** Output folder, relative to the config file. Default `"generated"`. */
  readonly out?: string;
  /** Settings of every capability; a capability's own settings are merged over them. */
  readonly defaults?: CapabilitySettings;
  /** Settings per capability, keyed by its output folder name (the spec file's base name). */
  readonly capabilities?: Readonly<Record<string, CapabilitySettings>>;
}

/** Types a config file's default export: returns its argument unchanged. */
export function defineConfig(config: NaftikoConfig): NaftikoConfig;
