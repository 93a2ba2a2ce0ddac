import { describe, expect, it } from 'vitest';
import { fileWriters } from '../../../shared/app/lake';
import { itemStem } from '../../../shared/lake/layout';
import { openWindowWriter } from '../../../shared/lake/window-writer';
import { socketlabsFailed } from '../../../shared/sources/socketlabs-v1/tables';
import { lakeFiles, localStore, scratch } from '../../helpers/collect';

const day = { start: Date.parse('2026-11-20T00:00:00Z'), end: Date.parse('2026-11-21T00:00:00Z') };
const row = (id: string) => ({ event_time: day.start + 1000, message_id: id, ingested_at: day.start });

async function write(
  dir: string,
  opts: { item?: string; window?: typeof day; rows: number; formats?: ('parquet' | 'csv')[] },
) {
  const writer = await openWindowWriter({
    store: localStore(dir),
    table: socketlabsFailed,
    partition: { dt: '2026-11-20', server_id: 1 },
    window: opts.window ?? day,
    item: opts.item,
    formats: opts.formats ?? ['parquet'],
    writers: fileWriters,
    tmpDir: await scratch('ww'),
    now: () => day.end,
  });
  await writer.append(Array.from({ length: opts.rows }, (_, i) => row(`m${i}`)));
  return writer.commit();
}

describe('window writer', () => {
  it('an hour window replaces the day file it overlaps, and the day replaces the hours', async () => {
    const dir = await scratch('ww-window');
    await write(dir, { rows: 3 });
    const hour = { start: day.start, end: day.start + 3_600_000 };
    const r = await write(dir, { rows: 1, window: hour });
    expect(r.replaced).toBe(1 + socketlabsFailed.rollups.length); // the day's data file and its rollups
    expect((await lakeFiles(dir)).filter((f) => f.endsWith('.parquet'))).toEqual([
      'socketlabs_failed/dt=2026-11-20/server_id=1/part-20261120T000000Z-20261120T010000Z.parquet',
    ]);
  });

  it('a publish deletes only overlapping files that existed when its writer opened, never one published meanwhile', async () => {
    const dir = await scratch('ww-race');
    const hour = (h: number) => ({ start: day.start + h * 3_600_000, end: day.start + (h + 1) * 3_600_000 });
    await write(dir, { rows: 2, window: hour(0) }); // an earlier run's hour: superseded by the day below
    const open = () =>
      openWindowWriter({
        store: localStore(dir),
        table: socketlabsFailed,
        partition: { dt: '2026-11-20', server_id: 1 },
        window: day,
        formats: ['parquet'],
        writers: fileWriters,
        tmpDir: dir.replace(/$/, '-tmp'),
        now: () => day.end,
      });
    const dayWriter = await open();
    await dayWriter.append([row('d1'), row('d2')]);
    // Meanwhile another run publishes hour 5: the day writer read before it existed, so it must not delete it.
    await write(dir, { rows: 1, window: hour(5) });
    await dayWriter.commit();
    expect((await lakeFiles(dir)).filter((f) => f.endsWith('.parquet'))).toEqual([
      'socketlabs_failed/dt=2026-11-20/server_id=1/part-20261120T000000Z-20261121T000000Z.parquet',
      'socketlabs_failed/dt=2026-11-20/server_id=1/part-20261120T050000Z-20261120T060000Z.parquet',
    ]);
  });

  it('item files replace only the same item, whatever format was written before', async () => {
    const dir = await scratch('ww-item');
    await write(dir, { item: itemStem('campaign', 7), rows: 2, formats: ['parquet', 'csv'] });
    await write(dir, { item: itemStem('campaign', 8), rows: 2 });
    const r = await write(dir, { item: itemStem('campaign', 7), rows: 1 });
    expect(r.replaced).toBe(1); // the old CSV of campaign 7
    expect((await lakeFiles(dir)).filter((f) => !f.startsWith('_'))).toEqual([
      'socketlabs_failed/dt=2026-11-20/server_id=1/part-campaign-7.parquet',
      'socketlabs_failed/dt=2026-11-20/server_id=1/part-campaign-8.parquet',
    ]);
    expect(itemStem('campaign', 'a/b c')).toBe('campaign-a_b_c');
  });
});
