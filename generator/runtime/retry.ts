/**
 * When and how long to wait before trying an upstream call again. Defaults follow what careful
 * SDKs do (a few retries, capped jittered exponential backoff, `Retry-After` honoured, idempotent
 * methods only); every number is configurable so a deployment can follow its upstream's guidance
 * (for Azure IMDS: also 404 and 410, and keep trying for at least 70 s).
 */
import type { HttpMethod } from './descriptor.js';

export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  readonly retries: number;
  /** First backoff step; each next step doubles, up to `maxDelayMs`. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Upstream statuses worth another attempt. */
  readonly statuses: readonly number[];
  /** Methods that may be repeated safely. */
  readonly methods: readonly HttpMethod[];
  /** Retry when the upstream could not be reached or timed out. */
  readonly onNetworkError: boolean;
  /** Give up once this much time has passed since the first attempt. */
  readonly maxElapsedMs: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 2,
  minDelayMs: 250,
  maxDelayMs: 8_000,
  statuses: Object.freeze([408, 429, 500, 502, 503, 504]),
  methods: Object.freeze(['GET', 'HEAD', 'PUT', 'DELETE'] as HttpMethod[]),
  onNetworkError: true,
  maxElapsedMs: 60_000,
  maxRetryAfterMs: 60_000,
});

export function retryPolicy(...overrides: (Partial<RetryPolicy> | false | undefined)[]): RetryPolicy {
  let policy = DEFAULT_RETRY_POLICY;
  for (const override of overrides) {
    if (override === false) policy = { ...policy, retries: 0 };
    else if (override) policy = { ...policy, ...override };
  }
  return policy;
}

/** Full-jitter exponential backoff for attempt n (1-based retry number). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retry - 1));
  // Half fixed, half random: never retries immediately, never synchronises many clients.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` in milliseconds (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
