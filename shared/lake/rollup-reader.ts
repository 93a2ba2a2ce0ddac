import pLimit from 'p-limit';
import pMap from 'p-map';
import { InboxlakeError } from '../core/errors';
import { DAY_MS } from '../core/windows';
import { tableDayPrefix } from './layout';
import type { ObjectStore } from './object-store';
import type { RollupDocument } from './rollup';
import {
  compactedRollupSchema,
  liveShares,
  type RollupFolder,
  rollupDocumentSchema,
  rollupFolders,
} from './rollup-compaction';

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

/** What reading rollups needs of the store. */
export type RollupSource = Pick<ObjectStore, 'location' | 'get' | 'list'>;

/**
 * A read view that lists each prefix once: a reader visiting several rollups of the same table-days (the alerts read
 * `totals` and `bounces` of one table) lists each day's folder once instead of once per rollup. For one reading only:
 * what lands after a listing is not seen by it.
 */
export function listingOnce(store: RollupSource): RollupSource {
  const listings = new Map<string, Promise<string[]>>();
  return {
    location: store.location,
    get: (key) => store.get(key),
    list: (prefix) => {
      let listing = listings.get(prefix);
      if (!listing) {
        listing = store.list(prefix);
        listings.set(prefix, listing);
        // A failed listing is not kept: the next reader asks again.
        listing.catch(() => listings.delete(prefix));
      }
      return listing;
    },
  };
}

/** A file's body, or null when it is gone; a store failure names the key. */
export async function readObject(store: RollupSource, key: string): Promise<Buffer | null> {
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
 * two weeks are hundreds of small documents. Bodies wait to be parsed only for the folder being completed, so memory
 * holds about this many bodies and one folder, not a whole day of parts of as many folders. */
export const READ_CONCURRENCY = 16;

/** A folder whose parts vanished between its listing and their reads is listed again at most this often. */
const MAX_FOLDER_READS = 3;

type Cells = Pick<RollupDocument, 'partition' | 'dimensions' | 'counts'>;

/**
 * Visits every count of one rollup of a table with an event quarter-hour in [start, end), document by document as
 * they arrive, so memory holds the caller's aggregates and a few documents, never all counts at once. A document
 * that does not parse is added to `unreadable` and contributes nothing (none of its counts are visited).
 *
 * A partition folder holds per-window parts and, once its day is final, a compacted document of the parts it
 * replaced: the parts present are counted, and the compacted shares no present part supersedes (see
 * shared/lake/rollup-compaction.ts), so a folder reads the same before, during and after its compaction.
 */
export async function visitRollups(
  store: RollupSource,
  table: string,
  rollup: string,
  start: number,
  end: number,
  visit: (count: RollupCount) => void,
  unreadableFiles: UnreadableFile[],
): Promise<void> {
  const folders: RollupFolder[] = [];
  for (const dt of utcDates(start, end)) {
    const prefix = tableDayPrefix('rollups', table, dt);
    for (const byRollup of rollupFolders(await store.list(prefix)).values()) {
      const folder = byRollup.get(rollup);
      if (folder) folders.push(folder);
    }
  }
  // Documents repeat the same few quarter-hours; parsing each instant once keeps the loop cheap.
  const periods = new Map<string | number | boolean | null, number>();
  const visitDocument = (doc: Cells) => {
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
  // One gate for every GET of the reading: the folders in flight share it, so a folder of 96 quarter-hour parts does
  // not read them all at once, and the parts of the earliest folder come first (it is visited, then dropped).
  const read = pLimit(READ_CONCURRENCY);
  const get = (key: string) => read(() => readObject(store, key));
  await pMap(folders, (listed) => visitFolder(store, get, listed, rollup, visitDocument, unreadableFiles), {
    concurrency: READ_CONCURRENCY,
  });
}

/**
 * Visits the documents of one folder to count, one at a time: each is parsed, visited and dropped before the next is
 * parsed, so memory holds the folder's bodies and one parsed document, never the folder's documents all parsed. A
 * part listed but gone when read was folded into a compacted document and deleted meanwhile (a compaction running
 * beside the digest): the folder is listed and read again before anything is visited, since the listing may predate
 * that compacted document.
 */
async function visitFolder(
  store: RollupSource,
  get: (key: string) => Promise<Buffer | null>,
  listed: RollupFolder,
  rollup: string,
  visitDocument: (doc: Cells) => void,
  unreadableFiles: UnreadableFile[],
): Promise<void> {
  let folder = listed;
  for (let attempt = 1; ; attempt++) {
    const [compacted, ...parts] = await Promise.all([
      folder.compacted ? get(folder.compacted) : Promise.resolve(null),
      ...folder.parts.map(get),
    ]);
    if (parts.some((body) => body === null) && attempt < MAX_FOLDER_READS) {
      const dir = (folder.compacted ?? folder.parts[0]!).replace(/[^/]*$/, '');
      const again = rollupFolders(await store.list(dir))
        .get(dir)
        ?.get(rollup);
      if (!again) return;
      folder = again;
      continue;
    }
    const present = folder.parts.filter((_, i) => parts[i] !== null);
    for (const [i, key] of folder.parts.entries()) {
      const body = parts[i];
      if (!body) continue;
      // Dropped before parsing, so the body goes as soon as its document has been visited.
      parts[i] = null;
      const doc = parseRollup(key, () => JSON.parse(body.toString('utf8')), unreadableFiles);
      if (doc) visitDocument(doc);
    }
    if (folder.compacted && compacted) {
      const key = folder.compacted;
      const bad: UnreadableFile[] = [];
      let live: (Cells | null)[] = [];
      try {
        const shares = compactedRollupSchema.parse(JSON.parse(compacted.toString('utf8'))).parts;
        live = liveShares(shares, present).map((s) => parseRollup(`${key} (${s.key})`, () => s.doc, bad));
      } catch (err) {
        bad.push(unreadable(key, err));
      }
      // Checked whole first, so a damaged compacted document adds nothing rather than some of its shares.
      if (bad.length === 0) for (const doc of live) visitDocument(doc!);
      unreadableFiles.push(...bad);
    }
    return;
  }
}

/** A rollup document checked whole before any count is visited, or null (and an unreadable entry) when it is not. */
function parseRollup(key: string, json: () => unknown, bad: UnreadableFile[]): Cells | null {
  try {
    const parsed = rollupDocumentSchema.parse(json());
    const width = parsed.dimensions.length + 1;
    const wrong = parsed.counts.findIndex((row) => !Array.isArray(row) || row.length !== width);
    if (wrong >= 0) throw new Error(`counts[${wrong}] is not a cell of ${width} values`);
    return parsed as Cells;
  } catch (err) {
    bad.push(unreadable(key, err));
    return null;
  }
}
