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

export type PartitionType = 'date' | 'int64' | 'string';

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
  /** Columns the per-window rollup counts by (besides the event hour); null: the table has no rollup. */
  readonly rollupDimensions: readonly string[] | null;
  /** The column holding the event time the rollup hours and the `dt` partition come from. */
  readonly timeColumn: string;
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

/** A column definition; nullable unless said otherwise. */
export const column = (name: string, type: ColumnType, description: string, nullable = true): Column => ({
  name,
  type,
  nullable,
  description,
});

/** Builds a table definition, checking that rollup dimensions and the time column exist. */
export function defineTable(def: TableDef): TableDef {
  const names = new Set(def.columns.map((c) => c.name));
  if (names.size !== def.columns.length) throw new Error(`table ${def.name}: duplicate column names`);
  for (const d of [...(def.rollupDimensions ?? []), def.timeColumn]) {
    if (!names.has(d)) throw new Error(`table ${def.name}: unknown column '${d}'`);
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
