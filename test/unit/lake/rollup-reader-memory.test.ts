import { describe, expect, it } from 'vitest';
import {
  READ_CONCURRENCY,
  type RollupSource,
  type UnreadableFile,
  visitRollups,
} from '../../../shared/lake/rollup-reader';

const DAY = '2026-11-21';
const HOUR = 3_600_000;
const folder = (server: number) => `_rollups/t/dt=${DAY}/server_id=${server}/`;
const partKey = (server: number, hour: number) => {
  const h = (n: number) => String(n).padStart(2, '0');
  return `${folder(server)}part-20261121T${h(hour)}0000Z-20261121T${h(hour + 1)}0000Z.hard_bounces.json`;
};

/**
 * A lake of `servers` folders of `hours` hour parts each, every part holding one count whose address names the part.
 * Its bodies log when they are decoded, so a test sees the order of decoding and visiting.
 */
function loggingLake(servers: number, hours: number) {
  const log: string[] = [];
  const bodies = new Map<string, string>();
  for (let s = 1; s <= servers; s++) {
    for (let h = 0; h < hours; h++) {
      const period = `${DAY}T${String(h).padStart(2, '0')}:00:00.000Z`;
      bodies.set(
        partKey(s, h),
        JSON.stringify({
          partition: { dt: DAY, server_id: s },
          dimensions: ['period', 'to_address'],
          counts: [[period, `${s}-${h}`, 1]],
        }),
      );
    }
  }
  const source: RollupSource = {
    location: 'mem://lake',
    list: async (prefix) => [...bodies.keys()].filter((k) => k.startsWith(prefix)),
    get: async (key) => {
      const json = bodies.get(key);
      if (json === undefined) return null;
      const body = Buffer.from(json);
      const name = JSON.parse(json).counts[0][1] as string;
      // The reader decodes a body with toString: the moment its document is parsed.
      body.toString = () => {
        log.push(`parse ${name}`);
        return json;
      };
      return body;
    },
  };
  return { source, log };
}

describe('visitRollups', () => {
  it('visits each document before it parses the next, so one parsed document is held at a time', async () => {
    const lake = loggingLake(3, 24);
    const unreadable: UnreadableFile[] = [];
    await visitRollups(
      lake.source,
      't',
      'hard_bounces',
      Date.parse(`${DAY}T00:00:00Z`),
      Date.parse(`${DAY}T23:59:59Z`) + 1000,
      (c) => lake.log.push(`visit ${c.dims.to_address}`),
      unreadable,
    );
    expect(unreadable).toEqual([]);
    expect(lake.log).toHaveLength(3 * 24 * 2);
    for (let i = 0; i < lake.log.length; i += 2) {
      const name = lake.log[i]!.replace(/^parse /, '');
      expect([lake.log[i], lake.log[i + 1]]).toEqual([`parse ${name}`, `visit ${name}`]);
    }
  });
});

describe('visitRollups reads', () => {
  it(`at most ${READ_CONCURRENCY} documents at once across folders, however many parts each folder has`, async () => {
    const lake = loggingLake(20, 24);
    let inFlight = 0;
    let most = 0;
    const counted: RollupSource = {
      ...lake.source,
      get: async (key) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Every GET waits a turn of the event loop, as a real one does, so concurrent ones overlap.
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return lake.source.get(key);
      },
    };
    let visited = 0;
    await visitRollups(
      counted,
      't',
      'hard_bounces',
      Date.parse(`${DAY}T00:00:00Z`),
      Date.parse(`${DAY}T23:00:00Z`) + HOUR,
      () => visited++,
      [],
    );
    expect(visited).toBe(20 * 24);
    expect(most).toBe(READ_CONCURRENCY);
  });
});
