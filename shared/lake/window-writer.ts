import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { overlaps, type TimeWindow, windowId } from '../core/windows';
import type { LakeFormat, TableFileWriter, TableFileWriterFactory } from './file-writer';
import { fileKey, type LakeArea, type PartitionValues, partitionPrefix, stemOfKey, windowOfKey } from './layout';
import type { ObjectStore } from './object-store';
import { createRollup, type RollupAccumulator } from './rollup';
import type { Row, TableDef } from './table';

/** A record that could not be placed in its table, kept with the reason instead of being dropped. */
export interface QuarantineEntry {
  readonly reason: string;
  readonly raw: unknown;
}

/** Where collected rows land: the lake, the formats written and their writers, and scratch space for files. */
export interface LakeTarget {
  readonly store: ObjectStore;
  readonly formats: readonly LakeFormat[];
  readonly writers: Readonly<Record<LakeFormat, TableFileWriterFactory>>;
  /** Local scratch folder for files being written (Lambda: under /tmp). */
  readonly tmpDir: string;
}

export interface WindowWriterOptions extends LakeTarget {
  readonly table: TableDef;
  readonly partition: PartitionValues;
  readonly window: TimeWindow;
  /**
   * For data collected per item rather than per time window (a SendSage campaign): the files are named after the
   * item and replace only that item's earlier files; `window` then only dates the rollup.
   */
  readonly item?: string;
  readonly now: () => number;
}

export interface WindowResult {
  readonly rows: number;
  readonly quarantined: number;
  readonly bytes: number;
  readonly keys: readonly string[];
  readonly replaced: number;
}

export interface WindowWriter {
  append(rows: readonly Row[]): Promise<void>;
  quarantine(entries: readonly QuarantineEntry[]): Promise<void>;
  /** Publishes the window's files, then removes the overlapping files that existed when the writer opened. */
  commit(): Promise<WindowResult>;
  /** Drops everything written so far; the lake is untouched. */
  abort(): Promise<void>;
}

const contentTypes: Record<LakeFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
};

/** Opens local files for one (table, partition, window or item); nothing reaches the lake before commit(). */
export async function openWindowWriter(opts: WindowWriterOptions): Promise<WindowWriter> {
  const stem = opts.item ?? windowId(opts.window);
  // What this window may replace, listed before its rows are written (see removeOverlapping).
  const before = await listPartition(opts);
  const dir = join(opts.tmpDir, `w-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  const files = await Promise.all(
    opts.formats.map(async (format) => {
      const path = join(dir, `data.${format}`);
      return { format, path, writer: await opts.writers[format](opts.table, path) };
    }),
  );
  const rollups: RollupAccumulator[] = opts.table.rollups.map((def) => createRollup(opts.table, def));
  const quarantinePath = join(dir, 'quarantine.jsonl');
  let rows = 0;
  let quarantined = 0;
  let closed = false;

  const cleanup = () => rm(dir, { recursive: true, force: true });
  const abortWriters = (list: { writer: TableFileWriter }[]) => Promise.allSettled(list.map((f) => f.writer.abort()));

  return {
    async append(batch) {
      if (batch.length === 0) return;
      for (const f of files) await f.writer.append(batch);
      for (const rollup of rollups) for (const r of batch) rollup.add(r);
      rows += batch.length;
    },
    async quarantine(entries) {
      if (entries.length === 0) return;
      const at = new Date(opts.now()).toISOString();
      const lines = entries.map((e) =>
        JSON.stringify({ table: opts.table.name, quarantined_at: at, reason: e.reason, raw: e.raw }),
      );
      await appendFile(quarantinePath, `${lines.join('\n')}\n`);
      quarantined += entries.length;
    },
    async commit() {
      if (closed) throw new Error('window writer already closed');
      closed = true;
      try {
        const written: string[] = [];
        let bytes = 0;
        for (const f of files) {
          const result = await f.writer.close();
          if (rows === 0) continue; // an empty window leaves no data file, only its rollup
          const key = fileKey('data', opts.table, opts.partition, stem, f.format);
          await opts.store.putFile(key, f.path, contentTypes[f.format]);
          written.push(key);
          bytes += result.bytes;
        }
        // A day whose rollups were compacted needs nothing more here: this part supersedes the compacted shares its
        // window overlaps, for readers and for the next compaction (shared/lake/rollup-compaction.ts).
        for (const rollup of rollups) {
          const key = fileKey('rollups', opts.table, opts.partition, stem, `${rollup.def.name}.json`);
          const doc = rollup.finish(opts.window, opts.partition);
          await opts.store.putBytes(key, JSON.stringify(doc), 'application/json');
          written.push(key);
        }
        if (quarantined > 0) {
          const key = fileKey('quarantine', opts.table, opts.partition, stem, 'jsonl');
          await opts.store.putFile(key, quarantinePath, 'application/x-ndjson');
          written.push(key);
        }
        const replaced = await removeOverlapping(opts, before, new Set(written));
        return { rows, quarantined, bytes, keys: written, replaced };
      } finally {
        await cleanup();
      }
    },
    async abort() {
      if (closed) return;
      closed = true;
      await abortWriters(files);
      await cleanup();
    },
  };
}

/** Every key of the window's partition in the areas a window writes. */
async function listPartition(opts: WindowWriterOptions): Promise<string[]> {
  const areas: LakeArea[] = ['data', 'rollups', 'quarantine'];
  const keys: string[] = [];
  for (const area of areas) keys.push(...(await opts.store.list(partitionPrefix(area, opts.table, opts.partition))));
  return keys;
}

/**
 * Deletes files of earlier runs whose window overlaps this one (a day once collected whole and now by hours, a
 * format no longer written, a quarantine file whose records are now fine), so a window's data is never counted twice.
 *
 * Only files listed when the writer opened, i.e. before this window's rows were read into it: those are what this
 * window supersedes. A file that appeared since was published by another run reading at the same time; its rows may
 * be newer than this window's read, and once that run's checkpoint marks its window final nothing would bring them
 * back, so it is left alone (at worst a window is present twice, which the next run of it repairs). This alone does
 * not make two concurrent runs safe — a later window of the other run may still supersede this one's files — which
 * is why runs hold leases (shared/engine/lease.ts); it only keeps one publish from deleting what it never saw.
 */
async function removeOverlapping(
  opts: WindowWriterOptions,
  before: readonly string[],
  keep: ReadonlySet<string>,
): Promise<number> {
  const stale: string[] = [];
  for (const key of before) {
    if (keep.has(key)) continue;
    if (opts.item !== undefined) {
      if (stemOfKey(key) === opts.item) stale.push(key);
      continue;
    }
    const w = windowOfKey(key);
    if (w && overlaps(w, opts.window)) stale.push(key);
  }
  if (stale.length) await opts.store.delete(stale);
  return stale.length;
}
