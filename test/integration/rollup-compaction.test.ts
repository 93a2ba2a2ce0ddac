/**
 * Compaction of final days' rollups (issue 14 point 3): the digest reads one document per (table, rollup, day,
 * server) instead of one per window, with the same figures before, during (a kill mid-compaction) and after
 * compaction, and after a compacted day is collected again.
 */
import { cp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDigest } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { compactedRollupOfKey, ROLLUPS_PREFIX, stemOfKey } from '../../shared/lake/layout';
import type { ObjectStore } from '../../shared/lake/object-store';
import { compactRollupPartition } from '../../shared/lake/rollup-compaction';
import type { TableDef } from '../../shared/lake/table';
import type { V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { sources } from '../../shared/sources';
import { socketlabsV1Tables } from '../../shared/sources/socketlabs-v1/tables';
import { lakeFiles, localStore, runCollection, scratch, simulatorEnv, startDigestWeekV1 } from '../helpers/collect';

const SERVERS = [1234, 5678];
const FROM = '2026-11-08';
const TO = '2026-11-14';
/** A settle period longer than the lake's age: the run compacts nothing (the lake as it was before compaction). */
const NEVER_FINAL = { INBOXLAKE_REREAD_AFTER: '60d' };
/**
 * Windows split by hours, as a large sender's days are (a window over the row limit is split): many rollup parts per
 * day, which is what compaction is for. A day collected as one window already has one part per rollup.
 */
const BY_HOURS = { INBOXLAKE_MAX_ROWS_PER_WINDOW: '500' };
/** A day whose busier tables the hour limit splits into many windows (seed 31), collected again after compaction. */
const AGAIN = '2026-11-11';
const DIGESTS = [
  ['2026-11-12', 'UTC'],
  ['2026-11-14', 'America/New_York'],
] as const;

/** The store with its rollup GETs counted, and deletes that can be made to fail after some (a kill). */
function wrap(inner: ObjectStore, opts: { deletesBeforeKill?: number } = {}) {
  const counts = { rollupGets: 0, deletes: 0 };
  const killed = () => opts.deletesBeforeKill !== undefined && counts.deletes >= opts.deletesBeforeKill;
  const store: ObjectStore = {
    location: inner.location,
    putFile: (k, p, t) => inner.putFile(k, p, t),
    putBytes: (k, b, t) => inner.putBytes(k, b, t),
    putIfAbsent: (k, b, t) => inner.putIfAbsent(k, b, t),
    get: (k) => {
      if (k.startsWith(ROLLUPS_PREFIX)) counts.rollupGets++;
      return inner.get(k);
    },
    getWithTag: (k) => inner.getWithTag(k),
    list: (p) => inner.list(p),
    putIfMatch: (k, b, t, tag) => inner.putIfMatch(k, b, t, tag),
    delete: async (keys) => {
      if (killed()) throw new Error('killed');
      counts.deletes += keys.length;
      return inner.delete(keys);
    },
    deleteIfMatch: async (k, tag) => {
      if (killed()) throw new Error('killed');
      counts.deletes++;
      return inner.deleteIfMatch(k, tag);
    },
  };
  return { store, counts };
}

async function digests(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for (const [date, timeZone] of DIGESTS) {
    const d = await computeDigest(store, { tables: digestTables(sources), date, timeZone, now: Date.UTC(2026, 11, 1) });
    out.push(JSON.stringify(d, null, 1));
  }
  return out;
}

/** Compacts every (table, partition) folder of a lake's rollups, as the collector does for final days. */
async function compactAll(store: ObjectStore): Promise<{ folded: number; deleted: number }> {
  const byName = new Map<string, TableDef>(socketlabsV1Tables.map((t) => [t.name, t]));
  const partitions = new Map<string, { table: TableDef; values: Record<string, string> }>();
  for (const key of await store.list(ROLLUPS_PREFIX)) {
    const [, name, ...rest] = key.split('/');
    const table = byName.get(name!)!;
    const values = Object.fromEntries(rest.slice(0, -1).map((p) => p.split('=') as [string, string]));
    partitions.set(key.slice(0, key.lastIndexOf('/')), { table, values });
  }
  let folded = 0;
  let deleted = 0;
  for (const { table, values } of partitions.values()) {
    const r = await compactRollupPartition(store, table, values);
    expect(r.skipped).toEqual([]);
    folded += r.folded;
    deleted += r.deleted;
  }
  return { folded, deleted };
}

const rollupFiles = async (dir: string) => (await lakeFiles(dir)).filter((f) => f.startsWith(ROLLUPS_PREFIX));
const partFiles = async (dir: string) => (await rollupFiles(dir)).filter((f) => stemOfKey(f) !== null);

describe('rollup compaction', () => {
  let sim: V1Simulator;
  let plain: string;
  let expected: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startDigestWeekV1(SERVERS);
    env = { ...simulatorEnv(sim, SERVERS), ...BY_HOURS };
    plain = await scratch('compaction-plain');
    await runCollection({ store: localStore(plain), env: { ...env, ...NEVER_FINAL }, from: FROM, to: TO });
    expected = await digests(localStore(plain));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('the collector compacts final days: one document per (table, rollup, day, server), the same digest', async () => {
    const dir = await scratch('compaction-run');
    await runCollection({ store: localStore(dir), env, from: FROM, to: TO });
    expect(await partFiles(dir)).toEqual([]);
    const compacted = (await rollupFiles(dir)).filter((f) => compactedRollupOfKey(f) !== null);
    const rollups = socketlabsV1Tables.reduce((n, t) => n + t.rollups.length, 0);
    expect(compacted).toHaveLength(7 * SERVERS.length * rollups);
    expect(await digests(localStore(dir))).toEqual(expected);
  });

  it('cuts the digest GETs of rollups', async () => {
    const dir = await scratch('compaction-gets');
    await cp(plain, dir, { recursive: true });
    const before = wrap(localStore(dir));
    await digests(before.store);
    const { folded, deleted } = await compactAll(localStore(dir));
    expect(deleted).toBe(folded);
    const after = wrap(localStore(dir));
    expect(await digests(after.store)).toEqual(expected);
    console.log(
      `rollup GETs of ${DIGESTS.length} digests (${SERVERS.length} v1 servers, ${FROM}..${TO}): ` +
        `${before.counts.rollupGets} before compaction, ${after.counts.rollupGets} after (${folded} parts folded)`,
    );
    expect(after.counts.rollupGets).toBeLessThan(before.counts.rollupGets / 3);
    // Compacting again finds nothing to do and changes nothing.
    expect(await compactAll(localStore(dir))).toEqual({ folded: 0, deleted: 0 });
    expect(await digests(localStore(dir))).toEqual(expected);
  });

  it.each([
    ['no part deleted yet', 0],
    ['some parts deleted', 7],
  ])('a kill mid-compaction (%s) gives the same digest, and the next compaction completes it', async (_, kill) => {
    const dir = await scratch('compaction-kill');
    await cp(plain, dir, { recursive: true });
    const parts = (await partFiles(dir)).length;
    const { store } = wrap(localStore(dir), { deletesBeforeKill: kill });
    await expect(compactAll(store)).rejects.toThrow('killed');
    const left = (await partFiles(dir)).length;
    expect(left).toBe(parts - kill);
    expect((await rollupFiles(dir)).some((f) => compactedRollupOfKey(f) !== null)).toBe(true);
    expect(await digests(localStore(dir))).toEqual(expected);
    await compactAll(localStore(dir));
    expect(await partFiles(dir)).toEqual([]);
    expect(await digests(localStore(dir))).toEqual(expected);
  });

  it.each([
    ['by the same hour windows', {}],
    ['as one day window (a share superseded by an overlapping part)', { INBOXLAKE_MAX_ROWS_PER_WINDOW: '100000' }],
  ])('a compacted day collected again %s reads as a lake never compacted', async (_, extra) => {
    const compacted = await scratch('compaction-again');
    const never = await scratch('compaction-again-plain');
    await cp(plain, compacted, { recursive: true });
    await cp(plain, never, { recursive: true });
    await compactAll(localStore(compacted));
    const again = { ...env, ...NEVER_FINAL, ...extra };
    for (const dir of [compacted, never])
      await runCollection({ store: localStore(dir), env: again, from: AGAIN, to: AGAIN });
    const reread = await partFiles(compacted);
    expect(reread.length).toBeGreaterThan(0);
    expect(reread.every((f) => f.includes(`/dt=${AGAIN}/`))).toBe(true);
    const want = await digests(localStore(never));
    expect(await digests(localStore(compacted))).toEqual(want);
    // The next compaction folds the new parts in and drops the shares they superseded.
    await compactAll(localStore(compacted));
    expect(await partFiles(compacted)).toEqual([]);
    expect(await digests(localStore(compacted))).toEqual(want);
  });
});
