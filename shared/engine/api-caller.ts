import type { Clock } from '../core/clock';
import { RateLimitedError } from '../core/errors';
import type { Redactor } from '../core/redact';
import { type FetchLike, type HttpRequest, openStream, requestJson, type StreamResponse } from './http';
import type { RateBudget } from './rate-budget';
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
  /** Monotonic ms (clock.monotonic()): no retry wait may reach past it. */
  readonly deadline: number;
  readonly counters: CallCounters;
  readonly onRetry?: (message: string, attempt: number, delayMs: number) => void;
}

/**
 * One API call done right: wait for the budget, send, classify; a 429 slows the whole budget; transient failures
 * (and answers `parse` rejects as transient) are retried under the policy, never past the deadline.
 */
export interface ApiCaller {
  <T>(req: HttpRequest, parse: (json: unknown) => T, signal: AbortSignal, budget?: RateBudget): Promise<T>;
  /**
   * The same for a streamed answer: `consume` reads the body inside the attempt, so a body cut short (StreamCutError,
   * transient) is fetched again under the same policy.
   */
  stream<T>(
    req: HttpRequest,
    consume: (res: StreamResponse) => Promise<T>,
    signal: AbortSignal,
    budget?: RateBudget,
  ): Promise<T>;
}

/** Builds the caller every source uses for its HTTP requests; a request may name a stricter budget than the default. */
export function createApiCaller(opts: ApiCallerOptions): ApiCaller {
  const attempt = <T>(send: () => Promise<T>, signal: AbortSignal, budget: RateBudget) =>
    withRetry(
      async () => {
        await budget.take(signal);
        opts.counters.apiCalls++;
        try {
          return await send();
        } catch (error) {
          if (error instanceof RateLimitedError) {
            opts.counters.rateLimited++;
            budget.penalize(error.retryAfterMs);
          }
          throw error;
        }
      },
      {
        policy: opts.retry,
        clock: opts.clock,
        signal,
        deadline: opts.deadline,
        onRetry: (error, n, delayMs) => {
          opts.counters.retries++;
          opts.onRetry?.(error.message, n, delayMs);
        },
      },
    );
  const http = (signal: AbortSignal) => ({ fetch: opts.fetch, redact: opts.redact, signal });
  const call = (<T>(req: HttpRequest, parse: (json: unknown) => T, signal: AbortSignal, budget = opts.budget) =>
    attempt(async () => parse(await requestJson(req, http(signal))), signal, budget)) as ApiCaller;
  call.stream = (req, consume, signal, budget = opts.budget) =>
    attempt(async () => consume(await openStream(req, http(signal))), signal, budget);
  return call;
}
