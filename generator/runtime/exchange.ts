/**
 * One upstream request and its whole answer, through undici's dispatch API. Per request there is
 * no AbortSignal, no stream object and (almost) no closure: the timeout is a plain timer, a
 * cancellation calls undici's own abort handle, and a caller's AbortSignal is listened to only
 * when one is given. AbortSignal.timeout/any and body streams cost a large share of a small
 * proxied request in the REST benchmark (BENCHMARKS.md). The promise settles at the deadline
 * even while a connection is still being made; the request is aborted as soon as it can be.
 */
import type { Dispatcher } from 'undici';
import type { CancelSource } from './http.js';

export interface ExchangeAnswer {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface ExchangeLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal | undefined;
  readonly cancel?: CancelSource | undefined;
}

/** The errors an exchange fails with (the HTTP client's typed errors). */
export interface ExchangeErrors {
  timeout(): Error;
  tooLarge(): Error;
  network(cause: Error): Error;
}

export function exchange(dispatcher: Dispatcher, request: Dispatcher.DispatchOptions, limits: ExchangeLimits, errors: ExchangeErrors): Promise<ExchangeAnswer> {
  if (limits.signal?.aborted) return Promise.reject(asError(limits.signal.reason));
  return new Promise((resolve, reject) => {
    const handler = new Exchange(limits, errors, resolve, reject);
    if (!handler.settled) dispatcher.dispatch(request, handler);
  });
}

class Exchange implements Dispatcher.DispatchHandler {
  readonly #limits: ExchangeLimits;
  readonly #errors: ExchangeErrors;
  readonly #resolve: (answer: ExchangeAnswer) => void;
  readonly #reject: (error: Error) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unsubscribe: (() => void) | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #failure: Error | undefined;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #size = 0;
  settled = false;

  constructor(limits: ExchangeLimits, errors: ExchangeErrors, resolve: (answer: ExchangeAnswer) => void, reject: (error: Error) => void) {
    this.#limits = limits;
    this.#errors = errors;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = setTimeout(() => this.#fail(errors.timeout()), limits.timeoutMs);
    // The handler itself listens (handleEvent), so no listener closure is made.
    limits.signal?.addEventListener('abort', this, { once: true });
    this.#unsubscribe = limits.cancel?.((reason) => this.#fail(reason));
  }

  /** The caller's AbortSignal fired. */
  handleEvent(): void {
    this.#fail(asError(this.#limits.signal?.reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#failure) controller.abort(this.#failure);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers may come first: only the last start counts.
    this.#status = status;
    this.#headers = flattenHeaders(headers);
    this.#chunks = [];
    this.#size = 0;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#limits.maxBytes) this.#fail(this.#errors.tooLarge());
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size);
    if (this.#finish()) this.#resolve({ status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    // An abort of ours comes back here too; the promise has already settled then.
    this.#fail(this.#errors.network(error));
  }

  #fail(error: Error): void {
    if (!this.#finish()) return;
    this.#failure = error;
    if (this.#controller && !this.#controller.aborted) this.#controller.abort(error);
    this.#reject(error);
  }

  /** Ends the timer and subscriptions; false when already settled. */
  #finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.#timer);
    this.#limits.signal?.removeEventListener('abort', this);
    this.#unsubscribe?.();
    return true;
  }
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(reason === undefined ? 'aborted' : String(reason));
}
