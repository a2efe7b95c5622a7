// The upstream budget on its own: in-flight and per-second limits, the bounded queue, deadlines, cancellation.
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, UpstreamBudget } from '../../../generator/runtime/budget.js';

describe('UpstreamBudget', () => {
  it('never has more than maxInFlight at once; waiters are served in order as slots free', async () => {
    const budget = new UpstreamBudget('ns', { maxInFlight: 2 });
    const order: number[] = [];
    const releases = await Promise.all([budget.acquire(), budget.acquire()]);
    const third = budget.acquire(1_000).then((release) => (order.push(3), release));
    const fourth = budget.acquire(1_000).then((release) => (order.push(4), release));
    expect(budget.stats).toMatchObject({ inFlight: 2, queued: 2 });
    releases[0]!();
    const r3 = await third;
    expect(budget.stats).toMatchObject({ inFlight: 2, queued: 1 });
    releases[1]!();
    r3();
    (await fourth)();
    expect(order).toEqual([3, 4]);
    expect(budget.stats).toMatchObject({ inFlight: 0, queued: 0, peakInFlight: 2 });
  });

  it('a release is counted once however often it is called', async () => {
    const budget = new UpstreamBudget('ns', { maxInFlight: 1 });
    const release = await budget.acquire();
    release();
    release();
    expect(budget.stats.inFlight).toBe(0);
  });

  it('maxRps: the next request of a full window waits until the oldest leaves it (a second after it ended)', async () => {
    let now = 0;
    const budget = new UpstreamBudget('ns', { maxRps: 3 }, () => now);
    for (let i = 0; i < 3; i++) (await budget.acquire())();
    let started = false;
    const fourth = budget.acquire(5_000).then((release) => ((started = true), release));
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(false);
    now = 1_000;
    (await fourth)();
    expect(started).toBe(true);
  });

  it('a request in flight stays in the rate window until a second after it ends', async () => {
    let now = 0;
    const budget = new UpstreamBudget('ns', { maxRps: 2 }, () => now);
    const slow = await budget.acquire();
    (await budget.acquire())();
    now = 5_000;
    // The slow one is still in flight, the other ended at 0 and has left the window.
    const third = await budget.acquire(10);
    await expect(budget.acquire(10)).rejects.toBeInstanceOf(BudgetExceededError);
    slow();
    third();
    now = 5_999;
    await expect(budget.acquire(10)).rejects.toBeInstanceOf(BudgetExceededError);
    now = 6_000;
    (await budget.acquire(10))();
  });

  it('a full queue fails at once with 503 and a Retry-After', async () => {
    const budget = new UpstreamBudget('ns', { maxInFlight: 1, maxQueue: 1 });
    const release = await budget.acquire();
    const queued = budget.acquire(1_000);
    const error = await budget.acquire(1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).status).toBe(503);
    expect(Number((error as BudgetExceededError).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((error as Error).message).toContain('"ns"');
    release();
    (await queued)();
    expect(budget.stats.rejected).toBe(1);
  });

  it('a wait longer than the deadline (or maxWaitMs) fails with 503 when it runs out', async () => {
    const budget = new UpstreamBudget('ns', { maxInFlight: 1, maxWaitMs: 30 });
    const release = await budget.acquire();
    await expect(budget.acquire(10_000)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(budget.acquire(0)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(budget.stats.queued).toBe(0);
    release();
  });

  it('a wait the rate cannot meet within the deadline fails at once', async () => {
    const budget = new UpstreamBudget('ns', { maxRps: 1 });
    (await budget.acquire())();
    const before = Date.now();
    await expect(budget.acquire(100)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(Date.now() - before).toBeLessThan(90);
  });

  it('a cancelled waiter leaves the queue (signal or cancel source)', async () => {
    const budget = new UpstreamBudget('ns', { maxInFlight: 1 });
    const release = await budget.acquire();
    const controller = new AbortController();
    const bySignal = budget.acquire(5_000, controller.signal);
    let abort: ((reason: Error) => void) | undefined;
    const byCancel = budget.acquire(5_000, undefined, (a) => ((abort = a), () => undefined));
    expect(budget.stats.queued).toBe(2);
    controller.abort(new Error('gone'));
    abort!(new Error('disconnected'));
    await expect(bySignal).rejects.toThrow('gone');
    await expect(byCancel).rejects.toThrow('disconnected');
    expect(budget.stats.queued).toBe(0);
    release();
    expect(budget.stats.inFlight).toBe(0);
  });
});
