import type { CfnTable } from 'aws-cdk-lib/aws-glue';
import { csvSerdeProperties } from '../shared/lake/csv-dialect';
import { partitionPrefix } from '../shared/lake/layout';
import { athenaType, partitionAthenaType, type TableDef } from '../shared/lake/table';

/**
 * Glue table inputs generated from the lake's table definitions (the same objects the writers use), with partition
 * projection so Athena finds every partition without crawlers or MSCK REPAIR. Pure functions: the lake construct
 * feeds them the bucket name, the tests feed them plain strings.
 */

export type LakeFormat = 'parquet' | 'csv';

// Defined beside the column types (shared/lake/table.ts), which the schema reference and DuckDB views share.
export { partitionAthenaType };

/** How each format is stored and read. */
const storage: Record<LakeFormat, Omit<CfnTable.StorageDescriptorProperty, 'columns' | 'location'>> = {
  parquet: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serdeInfo: {
      serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      parameters: { 'serialization.format': '1' },
    },
  },
  // The CSV writer quotes fields holding commas or quotes (and empty strings), which only the Open CSV SerDe reads;
  // LazySimpleSerDe would split such fields. See csvColumnType for what this SerDe cannot type.
  csv: {
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serdeInfo: {
      serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
      // The writer's own characters (shared/lake/csv-dialect.ts): quotes doubled, and an escape char (U+0000) that
      // never appears except doubled, so the SerDe unescapes nothing but what the writer escaped. With `\` it ate
      // every backslash before another char (`C:\temp\` read as `C:temp`) and any text ending in one. Every field
      // reads as a string; a NULL (empty field) reads as '': NULLIF(col, '') in SQL.
      parameters: { ...csvSerdeProperties },
    },
  },
};

/**
 * Athena type of a column in a CSV table: always `string`. The Open CSV SerDe parses timestamps only as epoch
 * milliseconds (the writer writes `YYYY-MM-DD HH:MM:SS.SSS`) and fails on an empty field in a numeric or boolean
 * column (the writer's null), so typed columns would fail queries; `CAST(col AS timestamp)` etc. in SQL instead.
 */
export const csvColumnType = 'string';

/** Glue's limit on a column comment, in UTF-8 bytes. */
const COMMENT_MAX_BYTES = 255;
/** Glue's limit on a table description (2048), held in bytes too: never more than Glue could count. */
const DESCRIPTION_MAX_BYTES = 2048;

const ELLIPSIS = '…';
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes, ending in `…` when cut. Glue counts bytes, and the descriptions hold
 * multi-byte characters (the ellipsis alone is 3), so a clip by characters could exceed the limit. Cuts between
 * code points, never inside a surrogate pair.
 */
export function clipUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = utf8Bytes(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return `${out}${ELLIPSIS}`;
}

/** The Glue columns of a table: names and types from its definition, descriptions as comments. */
export function glueColumns(table: TableDef, format: LakeFormat): CfnTable.ColumnProperty[] {
  return table.columns.map((c) => ({
    name: c.name,
    type: format === 'csv' ? csvColumnType : athenaType[c.type],
    comment: clipUtf8(
      format === 'csv' && c.type !== 'string' ? `(${athenaType[c.type]}) ${c.description}` : c.description,
      COMMENT_MAX_BYTES,
    ),
  }));
}

/**
 * `s3://bucket/<table>/dt=${dt}/server_id=${server_id}/`: the partition folder as shared/lake/layout.ts builds it,
 * with Athena's `${key}` placeholders where the values go. Built by the layout function itself (with sentinel values
 * swapped for the placeholders) so the template cannot drift from what the writers write.
 */
export function locationTemplate(bucketName: string, table: TableDef): string {
  const sentinel = (key: string) => `__inboxlake_${key}__`;
  const values = Object.fromEntries(table.partitionKeys.map((k) => [k.name, sentinel(k.name)]));
  let prefix = partitionPrefix('data', table, values);
  for (const k of table.partitionKeys) prefix = prefix.replace(sentinel(k.name), `\${${k.name}}`);
  return `s3://${bucketName}/${prefix}`;
}

export interface ProjectionOptions {
  /** First date of every `date` partition key: `YYYY-MM-DD`, or a relative `NOW-400DAYS`. */
  readonly dateRangeStart: string;
  /** Values of every non-date partition key (e.g. `server_id` → the configured server ids). */
  readonly enumValues: Readonly<Record<string, readonly (string | number)[]>>;
}

/** Partition projection properties of a table (Athena's `projection.*` table parameters). */
export function projectionParameters(table: TableDef, options: ProjectionOptions): Record<string, string> {
  const params: Record<string, string> = { 'projection.enabled': 'true' };
  for (const key of table.partitionKeys) {
    const p = `projection.${key.name}`;
    if (key.type === 'date') {
      params[`${p}.type`] = 'date';
      params[`${p}.format`] = 'yyyy-MM-dd';
      // Today's partition in every zone ahead of UTC exists before UTC midnight; +1 day covers it.
      params[`${p}.range`] = `${options.dateRangeStart},NOW+1DAYS`;
      params[`${p}.interval`] = '1';
      params[`${p}.interval.unit`] = 'DAYS';
    } else {
      const values = options.enumValues[key.name];
      if (!values?.length) throw new Error(`table ${table.name}: no projection values for partition key ${key.name}`);
      params[`${p}.type`] = 'enum';
      params[`${p}.values`] = values.join(',');
    }
  }
  return params;
}

/** The whole Glue table input of a lake table. */
export function glueTableInput(
  table: TableDef,
  opts: ProjectionOptions & { readonly bucketName: string; readonly format: LakeFormat },
): CfnTable.TableInputProperty {
  return {
    name: table.name,
    description: clipUtf8(table.description, DESCRIPTION_MAX_BYTES),
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      EXTERNAL: 'TRUE',
      classification: opts.format,
      ...(opts.format === 'csv' ? { 'skip.header.line.count': '1' } : {}),
      ...projectionParameters(table, opts),
      'storage.location.template': locationTemplate(opts.bucketName, table),
    },
    partitionKeys: table.partitionKeys.map((k) => ({
      name: k.name,
      type: partitionAthenaType[k.type],
      comment: clipUtf8(k.description, COMMENT_MAX_BYTES),
    })),
    storageDescriptor: {
      ...storage[opts.format],
      location: `s3://${opts.bucketName}/${table.name}/`,
      columns: glueColumns(table, opts.format),
    },
  };
}
