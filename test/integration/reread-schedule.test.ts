import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectSummary } from '../../shared/app/collect';
import { type Clock, systemClock } from '../../shared/core/clock';
import { HOUR_MS, MINUTE_MS } from '../../shared/core/windows';
import { loadCheckpoint } from '../../shared/engine/checkpoints';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { KEY, lakeRows, localStore, runScheduled, scratch, simulatorEnv, truthRows, USER } from '../helpers/collect';
import { lakeMessages, truthMessages, v2Env } from '../helpers/collect-v2';

/**
 * Hourly scheduled runs (the Lambda's scheduled event, no range) over two days with a controlled clock, while late
 * records arrive 30 min, 5 h and 20 h after their window closed — an hour of today's, and a whole day. Each must be
 * read by the schedule's next due read and land exactly once; nothing in the lake may be there twice.
 */
const SERVER = 4321;
const SCALE = 100;
const FIRST_RUN = Date.parse('2026-11-16T00:05:00Z');
// Up to the run after day 1's +24 h read (00:00 on the 18th), which is the last that a late record here needs.
const LAST_RUN = Date.parse('2026-11-18T01:05:00Z');

/** Late records: event time, and when it reaches the API (the window it belongs to closed at `closed`). */
const hourClosed = Date.parse('2026-11-16T11:00:00Z');
const dayClosed = Date.parse('2026-11-17T00:00:00Z');
const late = [30 * MINUTE_MS, 5 * HOUR_MS, 20 * HOUR_MS].flatMap((after, i) => [
  { id: `late-hour-${i}`, at: hourClosed - 40 * MINUTE_MS + i * MINUTE_MS, arrives: hourClosed + after },
  { id: `late-day-${i}`, at: dayClosed - 20 * MINUTE_MS + i * MINUTE_MS, arrives: dayClosed + after },
]);

let now = FIRST_RUN;
const clock: Clock = { now: () => now, monotonic: systemClock.monotonic, sleep: systemClock.sleep };

/** Hourly scheduled runs from FIRST_RUN to LAST_RUN, each late record inserted (`insert`) once it has arrived. */
async function hourlyRuns(insert: (id: string, at: string) => void, run: () => Promise<CollectSummary>) {
  const pending = [...late];
  for (now = FIRST_RUN; now <= LAST_RUN; now += HOUR_MS) {
    for (const r of pending.filter((p) => p.arrives <= now)) {
      pending.splice(pending.indexOf(r), 1);
      insert(r.id, new Date(r.at).toISOString());
    }
    const summary = await run();
    expect(summary.windowsFailed + summary.windowsLeft, new Date(now).toISOString()).toBe(0);
  }
  expect(pending).toEqual([]);
}

/** Each late record once, no row twice. */
function expectEachLateOnce(rows: readonly string[]) {
  for (const { id } of late) expect(rows.filter((r) => r.includes(`"${id}"`)).length, id).toBe(1);
  expect(new Set(rows).size).toBe(rows.length);
}

describe('hourly scheduled runs with late records (v2 simulator)', () => {
  let sim: V2Simulator;

  beforeAll(async () => {
    sim = await startV2Simulator({
      seed: 5,
      serverIds: [SERVER],
      from: '2026-11-12',
      to: '2026-11-18',
      profile: () => 240,
      apiKey: 'v2-k3y-THAT-must-never-leak',
      limits: { timeScale: SCALE },
      now: () => new Date(now),
    });
  });
  afterAll(() => sim?.close());

  it('lands every late record exactly once, and the lake equals the API', async () => {
    const lake = await scratch('reread-lake');
    const store = localStore(lake);
    const env = v2Env(sim, [SERVER], SCALE);
    const base = sim.truth(SERVER).find((m) => m.status === 'Delivered');
    if (!base) throw new Error('the simulated days have no delivered item to model late records on');
    await hourlyRuns(
      (messageId, statusDate) =>
        sim.insert(SERVER, { ...base, messageId, statusDate, queuedTime: statusDate, deliveryTime: statusDate }),
      () => runScheduled({ env, store, clock, datasets: ['messages'] }),
    );
    const rows = await lakeMessages(lake);
    expectEachLateOnce(rows);
    // Nothing missing either: the days the schedule reached, up to the end of the 17th, are the API's.
    expect(rows).toEqual(truthMessages(sim, [SERVER], '2026-11-12', '2026-11-17'));

    // Day 1 was read as it closed, settled, then 1 h, 6 h and 24 h after (its 48 h read is after this test).
    const checkpoint = await loadCheckpoint({
      store,
      source: 'socketlabs-v2',
      scope: String(SERVER),
      dataset: 'messages',
    });
    const day1 = checkpoint.windows.find((w) => w.start === Date.parse('2026-11-16T00:00:00Z'));
    expect(day1?.end).toBe(dayClosed);
    expect(day1?.reads.map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-17T00:05:00.000Z',
      '2026-11-17T01:05:00.000Z',
      '2026-11-17T06:05:00.000Z',
      '2026-11-18T00:05:00.000Z',
    ]);
  }, 240_000);
});

describe('hourly scheduled runs with late records (v1 simulator, failed messages)', () => {
  let sim: V1Simulator;
  beforeAll(async () => {
    sim = await startV1Simulator({
      seed: 5,
      serverIds: [SERVER],
      from: '2026-11-12',
      to: '2026-11-18',
      profile: (dataset) => (dataset === 'failed' ? 120 : 0),
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 400,
      burst: 4,
      now: () => new Date(now),
    });
  });
  afterAll(() => sim?.close());

  it('lands every late record exactly once, and the lake equals the API', async () => {
    const lake = await scratch('reread-v1-lake');
    const env = simulatorEnv(sim, [SERVER]);
    await hourlyRuns(
      (MessageId, DateTime) =>
        sim.insert('failed', SERVER, {
          DateTime,
          MessageId,
          MailingId: 'm',
          ToAddress: `${MessageId}@example.org`,
          FromAddress: 'news@example.com',
          FailureType: 1,
          FailureCode: 2001,
          Reason: '550 bounced late',
        }),
      () => runScheduled({ env, store: localStore(lake), clock, datasets: ['failed'] }),
    );
    const rows = await lakeRows(lake, 'failed');
    expectEachLateOnce(rows);
    expect(rows).toEqual(truthRows(sim, 'failed', [SERVER], '2026-11-12', '2026-11-17'));
  }, 240_000);
});
