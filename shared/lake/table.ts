/**
 * Table definitions: the one source of truth for a lake table's columns. The Parquet and CSV writers, the README
 * schema reference, the DuckDB views and (later) the Glue tables are all generated from these objects.
 */

/** Logical column types; each maps to one Parquet physical/logical type, one Athena type and one DuckDB type. */
export type ColumnType = 'timestamp' | 'int32' | 'int64' | 'double' | 'boolean' | 'string';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** false only where every row is guaranteed a value. */
  readonly nullable: boolean;
  readonly description: string;
}

/**
 * Partition key types. No numeric type: Athena projects a non-date key as an enum, which only string keys take, so an
 * id partition (server_id) is a string of digits in Glue and in DuckDB alike.
 */
export type PartitionType = 'date' | 'string';

export interface PartitionKey {
  readonly name: string;
  readonly type: PartitionType;
  readonly description: string;
}

export interface TableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly Column[];
  /** Hive partition keys, outermost first; they are folder names, not columns inside the files. */
  readonly partitionKeys: readonly PartitionKey[];
  /** The per-window rollups written beside the data (none: the table has no rollup). */
  readonly rollups: readonly RollupDef[];
  /** The column holding the event time the rollup periods and the `dt` partition come from. */
  readonly timeColumn: string;
}

/**
 * One rollup of a table: rows counted per event quarter-hour and per combination of `dimensions`, optionally only
 * the rows whose columns hold one of the listed values. Small, coarse rollups serve long trends; narrow, detailed
 * ones (bounces by code and domain, the hard-bounced addresses) serve a single day without scanning the data.
 */
export interface RollupDef {
  /** A file-name-safe name; the document is `…/part-<window>.<name>.json`. */
  readonly name: string;
  readonly dimensions: readonly string[];
  readonly where?: Readonly<Record<string, readonly (string | number | boolean | null)[]>>;
}

/**
 * A row as the writers take it: column name → value, `null` where absent. Timestamps are epoch milliseconds (UTC),
 * integers are JS numbers (safe range), so mapping code never allocates Dates or BigInts per row.
 */
export type Row = Record<string, string | number | boolean | null>;

/** Athena/Hive type of a column, used by the schema reference and the Glue tables. */
export const athenaType: Record<ColumnType, string> = {
  timestamp: 'timestamp',
  int32: 'int',
  int64: 'bigint',
  double: 'double',
  boolean: 'boolean',
  string: 'string',
};

/** DuckDB type a reader sees for the Parquet column the writer produces. */
export const duckdbType: Record<ColumnType, string> = {
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  int32: 'INTEGER',
  int64: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
};

/** Athena type of a partition key; `dt` is a DATE, as DuckDB's hive_partitioning reads it, so SQL works in both. */
export const partitionAthenaType: Record<PartitionType, string> = { date: 'date', string: 'string' };

/** DuckDB type of a partition key in the local views: the same type the Glue table declares. */
export const partitionDuckdbType: Record<PartitionType, string> = { date: 'DATE', string: 'VARCHAR' };

/** A column definition; nullable unless said otherwise. */
export const column = (name: string, type: ColumnType, description: string, nullable = true): Column => ({
  name,
  type,
  nullable,
  description,
});

/** Builds a table definition, checking that rollup columns and the time column exist. */
export function defineTable(def: TableDef): TableDef {
  const names = new Set(def.columns.map((c) => c.name));
  if (names.size !== def.columns.length) throw new Error(`table ${def.name}: duplicate column names`);
  const rollupColumns = def.rollups.flatMap((r) => [...r.dimensions, ...Object.keys(r.where ?? {})]);
  for (const d of [...rollupColumns, def.timeColumn]) {
    if (!names.has(d)) throw new Error(`table ${def.name}: unknown column '${d}'`);
  }
  const rollupNames = def.rollups.map((r) => r.name);
  if (new Set(rollupNames).size !== rollupNames.length || rollupNames.some((n) => !/^[a-z][a-z0-9_]*$/.test(n))) {
    throw new Error(`table ${def.name}: rollup names must be unique lower-case identifiers`);
  }
  for (const p of def.partitionKeys) {
    if (names.has(p.name)) throw new Error(`table ${def.name}: partition key '${p.name}' is also a column`);
  }
  return def;
}

/** Columns every collected table ends with: provenance and everything the API sent that we do not model. */
export const provenanceColumns: readonly Column[] = [
  {
    name: 'extra',
    type: 'string',
    nullable: true,
    description: 'JSON object of fields the API sent that this table does not model (kept, never dropped).',
  },
  {
    name: 'ingested_at',
    type: 'timestamp',
    nullable: false,
    description: 'When inboxlake fetched the record (UTC).',
  },
];
