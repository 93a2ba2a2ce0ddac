import { type Clock, systemClock } from '../core/clock';

/**
 * A proactive request budget: a token bucket evaluated when a request is really sent, so callers wait for their
 * turn and normal running never provokes a 429. Counting actual send times (not planned slots) matters: when the
 * event loop is busy (a row group being encoded), waiters wake late, and slots planned in advance would then go
 * out back to back. One budget per API key (and, for APIs with per-endpoint limits, per key and endpoint pattern),
 * shared by everything in the process that uses that key; waiters are served in order.
 */
export interface RateBudget {
  readonly perSecond: number;
  /** Waits until a request may be sent. */
  take(signal?: AbortSignal): Promise<void>;
  /** The API said 429: hold every caller for retryAfterMs and slow down for the rest of the run. */
  penalize(retryAfterMs: number | null): void;
}

export interface RateBudgetOptions {
  perSecond: number;
  /** Requests that may go back to back after an idle spell (the bucket's capacity). 1 keeps the spacing strict. */
  burst?: number;
  clock?: Clock;
}

/** Creates a budget allowing `perSecond` requests per second on average. */
export function createRateBudget({ perSecond, burst = 1, clock = systemClock }: RateBudgetOptions): RateBudget {
  if (!(perSecond > 0)) throw new Error(`rate budget: perSecond must be > 0, got ${perSecond}`);
  const baseInterval = 1000 / perSecond;
  let interval = baseInterval;
  let tokens = burst;
  // Durations only, so the monotonic clock: a wall-clock step back would otherwise read as a huge debt.
  let refilledAt = clock.monotonic();
  let holdUntil = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();

  const acquire = async (signal?: AbortSignal) => {
    for (;;) {
      const now = clock.monotonic();
      tokens = Math.min(burst, tokens + (now - refilledAt) / interval);
      refilledAt = now;
      if (now < holdUntil) await clock.sleep(holdUntil - now, signal);
      else if (tokens >= 1 - 1e-9) {
        tokens -= 1;
        return;
      } else await clock.sleep((1 - tokens) * interval, signal);
    }
  };

  return {
    perSecond,
    take(signal) {
      const turn = queue.then(() => acquire(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    penalize(retryAfterMs) {
      holdUntil = Math.max(holdUntil, clock.monotonic() + (retryAfterMs ?? interval));
      tokens = 0;
      // A 429 means our idea of the limit was too generous; back off 25 %, at most to a quarter of the base rate.
      interval = Math.min(interval * 1.25, baseInterval * 4);
    },
  };
}

/** Budgets shared per key within the process, so two collectors on one key never double its rate. */
export class RateBudgetRegistry {
  readonly #budgets = new Map<string, RateBudget>();

  /** The budget for key, created with options on first use. */
  budgetFor(key: string, options: RateBudgetOptions): RateBudget {
    let budget = this.#budgets.get(key);
    if (!budget) {
      budget = createRateBudget(options);
      this.#budgets.set(key, budget);
    }
    return budget;
  }
}

/** A budget that admits a request only when every one of its parts does (overall and per-endpoint limits). */
export function combineBudgets(parts: readonly RateBudget[]): RateBudget {
  // Slowest first: the long wait happens before the faster budgets are charged, so each of them is charged at
  // (about) the moment the request really goes out.
  const ordered = [...parts].sort((a, b) => a.perSecond - b.perSecond);
  return {
    perSecond: Math.min(...parts.map((b) => b.perSecond)),
    async take(signal) {
      for (const b of ordered) await b.take(signal);
    },
    penalize(retryAfterMs) {
      for (const b of parts) b.penalize(retryAfterMs);
    },
  };
}
