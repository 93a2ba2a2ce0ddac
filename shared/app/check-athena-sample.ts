import type { CatalogTable } from '../lake/athena';
import type { LakeFormat } from '../lake/file-writer';
import type { PartitionValues } from '../lake/layout';
import type { Row, TableDef } from '../lake/table';
import { checkColumns } from './check-athena-sql';

/** The sample check-athena writes for a table without data: where it goes, in which format, and its rows. */

/** `s3://bucket` from a deployed table's location `s3://bucket/<table>/` (the layout puts tables at the lake root). */
export function lakeRootOf(deployed: CatalogTable, table: TableDef): string {
  const location = (deployed.parameters.location ?? '').replace(/\/+$/, '');
  const suffix = `/${table.name}`;
  if (!location.endsWith(suffix)) {
    throw new Error(`table ${table.name}: location '${location}' is not <lake root>/${table.name}/`);
  }
  return location.slice(0, -suffix.length);
}

export function formatOf(deployed: CatalogTable): LakeFormat {
  const p = deployed.parameters;
  if (p.classification === 'csv' || p.classification === 'parquet') return p.classification;
  return /parquet/i.test(p['serde.serialization.lib'] ?? '') ? 'parquet' : 'csv';
}

/**
 * The sample's partition: today (UTC), inside every `date` projection's range (which ends at NOW+1DAYS), and the
 * first value of every enum projection, so the scratch table's copy of the projection finds it.
 */
export function samplePartition(table: TableDef, deployed: CatalogTable, now: number): PartitionValues {
  const values: Record<string, string> = {};
  for (const k of table.partitionKeys) {
    if (k.type === 'date') {
      values[k.name] = new Date(now).toISOString().slice(0, 10);
      continue;
    }
    const enumValues = deployed.parameters[`projection.${k.name}.values`];
    const first = enumValues?.split(',')[0]?.trim();
    if (!first) throw new Error(`table ${table.name}: no projected values for partition key ${k.name}`);
    values[k.name] = first;
  }
  return values;
}

/**
 * Sample rows for a table: every column filled (so non-nullable columns hold), the event time inside the partition's
 * day, and every value repeating so text and number columns are dictionary-encoded, half the booleans true.
 */
export function sampleRows(table: TableDef, values: PartitionValues, count: number): Row[] {
  const dateKey = table.partitionKeys.find((k) => k.type === 'date');
  const day = dateKey ? Date.parse(`${values[dateKey.name]}T12:00:00Z`) : Date.UTC(2026, 0, 1, 12);
  const text = checkColumns(table).text.name;
  return Array.from({ length: count }, (_, i) => {
    const row: Row = {};
    for (const c of table.columns) {
      switch (c.type) {
        case 'timestamp':
          row[c.name] = day + (c.name === table.timeColumn ? i * 60_000 : 0);
          break;
        case 'int32':
        case 'int64':
          row[c.name] = (i % 3) + 1;
          break;
        case 'double':
          row[c.name] = (i % 4) + 0.5;
          break;
        case 'boolean':
          row[c.name] = i % 2 === 0;
          break;
        case 'string':
          row[c.name] = c.name === text ? `check-${'ab'[i % 2]}` : `${c.name}-${i % 2}`;
          break;
      }
    }
    return row;
  });
}
