import { parseWindowId, type TimeWindow, windowId } from '../core/windows';
import type { TableDef } from './table';

/**
 * Every object key and prefix of the lake: nothing else spells one (the engine, the digest and infra's lifecycle
 * rules and IAM prefixes all derive from here). Data: `<table>/dt=…/server_id=…/part-<window>.<ext>` (Hive layout,
 * what Athena's partition projection template and DuckDB's hive_partitioning read). Beside it, under the same
 * partition path: `_rollups/<table>/…/part-<window>.<rollup>.json` (and, once a day is final, the one
 * `compacted.<rollup>.json` that replaces them), `_quarantine/<table>/…/part-<window>.jsonl`;
 * checkpoints, item states, leases, digest markers and the alerts' state, history and outbox under `_state/`;
 * check-athena samples under `_check/`; Athena results under `_athena-results/`.
 */
export type PartitionValues = Readonly<Record<string, string | number>>;

/** `dt=2026-11-20/server_id=1234`, in the table's partition-key order. */
export function partitionPath(table: TableDef, values: PartitionValues): string {
  return table.partitionKeys
    .map((k) => {
      const v = values[k.name];
      if (v === undefined || v === '') throw new Error(`table ${table.name}: no value for partition key '${k.name}'`);
      return `${k.name}=${encodeURIComponent(String(v))}`;
    })
    .join('/');
}

export type LakeArea = 'data' | 'rollups' | 'quarantine';

/** Rollups: counts beside the data, one document per data file (what the digest reads). */
export const ROLLUPS_PREFIX = '_rollups/';
/** Records that failed validation, kept for a while so they can be inspected. */
export const QUARANTINE_PREFIX = '_quarantine/';
/** Run state: checkpoints, item states, leases and the digest's sent markers (its history is kept longer). */
export const STATE_PREFIX = '_state/';
/** Where `inboxlake check-athena` puts its short-lived sample files, outside every table's location. */
export const CHECK_PREFIX = '_check/';
/** Where Athena writes query results (inside the lake bucket, expired by a lifecycle rule). */
export const ATHENA_RESULTS_PREFIX = '_athena-results/';

const areaPrefix: Record<LakeArea, string> = { data: '', rollups: ROLLUPS_PREFIX, quarantine: QUARANTINE_PREFIX };

/** Folder (with trailing slash) of all of a table's files in an area, e.g. `_rollups/socketlabs_failed/`. */
export function tableAreaPrefix(area: LakeArea, tableName: string): string {
  return `${areaPrefix[area]}${tableName}/`;
}

/** The lake areas a table's files live in: data, its rollups, its quarantined records. */
export function tablePrefixes(tableName: string): string[] {
  return (Object.keys(areaPrefix) as LakeArea[]).map((area) => tableAreaPrefix(area, tableName));
}

/** Folder of one day of a table's files in an area; every table's first partition key is `dt`. */
export function tableDayPrefix(area: LakeArea, tableName: string, dt: string): string {
  return `${tableAreaPrefix(area, tableName)}dt=${dt}/`;
}

/** Folder (with trailing slash) of a table's partition in an area. */
export function partitionPrefix(area: LakeArea, table: TableDef, values: PartitionValues): string {
  return `${areaPrefix[area]}${table.name}/${partitionPath(table, values)}/`;
}

/**
 * Key of a file in an area: `…/part-<stem>.<ext>`. The stem is a window id for windowed data
 * (`part-20261120T000000Z-20261121T000000Z.parquet`) or an item's own key (`part-campaign-1234.parquet`).
 */
export function fileKey(area: LakeArea, table: TableDef, values: PartitionValues, stem: string, ext: string): string {
  return `${partitionPrefix(area, table, values)}part-${stem}.${ext}`;
}

/** The stem of a lake file's name (`part-<stem>.<ext>`); null for files the lake did not name. */
export function stemOfKey(key: string): string | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  // Stems hold no dots (window ids and item stems are [A-Za-z0-9_-]), so a rollup's `.totals.json` is not part of it.
  const m = /^part-([^.]+)\.[a-z][a-z0-9_.]*$/.exec(name);
  return m ? m[1]! : null;
}

/**
 * Key of a partition's compacted rollup document: the per-window rollup documents of a final day folded into one, so
 * the digest reads a day of a server in one GET. Not named `part-…`: it belongs to no window or item, so a window's
 * publish never takes it for a file it supersedes (see shared/lake/rollup-compaction.ts for how it is superseded).
 */
export function compactedRollupKey(table: TableDef, values: PartitionValues, rollup: string): string {
  return `${partitionPrefix('rollups', table, values)}compacted.${rollup}.json`;
}

/** The rollup a compacted document key holds; null for every other key. */
export function compactedRollupOfKey(key: string): string | null {
  const m = /\/compacted\.([a-z][a-z0-9_]*)\.json$/.exec(key);
  return m ? m[1]! : null;
}

/** Stem of an item's files: safe in any file system and object store, and never mistaken for a window id. */
export function itemStem(kind: string, id: string | number): string {
  return `${kind}-${String(id).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Key of the file a window writes in an area. */
export function windowFileKey(
  area: LakeArea,
  table: TableDef,
  values: PartitionValues,
  window: TimeWindow,
  ext: string,
) {
  return fileKey(area, table, values, windowId(window), ext);
}

/** The window a lake file belongs to, from its name; null for files the lake did not name. */
export function windowOfKey(key: string): TimeWindow | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name.startsWith('part-') ? parseWindowId(name) : null;
}

const CHECKPOINTS_PREFIX = `${STATE_PREFIX}checkpoints/`;
const ITEMS_PREFIX = `${STATE_PREFIX}items/`;
const LEASES_PREFIX = `${STATE_PREFIX}leases/`;
/** Where the digest records the dates it has sent (so a date is sent once). */
export const DIGEST_STATE_PREFIX = `${STATE_PREFIX}digest/`;

const stateDocKey = (prefix: string, source: string, scope: string, dataset: string) =>
  `${prefix}${source}/${encodeURIComponent(scope)}/${dataset}.json`;

/** Key of a checkpoint document. */
export function checkpointKey(source: string, scope: string, dataset: string): string {
  return stateDocKey(CHECKPOINTS_PREFIX, source, scope, dataset);
}

/** Key of the state of a list-then-detail dataset's items (which are complete, which files each wrote). */
export function itemStateKey(source: string, scope: string, dataset: string): string {
  return stateDocKey(ITEMS_PREFIX, source, scope, dataset);
}

/** Key of the lease a run holds while it collects a (source, scope, dataset): the same triple as its checkpoint. */
export function leaseKey(source: string, scope: string, dataset: string): string {
  return stateDocKey(LEASES_PREFIX, source, scope, dataset);
}

/** Where a source keeps its run state: checkpoints (windowed datasets), item states (listed items), leases. */
export function sourceStatePrefixes(source: string): string[] {
  return [CHECKPOINTS_PREFIX, ITEMS_PREFIX, LEASES_PREFIX].map((prefix) => `${prefix}${source}/`);
}

/** Where the intraday alerts keep their lifecycle (which alerts are open, when each was last announced). */
export const ALERTS_STATE_PREFIX = `${STATE_PREFIX}alerts/`;

/** Key of the alert state document: one for the whole lake, so one conditional write covers an evaluation. */
export function alertStateKey(): string {
  return `${ALERTS_STATE_PREFIX}state.json`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Where every announced alert transition is recorded, one folder per UTC date of the evaluation that announced it. */
export const ALERTS_HISTORY_PREFIX = `${ALERTS_STATE_PREFIX}history/`;

/** Folder of the alert transitions announced on a UTC date. */
export function alertHistoryDayPrefix(date: string): string {
  if (!DATE.test(date)) throw new Error(`alert history date '${date}' is not YYYY-MM-DD`);
  return `${ALERTS_HISTORY_PREFIX}${date}/`;
}

/**
 * Key of one announced transition: `…/<date>/<instant>.<event>.<alert id>.json`. The instant is the evaluation's,
 * so re-recording the same announcement lands on the same key (a conditional create is then a no-op).
 */
export function alertHistoryEventKey(at: number, event: string, alertId: string): string {
  const iso = new Date(at).toISOString();
  return `${alertHistoryDayPrefix(iso.slice(0, 10))}${compactInstant(at)}.${event}.${encodeURIComponent(alertId)}.json`;
}

/** `20261120T100500000Z`: an instant that sorts as text and holds no character a key must avoid. */
const compactInstant = (at: number) => new Date(at).toISOString().replace(/[-:.]/g, '');

/** Where announcements wait until their channel has taken them (the alerts' transactional outbox). */
export const ALERTS_OUTBOX_PREFIX = `${ALERTS_STATE_PREFIX}outbox/`;

/**
 * Key of one announcement to one delivery target: `…/outbox/<instant>.<kind>.<alert id>.<target>.json`. The instant
 * is the evaluation's, so queuing the same announcement again lands on the same key, and the keys sort oldest first.
 */
export function alertOutboxKey(at: number, kind: string, alertId: string, target: string): string {
  return `${ALERTS_OUTBOX_PREFIX}${compactInstant(at)}.${kind}.${encodeURIComponent(alertId)}.${target}.json`;
}

/** Key of the digest's marker for a day: claimed before the send, then the record of what was sent. */
export function digestSentMarkerKey(date: string): string {
  if (!DATE.test(date)) throw new Error(`digest date '${date}' is not YYYY-MM-DD`);
  return `${DIGEST_STATE_PREFIX}sent/${date}.json`;
}

/** The lake's top-level folders: one per table, and the rollup, quarantine and state areas. */
export function lakeFolders(tables: readonly TableDef[]): string[] {
  return [
    ...tables.map((t) => t.name),
    ...Object.values(areaPrefix)
      .filter(Boolean)
      .map((p) => p.slice(0, -1)),
    STATE_PREFIX.slice(0, -1),
    CHECK_PREFIX.slice(0, -1),
  ];
}
