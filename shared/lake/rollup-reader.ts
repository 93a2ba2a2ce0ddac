import pMap from 'p-map';
import * as z from 'zod';
import { InboxlakeError } from '../core/errors';
import { DAY_MS } from '../core/windows';
import { tableDayPrefix } from './layout';
import type { ObjectStore } from './object-store';
import { type RollupDocument, rollupOfKey } from './rollup';

/**
 * Reading rollup documents back, document by document: what the digest and the intraday alerts (both readers of the
 * rollups, neither importing the other) share.
 */

/** A lake file left out because it could not be read or decoded. */
export interface UnreadableFile {
  readonly key: string;
  readonly error: string;
}

/** One cell of a rollup document, with the partition of its document. */
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
export async function readObject(store: ObjectStore, key: string): Promise<Buffer | null> {
  try {
    return await store.get(key);
  } catch (err) {
    throw new LakeReadError(`reading ${store.location}/${key}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

export function unreadable(key: string, err: unknown): UnreadableFile {
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
