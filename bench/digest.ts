/**
 * Digest bench (issue #6): time and peak RSS of a day's digest for 10 servers × N processed messages a day, at two
 * volumes, to show the digest's cost follows the number of servers, codes and domains, not the mail volume.
 *
 * The lake holds what collection writes for SocketLabs v2 at that volume: rollup documents only (the digest never
 * reads the message rows), made by the real window writer and rollup code from synthetic events, in hour windows as
 * busy days are collected. The digest day is generated event by event; the other 15 days of the baseline and series
 * are copies of it with their dates shifted (same documents, same sizes), which keeps the bench to seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileWriters } from '../shared/app/lake';
import { HOUR_MS } from '../shared/core/windows';
import { addDays } from '../shared/digest/day';
import { computeDigest } from '../shared/digest/metrics';
import { digestTables } from '../shared/digest/roles';
import { ROLLUPS_PREFIX } from '../shared/lake/layout';
import { LocalFolderStore } from '../shared/lake/local-store';
import type { ObjectStore } from '../shared/lake/object-store';
import { compactRollupPartition } from '../shared/lake/rollup-compaction';
import type { Row } from '../shared/lake/table';
import { openWindowWriter } from '../shared/lake/window-writer';
import { createRng, weightedTable } from '../shared/sandbox/random';
import { sources } from '../shared/sources';
import { socketlabsMessages } from '../shared/sources/socketlabs-v2/tables';
import type { DigestChildResult } from './digest-child';

const DATE = '2026-11-21';
const SERVERS = 10;
/** History beyond the digest day: the 13 earlier days of the series plus the UTC overlap on both sides. */
const HISTORY_DAYS = 15;
const TIME_ZONE = 'America/New_York';

const codes = weightedTable<readonly [number, 'hard' | 'soft']>([
  [[2001, 'hard'], 40],
  [[2002, 'hard'], 10],
  [[2003, 'hard'], 5],
  [[1001, 'soft'], 20],
  [[1002, 'soft'], 10],
  [[1006, 'soft'], 8],
  [[1010, 'soft'], 7],
]);

/** Writes the digest day's rollups for one server: every message queued, then delivered or failed, then engaged. */
async function writeServerDay(lake: string, serverId: number, processed: number): Promise<void> {
  const rng = createRng('bench-digest', serverId);
  // A long tail of recipient domains (Zipf-like weights), as real lists have.
  const domains = weightedTable(Array.from({ length: 2000 }, (_, i) => [`d${i}.example`, 1 / (i + 1)] as const));
  const store = new LocalFolderStore(lake);
  const tmp = mkdtempSync(join(tmpdir(), 'bench-digest-tmp-'));
  const dayStart = Date.parse(`${DATE}T00:00:00Z`);
  const messages = Math.round(processed / 0.98);
  const perHour = Math.ceil(messages / 24);
  // One mutable row: the rollups copy the values they keep, so no object per event is needed.
  const row: Row = Object.fromEntries(socketlabsMessages.columns.map((c) => [c.name, null]));
  for (let h = 0; h < 24; h++) {
    const window = { start: dayStart + h * HOUR_MS, end: dayStart + (h + 1) * HOUR_MS };
    const writer = await openWindowWriter({
      store,
      table: socketlabsMessages,
      partition: { dt: DATE, server_id: serverId },
      window,
      formats: [],
      writers: fileWriters,
      tmpDir: tmp,
      now: () => Date.now(),
    });
    const batch: Row[] = [row];
    const emit = (eventType: string, fields: Partial<Row> = {}) => {
      row.event_time = window.start + Math.floor(rng.next() * HOUR_MS);
      row.event_type = eventType;
      row.failure_type_name = null;
      row.failure_code = null;
      row.reason = null;
      row.complaint_type = null;
      Object.assign(row, fields);
      return writer.append(batch);
    };
    const count = Math.min(perHour, messages - h * perHour);
    for (let i = 0; i < count; i++) {
      const n = h * perHour + i;
      const domain = rng.pickWeighted(domains);
      row.to_address = `user${n}@${domain}`;
      row.recipient_domain = domain;
      await emit('queued');
      if (rng.chance(0.98)) {
        await emit('delivered');
        if (rng.chance(0.0005)) await emit('complaint', { complaint_type: rng.chance(0.9) ? 'abuse' : 'fraud' });
        if (rng.chance(0.2)) await emit('open');
        if (rng.chance(0.03)) await emit('click');
      } else {
        const [code, type] = rng.pickWeighted(codes);
        await emit('failed', {
          failure_type_name: type,
          failure_code: code,
          reason: `550 5.1.1 <user${n}@${domain}>: Recipient address rejected: User unknown (code ${code})`,
        });
      }
    }
    await writer.commit();
  }
  rmSync(tmp, { recursive: true, force: true });
}

/** Copies the digest day's documents to the other days, shifting every date in their keys and bodies. */
function copyToHistory(lake: string): void {
  const root = join(lake, '_rollups');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json')) files.push(join(d, e.name));
    }
  };
  walk(root);
  const compact = (date: string) => date.replaceAll('-', '');
  for (let offset = -HISTORY_DAYS; offset <= 1; offset++) {
    if (offset === 0) continue;
    const date = addDays(DATE, offset);
    for (const file of files) {
      const key = relative(lake, file).replaceAll(DATE, date).replaceAll(compact(DATE), compact(date));
      const body = readFileSync(file, 'utf8').replaceAll(DATE, date);
      mkdirSync(dirname(join(lake, key)), { recursive: true });
      writeFileSync(join(lake, key), body);
    }
  }
}

function folderBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

/** The digest's figures and the rollup GETs it made (each an S3 GET in the deployed lake). */
async function countedDigest(lake: string): Promise<{ gets: number; json: string }> {
  const inner = new LocalFolderStore(lake);
  let gets = 0;
  const store: ObjectStore = {
    location: inner.location,
    putFile: (k, p, t) => inner.putFile(k, p, t),
    putBytes: (k, b, t) => inner.putBytes(k, b, t),
    putIfAbsent: (k, b, t) => inner.putIfAbsent(k, b, t),
    get: (key) => {
      if (key.startsWith(ROLLUPS_PREFIX)) gets++;
      return inner.get(key);
    },
    getWithTag: (k) => inner.getWithTag(k),
    list: (p) => inner.list(p),
    delete: (keys) => inner.delete(keys),
    putIfMatch: (k, b, t, tag) => inner.putIfMatch(k, b, t, tag),
    deleteIfMatch: (k, tag) => inner.deleteIfMatch(k, tag),
  };
  const digest = await computeDigest(store, {
    tables: digestTables(sources),
    date: DATE,
    timeZone: TIME_ZONE,
    now: Date.parse(`${addDays(DATE, 1)}T12:00:00Z`),
  });
  return { gets, json: JSON.stringify(digest) };
}

/**
 * Digest rollup GETs before and after compacting every day of the lake (what the collector does to final days),
 * with the digest's figures checked equal: the compaction line of the bench (issue 14 point 3).
 */
async function compactionGets(lake: string): Promise<string> {
  const before = await countedDigest(lake);
  const store = new LocalFolderStore(lake);
  let folded = 0;
  for (let offset = -HISTORY_DAYS; offset <= 1; offset++)
    for (let s = 1; s <= SERVERS; s++)
      folded += (
        await compactRollupPartition(store, socketlabsMessages, { dt: addDays(DATE, offset), server_id: 1000 + s })
      ).folded;
  const after = await countedDigest(lake);
  if (after.json !== before.json) throw new Error('the digest changed when its rollups were compacted');
  return (
    `digest rollup GETs (${SERVERS} servers, ${HISTORY_DAYS + 2} days of hour windows): ${before.gets.toLocaleString('en-US')} ` +
    `before compaction, ${after.gets.toLocaleString('en-US')} after (${folded.toLocaleString('en-US')} documents folded; same figures)`
  );
}

/**
 * Builds a lake per volume and measures the digest of its day in a fresh process each (median of 3 for the time, the
 * highest of 3 for the peak RSS), a process that loads the digest's code alone (bench/digest-child.ts).
 */
export async function benchDigest(execArgv: readonly string[]): Promise<void> {
  const child = fileURLToPath(new URL('./digest-child.ts', import.meta.url));
  console.log(
    `\n(digest) ${SERVERS} SocketLabs v2 servers, the day ${DATE} in ${TIME_ZONE} with 7-day baselines and ` +
      '14-day series; fresh process per run, median of 3\n',
  );
  console.log(
    '| processed/day/server | lake (rollups) | build s | digest s | peak RSS (of it, code loaded) | what it read |',
  );
  console.log('|---:|---:|---:|---:|---:|---|');
  let compaction = '';
  for (const processed of [100_000, 1_000_000]) {
    const lake = mkdtempSync(join(tmpdir(), 'bench-digest-lake-'));
    try {
      const built = performance.now();
      for (let s = 1; s <= SERVERS; s++) await writeServerDay(lake, 1000 + s, processed);
      copyToHistory(lake);
      const buildSeconds = (performance.now() - built) / 1000;
      const size = folderBytes(lake);
      const runs = Array.from({ length: 3 }, () => {
        const line = execFileSync(process.execPath, [...execArgv, child, lake, DATE, TIME_ZONE], {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        });
        return JSON.parse(line.trim().split('\n').at(-1)!) as DigestChildResult;
      }).sort((a, b) => a.seconds - b.seconds);
      const median = runs[1]!;
      console.log(
        `| ${processed.toLocaleString('en-US')} | ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB | ` +
          `${buildSeconds.toFixed(1)} | ${median.seconds.toFixed(2)} | ${Math.max(...runs.map((r) => r.peakRssMb))} MB ` +
          `(${Math.max(...runs.map((r) => r.loadedRssMb))} MB) | ` +
          `${median.summary} |`,
      );
      // GETs follow documents, not volume: counted once, on the smaller lake, after its timings.
      if (!compaction) compaction = await compactionGets(lake);
    } finally {
      rmSync(lake, { recursive: true, force: true });
    }
  }
  console.log(`\n${compaction}`);
  console.log('\ntargets: digest ≤ 3 s and ≤ 256 MB, independent of raw volume');
}
