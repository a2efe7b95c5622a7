/**
 * The upstream budget of one consumes namespace (docs/caching.md): at most `maxInFlight`
 * requests at once and `maxRps` started in any sliding second. Every attempt counts, retries
 * included. A request leaves the rate window one second after its answer arrived, not after it was
 * sent: the upstream counted it at some moment in between, so however the network delays requests
 * (a new connection for the first, a reused one for the next), the upstream never sees more than
 * `maxRps` in one of its seconds. A request over budget waits in a bounded FIFO queue for at most its deadline; when
 * the queue is full or the wait would outlast the deadline it fails at once with a
 * {@link BudgetExceededError} (503 with Retry-After for REST callers, a tool error for MCP).
 */
import { NaftikoError } from './errors.js';
import type { CancelSource } from './http.js';

export interface BudgetSettings {
  /** Requests in progress at once (default: unlimited). */
  readonly maxInFlight?: number | undefined;
  /** Requests started in any sliding second (default: unlimited). */
  readonly maxRps?: number | undefined;
  /** Requests waiting for a slot (default 1000). */
  readonly maxQueue?: number | undefined;
  /** Longest wait for a slot in ms (default 10 000; a call's own timeout may shorten it). */
  readonly maxWaitMs?: number | undefined;
}

/** The upstream budget is exhausted: nothing was sent. */
export class BudgetExceededError extends NaftikoError {
  override name = 'BudgetExceededError';
  override readonly status = 503;
  constructor(readonly namespace: string, readonly retryAfterSeconds: number) {
    super(`upstream budget of "${namespace}" exhausted; retry after ${retryAfterSeconds} s`);
  }

  /** Headers a REST answer carries. */
  get headers(): Readonly<Record<string, string>> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

interface Waiter {
  readonly resolve: (release: Release) => void;
  readonly reject: (error: Error) => void;
  timer?: ReturnType<typeof setTimeout> | undefined;
  unsubscribe?: () => void | undefined;
  done: boolean;
}

/** One slot's release function; call it exactly once when the attempt has ended. */
export type Release = () => void;

const WINDOW_MS = 1000;

export class UpstreamBudget {
  readonly #namespace: string;
  readonly #maxInFlight: number;
  readonly #maxRps: number;
  readonly #maxQueue: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  /** End times (ms) of the requests that ended within the last window, oldest first. */
  readonly #ends: number[] = [];
  readonly #queue: Waiter[] = [];
  #inFlight = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Most in flight at once and most started in one window, ever (tests, metrics). */
  #peakInFlight = 0;
  #rejected = 0;

  constructor(namespace: string, settings: BudgetSettings, now: () => number = Date.now) {
    this.#namespace = namespace;
    this.#maxInFlight = settings.maxInFlight ?? Infinity;
    this.#maxRps = settings.maxRps ?? Infinity;
    this.#maxQueue = settings.maxQueue ?? 1000;
    this.#maxWaitMs = settings.maxWaitMs ?? 10_000;
    this.#now = now;
  }

  get stats(): { inFlight: number; queued: number; peakInFlight: number; rejected: number } {
    return { inFlight: this.#inFlight, queued: this.#queue.length, peakInFlight: this.#peakInFlight, rejected: this.#rejected };
  }

  /**
   * Waits for a slot. `deadlineMs` bounds the wait (with the budget's own `maxWaitMs`);
   * `signal` and `cancel` abandon it.
   */
  acquire(deadlineMs?: number, signal?: AbortSignal, cancel?: CancelSource): Promise<Release> {
    if (this.#queue.length === 0 && this.#free()) return Promise.resolve(this.#take());
    const wait = Math.min(this.#maxWaitMs, deadlineMs ?? Infinity);
    if (this.#queue.length >= this.#maxQueue || wait <= 0 || this.#estimateMs() > wait) return Promise.reject(this.#reject());
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, done: false };
      let unsubscribe: (() => void) | undefined;
      const leave = (error: Error): void => {
        if (waiter.done) return;
        waiter.done = true;
        clearTimeout(waiter.timer);
        unsubscribe?.();
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(error);
      };
      waiter.timer = setTimeout(() => leave(this.#reject()), wait);
      if (signal?.aborted) return leave(signal.reason as Error);
      const onAbort = (): void => leave(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const stopCancel = cancel?.(leave);
      unsubscribe = () => {
        signal?.removeEventListener('abort', onAbort);
        stopCancel?.();
      };
      waiter.unsubscribe = unsubscribe;
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  #reject(): BudgetExceededError {
    this.#rejected += 1;
    return new BudgetExceededError(this.#namespace, Math.max(1, Math.ceil(this.#estimateMs() / 1000)));
  }

  /** A rough wait for the next queued request: the queue drains at maxRps (or one window per maxInFlight). */
  #estimateMs(): number {
    const ahead = this.#queue.length + 1;
    const rate = Math.min(this.#maxRps, Number.isFinite(this.#maxInFlight) ? this.#maxInFlight * 10 : Infinity);
    return Number.isFinite(rate) ? Math.ceil((ahead / rate) * WINDOW_MS) : 0;
  }

  #prune(now: number): void {
    while (this.#ends.length > 0 && now - this.#ends[0]! >= WINDOW_MS) this.#ends.shift();
  }

  #free(): boolean {
    if (this.#inFlight >= this.#maxInFlight) return false;
    if (!Number.isFinite(this.#maxRps)) return true;
    this.#prune(this.#now());
    // In flight ones count too: they are in the window until a second after they end.
    return this.#ends.length + this.#inFlight < this.#maxRps;
  }

  #take(): Release {
    this.#inFlight += 1;
    if (this.#inFlight > this.#peakInFlight) this.#peakInFlight = this.#inFlight;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      if (Number.isFinite(this.#maxRps)) this.#ends.push(this.#now());
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#free()) {
      const waiter = this.#queue.shift()!;
      waiter.done = true;
      clearTimeout(waiter.timer);
      waiter.unsubscribe?.();
      waiter.resolve(this.#take());
    }
    this.#schedule();
  }

  /** When the queue waits for the rate window (not for a release), wake up when its oldest end leaves it. */
  #schedule(): void {
    if (this.#timer || this.#queue.length === 0 || this.#inFlight >= this.#maxInFlight || this.#ends.length === 0) return;
    const delay = Math.max(1, this.#ends[0]! + WINDOW_MS - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, delay);
  }
}
