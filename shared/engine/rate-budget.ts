import { type Clock, systemClock } from './clock';

/**
 * A proactive request budget (GCRA, the token bucket expressed as a "theoretical arrival time"): callers wait for
 * their turn before sending, so normal running never provokes a 429. One budget per API key (and, for APIs with
 * per-endpoint limits, per key and endpoint pattern), shared by everything in the process that uses that key.
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
  /** Requests that may go back to back after an idle spell. 1 keeps the spacing strict. */
  burst?: number;
  clock?: Clock;
}

/** Creates a budget allowing `perSecond` requests per second on average. */
export function createRateBudget({ perSecond, burst = 1, clock = systemClock }: RateBudgetOptions): RateBudget {
  if (!(perSecond > 0)) throw new Error(`rate budget: perSecond must be > 0, got ${perSecond}`);
  const baseInterval = 1000 / perSecond;
  let interval = baseInterval;
  let tat = clock.now();
  return {
    perSecond,
    async take(signal) {
      const now = clock.now();
      tat = Math.max(tat, now);
      const allowedAt = tat - (burst - 1) * interval;
      // Reserve the slot before sleeping so concurrent callers queue behind each other.
      tat += interval;
      if (allowedAt > now) await clock.sleep(allowedAt - now, signal);
    },
    penalize(retryAfterMs) {
      tat = Math.max(tat, clock.now() + (retryAfterMs ?? interval));
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
