import type { Clock } from './clock';
import { RateLimitedError } from './errors';
import { type FetchLike, type HttpRequest, requestJson } from './http';
import type { RateBudget } from './rate-budget';
import type { Redactor } from './redact';
import { type RetryPolicy, withRetry } from './retry';

/** What a run counts about its API calls, for the summary. */
export interface CallCounters {
  apiCalls: number;
  retries: number;
  rateLimited: number;
}

export const newCallCounters = (): CallCounters => ({ apiCalls: 0, retries: 0, rateLimited: 0 });

export interface ApiCallerOptions {
  readonly fetch: FetchLike;
  readonly budget: RateBudget;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly redact: Redactor;
  readonly timeoutMs: number;
  /** Epoch ms: no retry wait may reach past it. */
  readonly deadline: number;
  readonly counters: CallCounters;
  readonly onRetry?: (message: string, attempt: number, delayMs: number) => void;
}

/**
 * One API call done right: wait for the key's budget, send, classify; a 429 slows the whole budget; transient
 * failures (and answers `parse` rejects as transient) are retried under the policy, never past the deadline.
 */
export type ApiCaller = <T>(req: HttpRequest, parse: (json: unknown) => T, signal: AbortSignal) => Promise<T>;

/** Builds the caller every source uses for its HTTP requests. */
export function createApiCaller(opts: ApiCallerOptions): ApiCaller {
  return (req, parse, signal) =>
    withRetry(
      async () => {
        await opts.budget.take(signal);
        opts.counters.apiCalls++;
        try {
          return parse(await requestJson(req, { fetch: opts.fetch, redact: opts.redact, signal }));
        } catch (error) {
          if (error instanceof RateLimitedError) {
            opts.counters.rateLimited++;
            opts.budget.penalize(error.retryAfterMs);
          }
          throw error;
        }
      },
      {
        policy: opts.retry,
        clock: opts.clock,
        signal,
        deadline: opts.deadline,
        onRetry: (error, attempt, delayMs) => {
          opts.counters.retries++;
          opts.onRetry?.(error.message, attempt, delayMs);
        },
      },
    );
}
