import { parquetReadObjects } from 'hyparquet';
import { readCsvRows } from './csv-reader';
import { tableDayPrefix } from './layout';
import type { ObjectStore } from './object-store';
import { readObject, type UnreadableFile, unreadable, utcDates } from './rollup-reader';
import type { TableDef } from './table';

/**
 * What the digest and the alerts read besides rollup documents (./rollup-reader.ts): for the small SendSage tables,
 * the rows of the partitions that overlap the window. Neither ever scans a SocketLabs table's rows.
 *
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
    const keys = await store.list(tableDayPrefix('data', table.name, dt));
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

/** A string cell, or null for anything else. */
export const cellString = (value: unknown) => (typeof value === 'string' ? value : null);

/** A numeric cell (Parquet INT64 arrives as bigint), or null for anything else. */
export const cellNumber = (value: unknown) =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
