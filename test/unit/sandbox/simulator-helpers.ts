/** Test helpers shared by the v1 and v2 simulator tests, for the behaviour both get from the shared sandbox modules. */
import { expect } from 'vitest';

/** What every simulator offers that these helpers need. */
interface Simulator {
  close(): Promise<void>;
  stats(): { requests: number };
}

/** A Basic authorization header value. */
export const basicAuth = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

/** Starts a simulator, runs `run` against it and closes it whatever happens. */
export async function withSimulator<S extends Simulator>(
  start: () => Promise<S>,
  run: (sim: S) => Promise<void>,
): Promise<void> {
  const sim = await start();
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

/** Asserts that close() returns promptly while `send`'s request hangs, and that the request then fails. */
export async function expectCloseEndsHungRequest(sim: Simulator, send: () => Promise<unknown>): Promise<void> {
  const pending = send();
  // Attached at once: the rejection only comes with close(), and an unhandled one would fail the run before that.
  pending.catch(() => {});
  while (sim.stats().requests === 0) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  await sim.close();
  expect(Date.now() - started).toBeLessThan(1000);
  await expect(pending).rejects.toThrow();
}

/**
 * Asserts that a fault decider at probability 0.3 is a pure function of the request number and hits about that
 * share of 200 requests; returns its decisions for further checks.
 */
export function expectReplayableFaults<D>(decide: (sequence: number) => D | null): (D | null)[] {
  const decisions = Array.from({ length: 200 }, (_, i) => decide(i));
  expect(Array.from({ length: 200 }, (_, i) => decide(i))).toEqual(decisions);
  const hits = decisions.filter((f) => f !== null).length;
  expect(hits).toBeGreaterThan(30);
  expect(hits).toBeLessThan(100);
  return decisions;
}
