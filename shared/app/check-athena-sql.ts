import type { CatalogColumn, CatalogTable } from '../lake/athena';
import { athenaType, type Column, provenanceColumns, type TableDef } from '../lake/table';

/**
 * What check-athena checks, from a table's definition and the types its catalog declares, and the statements that
 * check it: only SQL that Athena (Trino) and DuckDB both read, so a test runs every statement over a local lake.
 */

export interface CheckPlan {
  readonly time: { name: string; expr: string };
  readonly partitionKeys: readonly CatalogColumn[];
  readonly text: { name: string };
  readonly boolean: { name: string; expr: string } | null;
}

/**
 * The columns each check reads. Text: hyparquet-writer dictionary-encodes a column chunk by its data (distinct bytes
 * at most half of all), so the definition cannot name "the" dictionary column; the rollup dimensions are the columns
 * it declares low-cardinality (grouped by), so they are the ones dictionary-encoded in real files. The sample repeats
 * every value, so every text column of a sample is dictionary-encoded.
 */
export function checkColumns(table: TableDef): { time: Column; text: Column; boolean: Column | null } {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const provenance = new Set(provenanceColumns.map((c) => c.name));
  // How many rollups group or filter by a column: the more, the surer it is low-cardinality (failure_type_name, in
  // three, over to_address, in one).
  const grouped = (name: string) =>
    table.rollups.filter((r) => r.dimensions.includes(name) || Object.hasOwn(r.where ?? {}, name)).length;
  const texts = table.columns.filter((c) => c.type === 'string' && !provenance.has(c.name));
  const ranked = texts.filter((c) => grouped(c.name) > 0).sort((a, b) => grouped(b.name) - grouped(a.name));
  const text = ranked[0] ?? texts[0] ?? table.columns.find((c) => c.type === 'string') ?? null;
  if (!text) throw new Error(`table ${table.name}: no text column`);
  return {
    time: byName.get(table.timeColumn)!,
    text,
    boolean: table.columns.find((c) => c.type === 'boolean') ?? null,
  };
}

/** The plan, or why the deployed table cannot be checked (a column the definition has is missing from it). */
export function checkPlan(table: TableDef, deployed: CatalogTable): CheckPlan | string {
  const cols = checkColumns(table);
  const types = new Map(deployed.columns.map((c) => [c.name, c.type]));
  for (const c of [cols.time, cols.text, cols.boolean]) {
    if (c && !types.has(c.name)) return `column ${c.name} is not in the deployed table`;
  }
  const keys = table.partitionKeys.map((k) => deployed.partitionKeys.find((d) => d.name === k.name));
  if (keys.some((k) => !k)) return `partition keys ${table.partitionKeys.map((k) => k.name)} are not all deployed`;
  return {
    time: { name: cols.time.name, expr: valueExpr(cols.time, types.get(cols.time.name)!) },
    partitionKeys: keys as CatalogColumn[],
    text: { name: cols.text.name },
    boolean: cols.boolean
      ? { name: cols.boolean.name, expr: valueExpr(cols.boolean, types.get(cols.boolean.name)!) }
      : null,
  };
}

/**
 * A column as its modelled type. CSV tables declare every column `string` (the Open CSV SerDe), so those are cast:
 * CAST where a value is guaranteed (a failure is then Athena's error text), TRY_CAST where the SerDe reads the
 * writer's null as '' (which CAST would reject).
 */
function valueExpr(column: Column, deployedType: string): string {
  const ident = sqlIdent(column.name);
  const modelled = athenaType[column.type];
  if (deployedType === modelled || deployedType !== 'string') return ident;
  return `${column.nullable ? 'TRY_CAST' : 'CAST'}(${ident} AS ${modelled})`;
}

/**
 * A partition value as a literal of the type the catalog declares: `DATE '2026-11-20'` for a date key, a quoted
 * string for a string key (`server_id = '1234'`: enum projection serves string keys), a bare number only where the
 * catalog still declares an integer key (Trino compares varchar with integer in neither direction).
 */
export function partitionLiteral(key: CatalogColumn, value: string): string {
  if (key.type === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`${key.name}: '${value}' is not a date`);
    return `DATE ${sqlString(value)}`;
  }
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(key.type)) {
    if (!/^-?\d+$/.test(value)) throw new Error(`${key.name}: '${value}' is not an integer`);
    return value;
  }
  return sqlString(value);
}

export const countSql = (name: string) => `SELECT count(*) AS n FROM ${sqlIdent(name)}`;

export function timeSql(name: string, plan: CheckPlan): string {
  const t = plan.time.expr;
  const latest = plan.partitionKeys.map((k) => `max_by(${sqlIdent(k.name)}, ${t}) AS ${sqlIdent(k.name)}`);
  return `SELECT ${[`min(${t}) AS first_time`, `max(${t}) AS last_time`, ...latest].join(', ')} FROM ${sqlIdent(name)}`;
}

export function partitionSql(name: string, plan: CheckPlan, where: string): string {
  const cols = [
    'count(*) AS n',
    `min(${sqlIdent(plan.text.name)}) AS text_value`,
    ...(plan.boolean ? [`count_if(${plan.boolean.expr}) AS true_rows`] : []),
  ];
  return `SELECT ${cols.join(', ')} FROM ${sqlIdent(name)} WHERE ${where}`;
}

export const filteredCountSql = (name: string, where: string, filter: string) =>
  `SELECT count(*) AS n FROM ${sqlIdent(name)} WHERE ${where} AND ${filter}`;

/** A SQL string literal, as Trino and DuckDB both read it. */
export const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** A quoted identifier, as Trino and DuckDB both read it. */
export const sqlIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
