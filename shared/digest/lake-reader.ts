import { parquetReadObjects } from 'hyparquet';
import { DAY_MS } from '../engine/windows';
import type { ObjectStore } from '../lake/object-store';
import type { RollupDocument } from '../lake/rollup';
import type { TableDef } from '../lake/table';

/**
 * What the digest reads: rollup documents (small counts per window) and, for the small SendSage tables and the
 * day's hard-bounce list, the rows of the partitions that overlap the window. It never scans a table's history.
 */
export interface RollupCount {
  readonly table: string;
  readonly partition: Readonly<Record<string, string | number>>;
  /** Start of the event hour (epoch ms). */
  readonly hour: number;
  readonly dims: Readonly<Record<string, string | number | boolean | null>>;
  readonly count: number;
}

/** UTC dates whose partitions can hold events of [start, end). */
export function utcDates(start: number, end: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(start / DAY_MS) * DAY_MS; t < end; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Every rollup count of a table with an event hour in [start, end). */
export async function readRollups(
  store: ObjectStore,
  table: string,
  start: number,
  end: number,
): Promise<RollupCount[]> {
  const out: RollupCount[] = [];
  for (const dt of utcDates(start, end)) {
    for (const key of await store.list(`_rollups/${table}/dt=${dt}/`)) {
      if (!key.endsWith('.json')) continue;
      const body = await store.get(key);
      if (!body) continue;
      const doc = JSON.parse(body.toString('utf8')) as RollupDocument;
      const names = doc.dimensions.slice(1);
      for (const row of doc.counts) {
        const hour = row[0] === null ? Number.NaN : Date.parse(String(row[0]));
        if (!(hour >= start && hour < end)) continue;
        const dims: Record<string, string | number | boolean | null> = {};
        names.forEach((n, i) => {
          dims[n] = row[i + 1] ?? null;
        });
        out.push({ table, partition: doc.partition, hour, dims, count: Number(row.at(-1)) });
      }
    }
  }
  return out;
}

/** Rows of a table's Parquet files in the partitions overlapping [start, end), with the partition values added. */
export async function readRows(
  store: ObjectStore,
  table: TableDef,
  start: number,
  end: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const dt of utcDates(start, end)) {
    for (const key of await store.list(`${table.name}/dt=${dt}/`)) {
      if (!key.endsWith('.parquet')) continue;
      const body = await store.get(key);
      if (!body) continue;
      const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
      const partition = Object.fromEntries(
        key
          .split('/')
          .filter((p) => p.includes('='))
          .map((p) => p.split('=') as [string, string]),
      );
      for (const row of (await parquetReadObjects({ file })) as Record<string, unknown>[]) {
        out.push({ ...row, ...partition });
      }
    }
  }
  return out;
}

/** A timestamp column value as epoch ms, whatever the reader returned (Date, bigint or number). */
export function epochMs(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return null;
}
