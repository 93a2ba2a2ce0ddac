import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/core/clock';
import { systemClock } from '../../shared/core/clock';
import { computeDigest } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { trailingRange } from '../../shared/engine/plan';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { sources } from '../../shared/sources';
import { parseApiTimestamp } from '../../shared/sources/timestamps';
import { localStore, runCollection, scratch } from '../helpers/collect';
import { v2Env } from '../helpers/collect-v2';

/**
 * Yesterday in New York ends at 05:00 UTC today. A morning run must therefore collect today's closed hours too, or
 * the digest of that day silently misses its evening.
 */
const SERVERS = [4321];
const SCALE = 100;
// The morning run: 06:20 UTC on 2026-11-21 is 01:20 in New York; the hour that ended at 06:00 has settled.
const RUN_AT = Date.parse('2026-11-21T06:20:00Z');
const NY_DAY = {
  date: '2026-11-20',
  start: Date.parse('2026-11-20T05:00:00Z'),
  end: Date.parse('2026-11-21T05:00:00Z'),
};

/** The real clock, shifted so the run happens at RUN_AT (budgets and timeouts still see real time pass). */
const shifted = (at: number): Clock => {
  const offset = at - Date.now();
  return { now: () => Date.now() + offset, monotonic: systemClock.monotonic, sleep: systemClock.sleep };
};

describe("a scheduled run collects today's closed hours", () => {
  let sim: V2Simulator;
  beforeAll(async () => {
    sim = await startV2Simulator({
      seed: 11,
      serverIds: SERVERS,
      from: '2026-11-18',
      to: '2026-11-21',
      profile: () => 300,
      apiKey: 'v2-k3y-THAT-must-never-leak',
      limits: { timeScale: SCALE },
      now: () => new Date(RUN_AT),
    });
  });
  afterAll(() => sim?.close());

  const collect = async (range: { from: string; to: string }) => {
    const lake = await scratch('today-hours');
    const summary = await runCollection({
      env: v2Env(sim, SERVERS, SCALE),
      store: localStore(lake),
      from: range.from,
      to: range.to,
      datasets: ['messages'],
      clock: shifted(RUN_AT),
    });
    return { lake, summary };
  };
  /** Events of the New York day as the API has them. */
  const truthOfDay = () =>
    sim.truth(SERVERS[0]!).filter((m) => {
      const t = parseApiTimestamp(m.statusDate)!;
      return t >= NY_DAY.start && t < NY_DAY.end;
    });

  it('so the digest of yesterday in New York counts every event of that local day', async () => {
    const { lake, summary } = await collect(trailingRange(RUN_AT, 2));
    expect(summary.until).toBe('2026-11-21T06:00:00.000Z');
    const digest = await computeDigest(localStore(lake), {
      tables: digestTables(sources),
      date: NY_DAY.date,
      timeZone: 'America/New_York',
      now: RUN_AT,
    });
    const events = truthOfDay();
    const delivered = events.filter((m) => /^delivered$/i.test(String(m.status))).length;
    expect(delivered).toBeGreaterThan(0);
    expect(digest.socketlabs.servers[0]!.processed).toBe(delivered);
  });

  it('whereas whole UTC days up to yesterday miss its last five hours', async () => {
    const { lake } = await collect({ from: '2026-11-19', to: '2026-11-20' });
    const digest = await computeDigest(localStore(lake), {
      tables: digestTables(sources),
      date: NY_DAY.date,
      timeZone: 'America/New_York',
      now: RUN_AT,
    });
    const lateEvening = truthOfDay().filter(
      (m) =>
        /^delivered$/i.test(String(m.status)) && parseApiTimestamp(m.statusDate)! >= Date.parse('2026-11-21T00:00:00Z'),
    ).length;
    expect(lateEvening).toBeGreaterThan(0);
    expect(digest.socketlabs.servers[0]!.processed).toBe(
      truthOfDay().filter((m) => /^delivered$/i.test(String(m.status))).length - lateEvening,
    );
  });
});
