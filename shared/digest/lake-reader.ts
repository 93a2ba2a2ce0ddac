import { parquetReadObjects } from 'hyparquet';
import pMap from 'p-map';
import * as z from 'zod';
import { InboxlakeError } from '../core/errors';
import { DAY_MS } from '../core/windows';
import { readCsvRows } from '../lake/csv-reader';
import { tableDayPrefix } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import { type RollupDocument, rollupOfKey } from '../lake/rollup';
import type { TableDef } from '../lake/table';
import type { UnreadableFile } from './model';

/**
 * What the digest reads: rollup documents (small counts per window) and, for the small SendSage tables, the rows of
 * the partitions that overlap the window. It never scans a SocketLabs table's rows.
 */
export interface RollupCount {
  readonly table: string;
  readonly partition: Readonly<Record<string, string | number>>;
  /** Start of the event quarter-hour (epoch ms). */
  readonly period: number;
  readonly dims: Readonly<Record<string, string | number | boolean | null>>;
  readonly count: number;
}

/** Reading a lake file failed (the store, not its content): retrying may help, so the digest stops. */
export class LakeReadError extends InboxlakeError {
  override name = 'LakeReadError';
}

/** What the digest needs of a rollup document; a document without it is unreadable, not a crash further down. */
const rollupDocumentSchema = z.object({
  partition: z.record(z.string(), z.union([z.string(), z.number()])),
  dimensions: z.array(z.string()).min(1),
  // Cells are checked one by one as they are visited: a second pass over a large document would double the work.
  counts: z.array(z.unknown()),
});

/** A file's body, or null when it is gone; a store failure names the key. */
async function readObject(store: ObjectStore, key: string): Promise<Buffer | null> {
  try {
    return await store.get(key);
  } catch (err) {
    throw new LakeReadError(`reading ${store.location}/${key}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

function unreadable(key: string, err: unknown): UnreadableFile {
  return { key, error: err instanceof Error ? err.message : String(err) };
}

/** UTC dates whose partitions can hold events of [start, end). */
export function utcDates(start: number, end: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(start / DAY_MS) * DAY_MS; t < end; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Documents read at once: an S3 GET costs tens of milliseconds, a local read far less; either way the rollups of
 * two weeks are hundreds of small documents. */
const READ_CONCURRENCY = 16;

/**
 * Visits every count of one rollup of a table with an event quarter-hour in [start, end), document by document as
 * they arrive, so memory holds the caller's aggregates and a few documents, never all counts at once. A document
 * that does not parse is added to `unreadable` and contributes nothing (none of its counts are visited).
 */
export async function visitRollups(
  store: ObjectStore,
  table: string,
  rollup: string,
  start: number,
  end: number,
  visit: (count: RollupCount) => void,
  unreadableFiles: UnreadableFile[],
): Promise<void> {
  const keys: string[] = [];
  for (const dt of utcDates(start, end)) {
    for (const key of await store.list(tableDayPrefix('rollups', table, dt)))
      if (rollupOfKey(key) === rollup) keys.push(key);
  }
  // Documents repeat the same few quarter-hours; parsing each instant once keeps the loop cheap.
  const periods = new Map<string | number | boolean | null, number>();
  const visitDocument = (doc: Pick<RollupDocument, 'partition' | 'dimensions' | 'counts'>) => {
    const names = doc.dimensions.slice(1);
    for (const row of doc.counts) {
      let period = periods.get(row[0] ?? null);
      if (period === undefined) {
        period = row[0] === null ? Number.NaN : Date.parse(String(row[0]));
        periods.set(row[0] ?? null, period);
      }
      if (!(period >= start && period < end)) continue;
      const dims: Record<string, string | number | boolean | null> = {};
      for (let i = 0; i < names.length; i++) dims[names[i]!] = row[i + 1] ?? null;
      visit({ table, partition: doc.partition, period, dims, count: Number(row[row.length - 1]) });
    }
  };
  await pMap(
    keys,
    async (key) => {
      const body = await readObject(store, key);
      if (!body) return;
      let doc: Pick<RollupDocument, 'partition' | 'dimensions' | 'counts'>;
      try {
        const parsed = rollupDocumentSchema.parse(JSON.parse(body.toString('utf8')));
        const width = parsed.dimensions.length + 1;
        const bad = parsed.counts.findIndex((row) => !Array.isArray(row) || row.length !== width);
        if (bad >= 0) throw new Error(`counts[${bad}] is not a cell of ${width} values`);
        doc = parsed as typeof doc;
      } catch (err) {
        // Checked whole before any count is visited, so a damaged document adds nothing rather than a part.
        unreadableFiles.push(unreadable(key, err));
        return;
      }
      visitDocument(doc);
    },
    { concurrency: READ_CONCURRENCY },
  );
}

/**
 * Rows of a table's data files in the partitions overlapping [start, end), with the partition values added: the
 * Parquet files, or the CSV files where a partition holds no Parquet (a lake written as CSV only). A file that does
 * not decode is added to `unreadable` and contributes no rows.
 */
export async function readRows(
  store: ObjectStore,
  table: TableDef,
  start: number,
  end: number,
  unreadableFiles: UnreadableFile[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const dt of utcDates(start, end)) {
    const keys = await store.list(`${table.name}/dt=${dt}/`);
    const byFolder = new Map<string, string[]>();
    for (const key of keys) {
      const folder = key.slice(0, key.lastIndexOf('/'));
      const files = byFolder.get(folder) ?? [];
      files.push(key);
      byFolder.set(folder, files);
    }
    for (const [folder, files] of byFolder) {
      const parquet = files.filter((k) => k.endsWith('.parquet'));
      const chosen = parquet.length ? parquet : files.filter((k) => k.endsWith('.csv'));
      const partition = Object.fromEntries(
        folder
          .split('/')
          .filter((p) => p.includes('='))
          .map((p) => p.split('=') as [string, string]),
      );
      for (const key of chosen) {
        const body = await readObject(store, key);
        if (!body) continue;
        let rows: Record<string, unknown>[];
        try {
          rows = await decodeRows(key, body, table);
        } catch (err) {
          unreadableFiles.push(unreadable(key, err));
          continue;
        }
        for (const row of rows) out.push({ ...row, ...partition });
      }
    }
  }
  return out;
}

async function decodeRows(key: string, body: Buffer, table: TableDef): Promise<Record<string, unknown>[]> {
  if (key.endsWith('.csv')) return readCsvRows(body.toString('utf8'), table);
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

/** A timestamp column value as epoch ms, whatever the reader returned (Date, bigint or number). */
export function epochMs(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return null;
}
