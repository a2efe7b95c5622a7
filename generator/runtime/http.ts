/**
 * The HTTP engine behind every generated client: plans the request (request.ts), sends it with
 * undici on a shared keep-alive agent, applies the timeout and retry policy, and turns failures
 * into the typed errors of errors.ts.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Bindings } from './bindings.js';
import type { NamespaceSpec, OperationSpec } from './descriptor.js';
import {
  NaftikoError,
  UpstreamHttpError,
  UpstreamResponseTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from './errors.js';
import { CONVERTIBLE_FORMATS, formatToJson } from './formats.js';
import { exchange } from './exchange.js';
import { UpstreamBudget } from './budget.js';
import { requestKey, ResponseCache } from './cache.js';
import { planForward, planRequest, type ForwardRequest, type PlannedRequest } from './request.js';
import { backoffDelay, parseRetryAfter, retryPolicy, type RetryPolicy } from './retry.js';

export interface ClientOptions {
  /** Replaces the spec's base URI (templated host included). */
  readonly baseUri?: string | undefined;
  /** Values of `{host}` variables of the base URI. */
  readonly variables?: Readonly<Record<string, string>> | undefined;
  /** Per-attempt timeout in ms (default 30 000). */
  readonly timeoutMs?: number | undefined;
  /** Retry policy changes, or `false` for a single attempt. */
  readonly retry?: Partial<RetryPolicy> | false | undefined;
  /** Constant headers and query parameters added to every request (e.g. an `api-version`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** Resolves `{{VAR}}` bind references (secrets); see bindings.ts. */
  readonly bindings?: Bindings | undefined;
  /** Largest upstream body accepted, in bytes (default 16 MiB). */
  readonly maxResponseBytes?: number | undefined;
  /** undici dispatcher (connection pool, proxy); a private keep-alive agent by default. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Environment for host variables; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Waits between retries; replaceable in tests. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Told about every attempt once it ends (logs, metrics); must not throw. */
  readonly onAttempt?: ((attempt: UpstreamAttempt) => void) | undefined;
    /**
   * Response cache of operations marked cacheable (docs/caching.md): a shared instance (servers
   * give every client the same one), or `false` to forward every call. Default: a private one.
   */
  readonly cache?: ResponseCache | false | undefined;
  /** Upstream budget (requests in flight and per second); default: from the namespace's config, `false` for none. */
  readonly budget?: UpstreamBudget | false | undefined;
}

/** One upstream HTTP attempt as observability sees it: names and numbers, never values. */
export interface UpstreamAttempt {
  readonly namespace: string;
  readonly operation: string;
  readonly method: string;
  /** The HTTP status, or why there is none. */
  readonly status: number | 'timeout' | 'unreachable' | 'too_large' | 'cancelled';
  readonly durationMs: number;
}

/**
 * A cancellation source cheaper than an AbortSignal (servers use one per request): called with an
 * abort function when the call starts, it returns a function that unsubscribes when the call ends.
 */
export type CancelSource = (abort: (reason: Error) => void) => () => void;

export interface CallOptions {
  /** Cancels the call (all attempts). */
  readonly signal?: AbortSignal | undefined;
  /** Cancels the call too (REST routes: the caller disconnected). */
  readonly cancel?: CancelSource | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retry?: Partial<RetryPolicy> | false | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** What the upstream answered (status < 400; higher statuses throw UpstreamHttpError). */
export interface UpstreamResponse<T = unknown> {
  readonly status: number;
  /** Response headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body bytes (empty for HEAD and 204). */
  readonly body: Uint8Array;
  /** Parsed body when it is JSON, else undefined. */
  readonly data: T | undefined;
  /** RFC 9211 `Cache-Status` of a cacheable operation's answer (hit, fwd=miss, fwd=stale…). */
  readonly cacheStatus?: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_ABORTED',
]);

export class HttpClient {
  readonly #ns: NamespaceSpec;
  readonly #options: ClientOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #query: Readonly<Record<string, string>>;
  readonly #policy: RetryPolicy;
  readonly #budget: UpstreamBudget | undefined;
  #cache: ResponseCache | undefined;

  constructor(ns: NamespaceSpec, options: ClientOptions = {}) {
    this.#ns = ns;
    this.#options = options;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 128 });
    // Merged once: the namespace defaults and the client's options do not change per call.
    this.#headers = { ...ns.defaults?.headers, ...options.headers };
    this.#query = { ...ns.defaults?.query, ...options.query };
    this.#policy = retryPolicy(ns.defaults?.retry, options.retry);
    const budget = ns.defaults?.budget;
    this.#budget = options.budget === false ? undefined : (options.budget ?? (budget ? new UpstreamBudget(ns.namespace, budget) : undefined));
    this.#cache = options.cache === false ? undefined : options.cache;
  }

  /** Sends one operation; resolves for status < 400, throws a typed error otherwise. */
  async call<T = unknown>(op: OperationSpec, input: object, options: CallOptions = {}): Promise<UpstreamResponse<T>> {
    const defaults = this.#ns.defaults;
    const planned = this.#plan(op, input as Record<string, unknown>, options);
    const policy = options.retry === undefined ? this.#policy : retryPolicy(defaults?.retry, this.#options.retry, options.retry);
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (op.cache && this.#options.cache !== false && (op.method === 'GET' || op.method === 'HEAD') && !(planned.body instanceof FormData)) {
      return this.#cached<T>(op, input as Record<string, unknown>, planned, policy, timeoutMs, options);
    }
    return this.#retrying<T>(op, planned, policy, timeoutMs, options);
  }

  /**
   * A cacheable operation: served from the cache, joined to a flight in progress, or fetched
   * once for everyone waiting. The flight is not cancelled by one caller going away (others may
   * wait for it); a caller who goes away stops waiting.
   */
  async #cached<T>(op: OperationSpec, input: Record<string, unknown>, planned: PlannedRequest, policy: RetryPolicy, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse<T>> {
    const cachePolicy = op.cache!;
    const cache = (this.#cache ??= new ResponseCache());
    const bypassName = cachePolicy.bypassInput;
    const bypassValue = bypassName !== undefined ? input[bypassName] : undefined;
    // The bypass input itself is not part of the key: a bypassing request replaces the entry of the plain one.
    const keyed = bypassValue === undefined ? planned : this.#plan(op, { ...input, [bypassName!]: undefined }, options);
    const key = requestKey(keyed.method, keyed.origin, keyed.path, keyed.headers, keyed.body as string | Uint8Array | undefined);
    const flightOptions: CallOptions = { ...options, signal: undefined, cancel: undefined };
    const lookup = cache.get({
      key,
      policy: cachePolicy,
      namespace: this.#ns.namespace,
      operation: op.name,
      bypass: bypassValue === true || (typeof bypassValue === 'string' && bypassValue.toLowerCase() === 'true'),
      fetch: () => this.#retrying(op, planned, policy, timeoutMs, flightOptions),
    });
    const { answer, status } = await untilCancelled(lookup, options);
    return upstreamResponse(answer.status, answer.headers, answer.body, () => parseBody(op, planned, answer.headers, answer.body), status) as UpstreamResponse<T>;
  }

  #plan(op: OperationSpec, input: Record<string, unknown>, options: CallOptions): PlannedRequest {
    const defaults = this.#ns.defaults;
    return planRequest(this.#ns, op, {
      input,
      bindings: this.#options.bindings,
      baseUri: this.#options.baseUri,
      variables: this.#options.variables,
      defaultVariables: defaults?.variables,
      env: this.#options.env,
      headers: options.headers ? { ...this.#headers, ...options.headers } : this.#headers,
      query: this.#query,
    });
  }

  /** The request with the retry policy applied; resolves for status < 400. */
  async #retrying<T>(op: OperationSpec, planned: PlannedRequest, policy: RetryPolicy, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse<T>> {
    const mayRetry = policy.methods.includes(op.method);
    const started = Date.now();
    const sleep = this.#options.sleep ?? delay;

    for (let attempt = 0; ; attempt += 1) {
      let wait: number | undefined;
      try {
        const response = await this.#send(op, planned, timeoutMs, options);
        if (response.status < 400) return response as UpstreamResponse<T>;
        const error = new UpstreamHttpError(op.name, response.status, response.headers, response.body, response.data);
        if (!mayRetry || attempt >= policy.retries || !policy.statuses.includes(response.status)) throw error;
        const retryAfter = parseRetryAfter(response.headers['retry-after']);
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) throw error;
        wait = Math.max(backoffDelay(policy, attempt + 1), retryAfter ?? 0);
        if (Date.now() - started + wait > policy.maxElapsedMs) throw error;
      } catch (error) {
        if (wait === undefined) {
          const networkish = error instanceof UpstreamUnreachableError || error instanceof UpstreamTimeoutError;
          if (!networkish || !policy.onNetworkError || !mayRetry || attempt >= policy.retries) throw error;
          wait = backoffDelay(policy, attempt + 1);
          if (Date.now() - started + wait > policy.maxElapsedMs) throw error;
        }
      }
      await sleep(wait, options.signal);
    }
  }

  /** Proxies one caller request (REST `forward`); any status is returned, none thrown. */
  async forward(request: ForwardRequest, options: CallOptions = {}): Promise<UpstreamResponse> {
    const defaults = this.#ns.defaults;
    const planned = planForward(this.#ns, request, {
      input: {},
      bindings: this.#options.bindings,
      baseUri: this.#options.baseUri,
      variables: this.#options.variables,
      defaultVariables: defaults?.variables,
      env: this.#options.env,
      headers: { ...defaults?.headers, ...this.#options.headers, ...options.headers },
      query: { ...defaults?.query, ...this.#options.query },
    });
    const op: OperationSpec = { name: `${this.#ns.namespace} forward`, method: planned.method, path: '', params: [], outputFormat: 'raw' };
    return this.#send(op, planned, options.timeoutMs ?? this.#options.timeoutMs ?? defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS, options);
  }

  /** Closes the private connection pool (a given dispatcher stays open). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** One attempt within the namespace's budget (every attempt counts, retries too). */
  #send(op: OperationSpec, planned: PlannedRequest, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse> {
    const budget = this.#budget;
    if (!budget) return this.#observed(op, planned, timeoutMs, options);
    return budget.acquire(timeoutMs, options.signal, options.cancel).then((release) => {
      const sent = this.#observed(op, planned, timeoutMs, options);
      sent.then(release, release);
      return sent;
    });
  }

  /** One attempt, reported to `onAttempt` when the client has an observer (metrics). */
  async #observed(op: OperationSpec, planned: PlannedRequest, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse> {
    const observe = this.#options.onAttempt;
    if (!observe) return this.#attempt(op, planned, timeoutMs, options);
    const started = performance.now();
    const report = (status: UpstreamAttempt['status']): void =>
      observe({ namespace: this.#ns.namespace, operation: op.name, method: planned.method, status, durationMs: performance.now() - started });
    try {
      const response = await this.#attempt(op, planned, timeoutMs, options);
      report(response.status);
      return response;
    } catch (error) {
      report(
        error instanceof UpstreamTimeoutError ? 'timeout'
          : error instanceof UpstreamUnreachableError ? 'unreachable'
          : error instanceof UpstreamResponseTooLargeError ? 'too_large'
          : 'cancelled',
      );
      throw error;
    }
  }

  /** The request itself (a multipart body is serialised first, so every attempt resends the same bytes). */
  #attempt(op: OperationSpec, planned: PlannedRequest, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse> {
    if (planned.body instanceof FormData) return this.#attemptMultipart(op, planned, planned.body, timeoutMs, options);
    const maxBytes = Math.min(op.maxBytes ?? Number.POSITIVE_INFINITY, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    const limits = { timeoutMs, maxBytes, signal: options.signal, cancel: options.cancel };
    const errors = {
      timeout: () => new UpstreamTimeoutError(op.name, timeoutMs),
      tooLarge: () => new UpstreamResponseTooLargeError(op.name, limits.maxBytes),
      network: (error: Error) => (error instanceof NaftikoError ? error : new UpstreamUnreachableError(op.name, errorCode(error), planned.origin)),
    };
    const request = { origin: planned.origin, path: planned.path, method: planned.method, headers: planned.headers, ...(planned.body !== undefined ? { body: planned.body as Exclude<Dispatcher.DispatchOptions['body'], undefined> } : {}) };
    return exchange(this.#dispatcher, request, limits, errors).then(({ status, headers, body }) => {
      // A binary answer keeps the upstream's bytes; `outputMediaType` names their type when given.
      const relayed = op.mediaType !== undefined && status < 300 ? { ...headers, 'content-type': op.mediaType } : headers;
      return upstreamResponse(status, relayed, body, () => parseBody(op, planned, relayed, body));
    });
  }

  async #attemptMultipart(op: OperationSpec, planned: PlannedRequest, form: FormData, timeoutMs: number, options: CallOptions): Promise<UpstreamResponse> {
    const encoded = new Response(form);
    const headers = { ...planned.headers, 'content-type': encoded.headers.get('content-type') ?? 'multipart/form-data' };
    return this.#attempt(op, { ...planned, headers, body: new Uint8Array(await encoded.arrayBuffer()) }, timeoutMs, options);
  }
}

/** The body is parsed on first use of `data`: a REST relay never needs it, an MCP result does. */
function upstreamResponse(status: number, headers: Readonly<Record<string, string>>, body: Uint8Array, parse: () => unknown, cacheStatus?: string): UpstreamResponse {
  let parsed: { value: unknown } | undefined;
  return {
    status,
    headers,
    body,
    ...(cacheStatus !== undefined ? { cacheStatus } : {}),
    get data() {
      parsed ??= { value: parse() };
      return parsed.value;
    },
  };
}

function parseBody(op: OperationSpec, planned: PlannedRequest, headers: Readonly<Record<string, string>>, body: Uint8Array): unknown {
  if (planned.method === 'HEAD' || body.length === 0) return undefined;
  const type = headers['content-type'] ?? '';
  const format = op.outputFormat ?? 'json';
  if (format === 'binary') return undefined;
  const text = (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString('utf8');
  try {
    if (/json/i.test(type) || (format === 'json' && type === '')) return JSON.parse(text);
    // A declared non-JSON format is converted as the spec says, whatever the content type claims.
    if (format !== 'json' && (CONVERTIBLE_FORMATS as readonly string[]).includes(format)) return formatToJson(format, text, op.outputSchema);
  } catch {
    // unparsable: callers get the raw bytes (pass-through) and no data
  }
  return undefined;
}

/** Waits for a shared promise until the caller cancels (its signal or cancel source). */
function untilCancelled<T>(promise: Promise<T>, options: CallOptions): Promise<T> {
  const { signal, cancel } = options;
  if (!signal && !cancel) return promise;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = cancel?.((reason) => reject(reason));
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
    };
    promise.then((value) => { done(); resolve(value); }, (error: unknown) => { done(); reject(error); });
  });
}

function errorCode(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'network error';
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
