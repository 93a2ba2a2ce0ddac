import { parseWindowId, type TimeWindow, windowId } from '../engine/windows';
import type { TableDef } from './table';

/**
 * Object keys of the lake. Data: `<table>/dt=…/server_id=…/part-<window>.<ext>` (Hive layout, what Athena's
 * partition projection template and DuckDB's hive_partitioning read). Beside it, under the same partition path:
 * `_rollups/<table>/…/part-<window>.json`, `_quarantine/<table>/…/part-<window>.jsonl`; checkpoints under `_state/`.
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

const areaPrefix: Record<LakeArea, string> = { data: '', rollups: '_rollups/', quarantine: '_quarantine/' };

/** Folder (with trailing slash) of a table's partition in an area. */
export function partitionPrefix(area: LakeArea, table: TableDef, values: PartitionValues): string {
  return `${areaPrefix[area]}${table.name}/${partitionPath(table, values)}/`;
}

/** Key of the file a window writes in an area, e.g. `…/part-20261120T000000Z-20261121T000000Z.parquet`. */
export function windowFileKey(
  area: LakeArea,
  table: TableDef,
  values: PartitionValues,
  window: TimeWindow,
  ext: string,
): string {
  return `${partitionPrefix(area, table, values)}part-${windowId(window)}.${ext}`;
}

/** The window a lake file belongs to, from its name; null for files the lake did not name. */
export function windowOfKey(key: string): TimeWindow | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name.startsWith('part-') ? parseWindowId(name) : null;
}

/** Key of a checkpoint document. */
export function checkpointKey(source: string, scope: string, dataset: string): string {
  return `_state/checkpoints/${source}/${encodeURIComponent(scope)}/${dataset}.json`;
}
