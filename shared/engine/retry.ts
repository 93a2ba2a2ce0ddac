import { type Clock, systemClock } from '../core/clock';
import { DeadlineError, type InboxlakeError, RateLimitedError } from '../core/errors';

/** How hard to retry transient failures. Which failures are transient is decided by the errors themselves. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is capped (a buggy header must not park a Lambda for an hour). */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

export interface RetryContext {
  policy?: RetryPolicy;
  clock?: Clock;
  signal?: AbortSignal;
  /** Monotonic ms (clock.monotonic()) after which no retry is started. */
  deadline?: number;
  random?: () => number;
  onRetry?: (error: InboxlakeError, attempt: number, delayMs: number) => void;
}

/** Whether an error is worth another try. Unknown errors are not: we only retry what we understand. */
export function isTransient(error: unknown): error is InboxlakeError {
  return typeof error === 'object' && error !== null && (error as { transient?: unknown }).transient === true;
}

/** Delay before attempt `attempt + 1`: Retry-After when the API sent one, else capped exponential full jitter. */
export function retryDelayMs(
  error: InboxlakeError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (error instanceof RateLimitedError && error.retryAfterMs !== null) {
    return Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Runs fn until it succeeds, fails terminally, runs out of attempts or would outlive the deadline. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, ctx: RetryContext = {}): Promise<T> {
  const { policy = defaultRetryPolicy, clock = systemClock, random = Math.random } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      ctx.signal?.throwIfAborted();
      return await fn(attempt);
    } catch (error) {
      if (ctx.signal?.aborted) throw new DeadlineError('run aborted (deadline reached)', { cause: error });
      if (!isTransient(error) || attempt >= policy.maxAttempts) throw error;
      const delayMs = retryDelayMs(error, attempt, policy, random);
      if (ctx.deadline !== undefined && clock.monotonic() + delayMs >= ctx.deadline) {
        throw new DeadlineError(`no time left to retry: ${error.message}`, { cause: error });
      }
      ctx.onRetry?.(error, attempt, delayMs);
      await clock.sleep(delayMs, ctx.signal).catch((cause) => {
        throw new DeadlineError('run aborted (deadline reached) while waiting to retry', { cause });
      });
    }
  }
}
