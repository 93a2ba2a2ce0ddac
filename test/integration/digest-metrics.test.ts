import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '../../shared/catalog';
import { computeDigest } from '../../shared/digest/metrics';
import { digestSchema } from '../../shared/digest/model';
import { digestTables } from '../../shared/digest/roles';
import { openLakeQuery } from '../../shared/lake/query';
import type { V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { sources } from '../../shared/sources';
import { localStore, runCollection, scratch, simulatorEnv, startDigestWeekV1 } from '../helpers/collect';
import { KEY_V2, v2Env } from '../helpers/collect-v2';

const FROM = '2026-11-08';
const TO = '2026-11-14';
const cases = [
  ['2026-11-12', 'UTC'],
  ['2026-11-12', 'America/New_York'],
  ['2026-11-11', 'Asia/Tokyo'],
  ['2026-11-13', 'Europe/Berlin'],
  // Days that start at :30 and :45 UTC: rollups count by quarter-hour so that such days are exact too.
  ['2026-11-12', 'Asia/Kolkata'],
  ['2026-11-13', 'Asia/Kathmandu'],
] as const;

/** The same figures as SQL over the raw tables: one number per (server, metric). */
async function sqlFigures(lakeDir: string, start: string, end: string, v2: boolean) {
  const q = await openLakeQuery({ lakeDir, tables: allTables });
  const w = `event_time >= TIMESTAMPTZ '${start}' and event_time < TIMESTAMPTZ '${end}'`;
  const sql = v2
    ? `select server_id,
         count(*) filter (where event_type = 'queued'), count(*) filter (where event_type = 'delivered'),
         count(*) filter (where failure_type_name = 'hard'), count(*) filter (where failure_type_name = 'soft'),
         count(*) filter (where failure_type_name = 'suppressed' or (event_type = 'suppressed' and failure_type_name is null)),
         count(*) filter (where event_type = 'complaint'), count(*) filter (where event_type = 'open'),
         count(*) filter (where event_type = 'click')
       from socketlabs_messages where ${w} group by 1 order by 1`
    : `select s.server_id,
         (select count(*) from socketlabs_queued q where q.server_id = s.server_id and ${w.replaceAll('event_time', 'q.event_time')}),
         (select count(*) from socketlabs_processed p where p.server_id = s.server_id and ${w.replaceAll('event_time', 'p.event_time')}),
         (select count(*) from socketlabs_failed f where f.server_id = s.server_id and f.failure_type_name = 'hard' and ${w.replaceAll('event_time', 'f.event_time')}),
         (select count(*) from socketlabs_failed f where f.server_id = s.server_id and f.failure_type_name = 'soft' and ${w.replaceAll('event_time', 'f.event_time')}),
         (select count(*) from socketlabs_failed f where f.server_id = s.server_id and f.failure_type_name = 'suppressed' and ${w.replaceAll('event_time', 'f.event_time')}),
         (select count(*) from socketlabs_complaints c where c.server_id = s.server_id and ${w.replaceAll('event_time', 'c.event_time')}),
         (select count(*) from socketlabs_engagement e where e.server_id = s.server_id and e.event_type_name = 'open' and ${w.replaceAll('event_time', 'e.event_time')}),
         (select count(*) from socketlabs_engagement e where e.server_id = s.server_id and e.event_type_name = 'click' and ${w.replaceAll('event_time', 'e.event_time')})
       from (select distinct server_id from socketlabs_queued) s order by 1`;
  try {
    return (await q.run(sql)).rows.map((r) => r.map(Number));
  } finally {
    await q.close();
  }
}

const fromDigest = (
  servers: {
    server_id: number;
    queued: number;
    processed: number;
    hard_bounces: number;
    soft_bounces: number;
    suppressed: number;
    complaints: number;
    opens: number;
    clicks: number;
  }[],
) =>
  servers.map((s) => [
    s.server_id,
    s.queued,
    s.processed,
    s.hard_bounces,
    s.soft_bounces,
    s.suppressed,
    s.complaints,
    s.opens,
    s.clicks,
  ]);

describe('digest figures equal SQL over the raw lake', () => {
  let v1: V1Simulator;
  let v2: V2Simulator;
  let lakeV1: string;
  let lakeV2: string;
  beforeAll(async () => {
    v1 = await startDigestWeekV1([1234, 5678]);
    lakeV1 = await scratch('digest-v1');
    await runCollection({ store: localStore(lakeV1), env: simulatorEnv(v1, [1234, 5678]), from: FROM, to: TO });
    v2 = await startV2Simulator({
      seed: 9,
      serverIds: [42],
      from: '2026-11-07',
      to: '2026-11-15',
      apiKey: KEY_V2,
      limits: { timeScale: 100 },
      now: () => new Date('2026-11-23T00:00:00Z'),
    });
    lakeV2 = await scratch('digest-v2');
    await runCollection({ store: localStore(lakeV2), env: v2Env(v2, [42], 100), from: FROM, to: TO });
  });
  afterAll(async () => {
    await v1.close();
    await v2.close();
  });

  it.each(cases)('v1 tables: %s in %s', async (date, timeZone) => {
    const d = digestSchema.parse(
      await computeDigest(localStore(lakeV1), { tables: digestTables(sources), date, timeZone, now: Date.now() }),
    );
    expect(d.socketlabs.servers.map((s) => s.source)).toEqual(['socketlabs-v1', 'socketlabs-v1']);
    expect(fromDigest(d.socketlabs.servers)).toEqual(await sqlFigures(lakeV1, d.window.start, d.window.end, false));
    for (const s of d.socketlabs.servers) {
      expect(s.series).toHaveLength(14);
      expect(s.series.at(-1)!.queued).toBe(s.queued);
      expect(s.bounce_rate).toBeCloseTo((s.hard_bounces + s.soft_bounces) / s.queued, 12);
    }
  });

  it.each(cases)('v2 messages table: %s in %s', async (date, timeZone) => {
    const d = digestSchema.parse(
      await computeDigest(localStore(lakeV2), { tables: digestTables(sources), date, timeZone, now: Date.now() }),
    );
    expect(d.socketlabs.servers.map((s) => s.source)).toEqual(['socketlabs-v2']);
    expect(fromDigest(d.socketlabs.servers)).toEqual(await sqlFigures(lakeV2, d.window.start, d.window.end, true));
  });

  it("hard-bounced addresses are the raw table's, for the window", async () => {
    const [date, timeZone] = cases[1];
    const d = await computeDigest(localStore(lakeV1), {
      tables: digestTables(sources),
      date,
      timeZone,
      now: Date.now(),
    });
    const q = await openLakeQuery({ lakeDir: lakeV1, tables: allTables });
    const rows = (
      await q.run(
        `select distinct server_id, lower(to_address) from socketlabs_failed where failure_type_name = 'hard' and to_address is not null and event_time >= TIMESTAMPTZ '${d.window.start}' and event_time < TIMESTAMPTZ '${d.window.end}' order by 1, 2`,
      )
    ).rows;
    await q.close();
    expect(d.hard_bounced_addresses.map((a) => [a.server_id, a.address.toLowerCase()]).sort()).toEqual(
      rows.map((r) => [Number(r[0]), r[1]]).sort(),
    );
    expect(d.hard_bounced_total).toBe(rows.length);

    // Over the cap, the first addresses by server and address are listed and the total still counts them all.
    const capped = await computeDigest(localStore(lakeV1), {
      tables: digestTables(sources),
      date,
      timeZone,
      now: Date.now(),
      maxListedHardBounces: 3,
    });
    expect(rows.length).toBeGreaterThan(3);
    expect(capped.hard_bounced_total).toBe(rows.length);
    expect(capped.hard_bounced_addresses).toEqual(d.hard_bounced_addresses.slice(0, 3));
  });

  it('a day with no data says so with an alert, not zeros that look fine', async () => {
    const d = await computeDigest(localStore(await scratch('digest-empty')), {
      tables: digestTables(sources),
      date: '2026-11-12',
      timeZone: 'UTC',
      now: Date.now(),
    });
    expect(d.socketlabs.servers).toEqual([]);
    expect(d.alerts.map((a) => a.metric)).toContain('no data');
  });
});
