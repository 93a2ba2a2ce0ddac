import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the engine sees it; tests and benchmarks may pass their own. Two readings: the wall clock dates windows
 * and files; the monotonic one measures durations (rate budgets, deadlines), because the wall clock can step (NTP,
 * a resumed VM) and an hour's step back must not turn into an hour's sleep.
 */
export interface Clock {
  /** Wall time, epoch ms. */
  now(): number;
  /** Milliseconds on a clock that never steps, from an arbitrary origin; only differences mean anything. */
  monotonic(): number;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) {
      signal?.throwIfAborted();
      return;
    }
    await delay(ms, undefined, signal ? { signal } : undefined);
  },
};

/**
 * An epoch-ms deadline (what Lambda's remaining time gives at the door) as a monotonic one, read once per run so a
 * wall-clock step later in the run moves neither the deadline nor the time left.
 */
export function monotonicDeadline(clock: Clock, epochMs: number | undefined): number {
  if (epochMs === undefined || !Number.isFinite(epochMs)) return Number.POSITIVE_INFINITY;
  return clock.monotonic() + (epochMs - clock.now());
}
