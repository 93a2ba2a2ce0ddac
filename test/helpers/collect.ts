import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { type Clock, systemClock } from '../../shared/core/clock';
import type { CollectEvent } from '../../shared/engine/collect';
import type { FetchLike } from '../../shared/engine/http';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import type { LakeFormat } from '../../shared/lake/file-writer';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { ObjectStore } from '../../shared/lake/object-store';
import { openLakeQuery } from '../../shared/lake/query';
import type { RollupDocument } from '../../shared/lake/rollup';
import { type CompactedRollupDocument, liveShares, rollupFolders } from '../../shared/lake/rollup-compaction';
import { silentLogger } from '../../shared/log';
import type { V1Dataset } from '../../shared/sandbox/socketlabs-v1/model';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import type { WindowedRequest } from '../../shared/sources/descriptor';
import { socketlabsCommand } from '../../shared/sources/socketlabs-common/command';
import { loadSocketLabsConfig } from '../../shared/sources/socketlabs-common/config';
import { parseApiTimestamp } from '../../shared/sources/timestamps';
import { type CollectSummary, collectSocketLabs } from './sources';

export const USER = 'tester';
export const KEY = 'k3y-THAT-must-never-leak';

/** A fresh scratch folder under the OS temp dir. */
/** The v1 simulator over the digest tests' nine days (2026-11-07..15), fast enough that only the client paces a run. */
export function startDigestWeekV1(serverIds: readonly number[]): Promise<V1Simulator> {
  return startV1Simulator({
    seed: 31,
    serverIds: [...serverIds],
    from: '2026-11-07',
    to: '2026-11-15',
    username: USER,
    apiKey: KEY,
    requestsPerSecond: 400,
    burst: 4,
  });
}

export const scratch = (name: string) => mkdtemp(join(tmpdir(), `inboxlake-${name}-`));

/** The environment a run against the simulator uses. */
export function simulatorEnv(sim: V1Simulator, servers: readonly number[], extra: Record<string, string> = {}) {
  return {
    SOCKETLABS_API_URL: sim.url,
    SOCKETLABS_USERNAME: USER,
    SOCKETLABS_API_KEY: KEY,
    SOCKETLABS_SERVER_IDS: servers.join(','),
    SOCKETLABS_REQUESTS_PER_SECOND: '150',
    SOCKETLABS_TIMEOUT_MS: '400',
    ...extra,
  };
}

export interface RunOptions {
  store: ObjectStore;
  env: Record<string, string>;
  from: string;
  to: string;
  /** A scheduled run's range (only what the re-read schedule has due is read); else a backfill. */
  scheduled?: boolean;
  formats?: readonly LakeFormat[];
  clock?: Clock;
  deadline?: number;
  reserveMs?: number;
  datasets?: string[];
  onEvent?: (e: CollectEvent) => void;
  fetch?: FetchLike;
}

/** Runs the same collection the CLI and the Lambda run, with quick retries for tests. */
export async function runCollection(o: RunOptions): Promise<CollectSummary> {
  return collectSocketLabs(
    loadSocketLabsConfig(o.env),
    { from: o.from, to: o.to, scheduled: o.scheduled, datasets: o.datasets },
    {
      store: o.store,
      formats: o.formats ?? ['parquet'],
      writers: fileWriters,
      tmpDir: await scratch('tmp'),
      fetch: o.fetch ?? ((url, init) => fetch(url, init)),
      clock: o.clock ?? systemClock,
      budgets: new RateBudgetRegistry(),
      log: silentLogger,
      deadline: o.deadline,
      reserveMs: o.reserveMs,
      retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 },
      onEvent: o.onEvent,
    },
  );
}

/** A scheduled run at the clock's now, with the range the Lambda gives it (a scheduled event carries none). */
export function runScheduled(o: Omit<RunOptions, 'from' | 'to' | 'scheduled'> & { clock: Clock }) {
  const config = loadSocketLabsConfig(o.env);
  const request = socketlabsCommand.lambda.request({} as never, config, o.clock.now()) as WindowedRequest;
  if (!request.scheduled) throw new Error('the scheduled event was not planned as a scheduled run');
  return runCollection({ ...o, from: request.from, to: request.to, scheduled: true });
}

/** Per dataset: the table and the columns compared against the ground truth, in both representations. */
export const comparisons: Record<
  V1Dataset,
  { table: string; sql: string; truth: (r: Record<string, unknown>) => unknown[] }
> = {
  failed: {
    table: 'socketlabs_failed',
    sql: 'epoch_ms(event_time), message_id, mailing_id, to_address, failure_type, failure_code, reason',
    truth: (r) => [r.MessageId, r.MailingId, r.ToAddress, r.FailureType, r.FailureCode, r.Reason],
  },
  queued: {
    table: 'socketlabs_queued',
    sql: 'epoch_ms(event_time), message_id, mailing_id, to_address, message_size',
    truth: (r) => [r.MessageId, r.MailingId, r.ToAddress, r.MessageSize],
  },
  processed: {
    table: 'socketlabs_processed',
    sql: 'epoch_ms(event_time), message_id, mailing_id, to_address, message_size, response',
    truth: (r) => [r.MessageId, r.MailingId, r.ToAddress, r.MessageSize, r.Response],
  },
  complaints: {
    table: 'socketlabs_complaints',
    sql: 'epoch_ms(event_time), message_id, mailing_id, original_recipient, complaint_type',
    truth: (r) => [r.MessageId, r.MailingId, r.OriginalRecipient, String(r.Type).toLowerCase()],
  },
  engagement: {
    table: 'socketlabs_engagement',
    sql: 'epoch_ms(event_time), message_id, mailing_id, original_recipient, event_type, url',
    truth: (r) => [r.MessageId, r.MailingId, r.OriginalRecipient, r.EventType, r.URL],
  },
};

const norm = (v: unknown) => (v === '' || v === undefined ? null : typeof v === 'bigint' ? Number(v) : v);

/**
 * The ground truth of a dataset for servers and days [from, to], as sorted comparable rows; with `until` (epoch ms),
 * only what happened before it (a range that ends within today).
 */
export function truthRows(
  sim: V1Simulator,
  dataset: V1Dataset,
  servers: readonly number[],
  from: string,
  to: string,
  until = Number.POSITIVE_INFINITY,
) {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Math.min(Date.parse(`${to}T00:00:00Z`) + 86_400_000, until);
  const rows: string[] = [];
  for (const server of servers) {
    for (const r of sim.truth(dataset, server)) {
      const t = parseApiTimestamp(r.DateTime)!;
      if (t >= start && t < end) rows.push(JSON.stringify([server, t, ...comparisons[dataset].truth(r).map(norm)]));
    }
  }
  return rows.sort();
}

/** The lake's rows of a dataset, read with DuckDB, in the same comparable form. */
export async function lakeRows(lakeDir: string, dataset: V1Dataset): Promise<string[]> {
  const q = await openLakeQuery({ lakeDir, tables: allTables });
  try {
    const c = comparisons[dataset];
    const res = await q.run(`select cast(server_id as bigint), ${c.sql} from ${c.table}`);
    return res.rows.map((r) => JSON.stringify(r.map(norm))).sort();
  } finally {
    await q.close();
  }
}

/** Every file of a local lake (relative paths, sorted), optionally without the `_state/` checkpoints. */
export async function lakeFiles(root: string, withState = false): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((p) => withState || !p.startsWith('_state'))
    .sort();
}

export const localStore = (dir: string) => new LocalFolderStore(dir);
export const datasetsV1: V1Dataset[] = ['failed', 'queued', 'processed', 'complaints', 'engagement'];

/**
 * The rollup documents under a prefix of a local lake as the digest counts them: the per-window parts, and the
 * shares of compacted documents that no present part supersedes.
 */
export async function rollupDocuments(root: string, prefix: string): Promise<RollupDocument[]> {
  const keys = (await lakeFiles(root)).filter((p) => p.startsWith(prefix));
  const read = async (key: string) => JSON.parse(await readFile(join(root, key), 'utf8'));
  const out: RollupDocument[] = [];
  for (const byRollup of rollupFolders(keys).values()) {
    for (const folder of byRollup.values()) {
      for (const key of folder.parts) out.push((await read(key)) as RollupDocument);
      if (!folder.compacted) continue;
      const compacted = (await read(folder.compacted)) as CompactedRollupDocument;
      for (const share of liveShares(compacted.parts, folder.parts)) out.push(share.doc);
    }
  }
  return out;
}
