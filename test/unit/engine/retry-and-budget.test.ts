import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/core/clock';
import {
  ApiRequestError,
  AuthenticationError,
  DeadlineError,
  RateLimitedError,
  TransientApiError,
} from '../../../shared/core/errors';
import { createRateBudget } from '../../../shared/engine/rate-budget';
import { defaultRetryPolicy, retryDelayMs, withRetry } from '../../../shared/engine/retry';

/**
 * A clock whose sleeps advance time instantly, so timing logic is tested exactly. `stepWall` moves the wall clock
 * alone (an NTP step, a VM resumed), as a real system clock can; the monotonic reading never jumps.
 */
function virtualClock(start = 0): Clock & { sleeps: number[]; stepWall(ms: number): void } {
  let elapsed = start;
  let wallOffset = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => elapsed + wallOffset,
    monotonic: () => elapsed,
    sleep: async (ms) => {
      sleeps.push(ms);
      elapsed += Math.max(0, ms);
    },
    stepWall(ms) {
      wallOffset += ms;
    },
  };
}

describe('withRetry', () => {
  const cases: [string, Error, number][] = [
    ['5xx is retried', new TransientApiError('503'), 3],
    ['429 is retried', new RateLimitedError('429', 0), 3],
    ['401 fails at once', new AuthenticationError('auth'), 1],
    ['400 fails at once', new ApiRequestError('bad', 400), 1],
    ['an unknown error fails at once', new TypeError('bug'), 1],
  ];
  it.each(cases)('%s', async (_name, error, expectedAttempts) => {
    let attempts = 0;
    const clock = virtualClock();
    const run = withRetry(
      async () => {
        attempts++;
        if (attempts < 3) throw error;
        return 'ok';
      },
      { clock, random: () => 0.5 },
    );
    if (expectedAttempts === 1) await expect(run).rejects.toBe(error);
    else await expect(run).resolves.toBe('ok');
    expect(attempts).toBe(expectedAttempts);
  });

  it('honours Retry-After, including 0, and caps it', () => {
    const p = defaultRetryPolicy;
    expect(retryDelayMs(new RateLimitedError('x', 0), 1, p, () => 1)).toBe(0);
    expect(retryDelayMs(new RateLimitedError('x', 3000), 1, p, () => 1)).toBe(3000);
    expect(retryDelayMs(new RateLimitedError('x', 10 * 3600_000), 1, p, () => 1)).toBe(p.maxRetryAfterMs);
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    const e = new TransientApiError('x');
    expect(retryDelayMs(e, 1, p, () => 0)).toBe(50);
    expect(retryDelayMs(e, 1, p, () => 1)).toBe(100);
    expect(retryDelayMs(e, 3, p, () => 1)).toBe(400);
    expect(retryDelayMs(e, 10, p, () => 1)).toBe(1000);
  });

  it('never waits past the deadline', async () => {
    const clock = virtualClock(0);
    const run = withRetry(
      async () => {
        throw new TransientApiError('503');
      },
      { clock, deadline: 1000, random: () => 1, policy: { ...defaultRetryPolicy, baseDelayMs: 400 } },
    );
    await expect(run).rejects.toBeInstanceOf(DeadlineError);
    expect(clock.now()).toBeLessThan(1000);
  });

  it('a wall clock stepping forward an hour does not cut the retries short (the deadline is monotonic)', async () => {
    const clock = virtualClock(0);
    let attempts = 0;
    const run = withRetry(
      async () => {
        attempts++;
        if (attempts === 1) clock.stepWall(3_600_000);
        if (attempts < 3) throw new TransientApiError('503');
        return 'ok';
      },
      { clock, deadline: 60_000, random: () => 1, policy: { ...defaultRetryPolicy, baseDelayMs: 100 } },
    );
    await expect(run).resolves.toBe('ok');
    expect(attempts).toBe(3);
  });

  it('gives up after maxAttempts', async () => {
    let attempts = 0;
    const run = withRetry(
      async () => {
        attempts++;
        throw new TransientApiError('503');
      },
      { clock: virtualClock(), policy: { ...defaultRetryPolicy, maxAttempts: 4 } },
    );
    await expect(run).rejects.toBeInstanceOf(TransientApiError);
    expect(attempts).toBe(4);
  });
});

describe('rate budget', () => {
  it('spaces requests at the allowed rate', async () => {
    const clock = virtualClock(0);
    const budget = createRateBudget({ perSecond: 4, clock });
    const sentAt: number[] = [];
    for (let i = 0; i < 9; i++) {
      await budget.take();
      sentAt.push(clock.now());
    }
    expect(sentAt).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
  });

  it('allows a burst after an idle spell, then the steady rate', async () => {
    const clock = virtualClock(0);
    const budget = createRateBudget({ perSecond: 1, burst: 3, clock });
    const sentAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      await budget.take();
      sentAt.push(clock.now());
    }
    expect(sentAt).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('after a 429 holds everyone for Retry-After and slows down', async () => {
    const clock = virtualClock(0);
    const budget = createRateBudget({ perSecond: 10, clock });
    await budget.take();
    budget.penalize(2000);
    await budget.take();
    const a = clock.now();
    await budget.take();
    expect(a).toBeGreaterThanOrEqual(2000);
    expect(clock.now() - a).toBe(125);
  });
});

describe('rate budget and a wall-clock step', () => {
  it('a wall clock stepping back an hour does not make the budget sleep an hour', async () => {
    const clock = virtualClock(1_000_000);
    const budget = createRateBudget({ perSecond: 4, clock });
    await budget.take();
    clock.stepWall(-3_600_000);
    await budget.take();
    await budget.take();
    // Before: one sleep of 3,600,250 ms (the gap computed on the wall clock); after: the 250 ms spacing.
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(250);
    expect(clock.monotonic() - 1_000_000).toBe(500);
  });
});

describe('combined budgets', () => {
  it('admits a request only when every part allows it (overall and per-endpoint limits)', async () => {
    const { combineBudgets } = await import('../../../shared/engine/rate-budget');
    const clock = virtualClock(0);
    const overall = createRateBudget({ perSecond: 10, clock });
    const reports = combineBudgets([overall, createRateBudget({ perSecond: 2, clock })]);
    const sentAt: number[] = [];
    for (let i = 0; i < 3; i++) {
      await reports.take();
      sentAt.push(clock.now());
    }
    // The stricter part sets the pace; the overall budget is charged when each request goes out, so a plain
    // request right after waits its full overall interval.
    expect(sentAt).toEqual([0, 500, 1000]);
    await overall.take();
    expect(clock.now()).toBe(1100);
  });
});
