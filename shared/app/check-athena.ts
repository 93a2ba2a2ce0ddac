import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pMap from 'p-map';
import type { CatalogColumn, CatalogTable, LakeSqlEngine, ResultRow } from '../lake/athena';
import { createCsvWriter } from '../lake/csv-writer';
import type { LakeFormat } from '../lake/file-writer';
import { CHECK_PREFIX, fileKey, type PartitionValues } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import { createParquetWriter } from '../lake/parquet-writer';
import { athenaType, type Column, provenanceColumns, type Row, type TableDef } from '../lake/table';

/**
 * `inboxlake check-athena`: proves, once after a deploy, that Athena reads every deployed table the way the writers
 * wrote it. Per table, in the stack's workgroup: a count, min/max of the event time, a filter on the partition keys
 * (projection and pruning), a filter on a dictionary-encoded text column and one on a boolean column. Every statement
 * is derived from the table definition and the types the catalog declares, and uses only SQL that Athena (Trino) and
 * DuckDB share, so the same checks run over a local lake in the tests.
 *
 * A table without data yet is checked on a sample instead. The deployed table's location is the table's own prefix
 * (its partition projection template points there), so a file under `_check/` is not in it; rather than write into a
 * real partition (which a collector could be writing, and which a reader could see), the sample goes to
 * `_check/<table>/<partition>/` and a scratch table with the deployed table's exact columns, SerDe and projection,
 * moved to that prefix, reads it. The scratch table and the sample are removed in `finally`, whatever failed.
 */

export type CheckName = 'count' | 'event time' | 'partition filter' | 'text filter' | 'boolean filter' | 'sample';

export interface CheckResult {
  readonly table: string;
  /** `lake`: the deployed table's own rows; `sample`: the scratch table over the sample file. */
  readonly data: 'lake' | 'sample';
  readonly check: CheckName;
  readonly status: 'pass' | 'fail' | 'skip';
  /** What was found, or the engine's error text. */
  readonly detail: string;
}

export interface CheckAthenaDeps {
  readonly engine: LakeSqlEngine;
  /** The object store at the lake root (`s3://bucket`) the deployed tables live under. */
  readonly openStore: (lakeRoot: string) => Promise<ObjectStore>;
  /** The table definitions to look for in the catalog (default: every table of every source). */
  readonly tables: readonly TableDef[];
  readonly now: () => number;
  /** Tables checked at once; each runs its statements one after another. Default 4. */
  readonly concurrency?: number;
}

export interface CheckAthenaReport {
  readonly results: readonly CheckResult[];
  /** Table definitions the catalog does not hold (e.g. SocketLabs tables of a SendSage-only deployment). */
  readonly notDeployed: readonly string[];
}

/** Rows of a sample file: more than 16, so the writer RLE-encodes booleans as it does in real files. */
export const SAMPLE_ROWS = 24;
/** Name of the scratch table that reads a table's sample. */
export const scratchTableName = (table: string) => `inboxlake_check_${table}`;

/** Runs every check of every deployed table; never throws for a failed statement (it becomes a `fail` row). */
export async function checkAthena(deps: CheckAthenaDeps): Promise<CheckAthenaReport> {
  const catalog = new Map((await deps.engine.listTables()).map((t) => [t.name, t]));
  const deployed = deps.tables.filter((t) => catalog.has(t.name));
  const notDeployed = deps.tables.filter((t) => !catalog.has(t.name)).map((t) => t.name);
  if (deployed.length === 0) {
    return {
      results: [
        {
          table: '(database)',
          data: 'lake',
          check: 'count',
          status: 'fail',
          detail: "the database holds none of inboxlake's tables: wrong --database, or the stack is not deployed",
        },
      ],
      notDeployed,
    };
  }
  const perTable = await pMap(deployed, (t) => checkTable(t, catalog.get(t.name)!, deps), {
    concurrency: deps.concurrency ?? 4,
  });
  return { results: perTable.flat(), notDeployed };
}

/** Whether every check passed or was skipped. */
export const allPassed = (report: CheckAthenaReport) => report.results.every((r) => r.status !== 'fail');

async function checkTable(table: TableDef, deployed: CatalogTable, deps: CheckAthenaDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = (data: CheckResult['data'], check: CheckName, status: CheckResult['status'], detail: string) =>
    results.push({ table: table.name, data, check, status, detail });

  let rows: number;
  try {
    const [row] = await deps.engine.query(countSql(table.name));
    rows = Number(row?.n);
    if (!Number.isInteger(rows)) throw new Error(`count(*) returned '${row?.n}'`);
  } catch (err) {
    record('lake', 'count', 'fail', message(err));
    return results;
  }
  if (rows > 0) {
    record('lake', 'count', 'pass', `${rows} rows`);
    await runChecks(table, deployed, table.name, deps.engine, (c, s, d) => record('lake', c, s, d));
    return results;
  }
  record('lake', 'count', 'pass', '0 rows: checked on a sample');
  await withSample(table, deployed, deps, record);
  return results;
}

type Record_ = (check: CheckName, status: CheckResult['status'], detail: string) => void;

/** The checks after the count, on `name` (the table itself, or the scratch table over its sample). */
async function runChecks(
  table: TableDef,
  deployed: CatalogTable,
  name: string,
  engine: LakeSqlEngine,
  record: Record_,
) {
  let plan: CheckPlan | string;
  try {
    plan = checkPlan(table, deployed);
  } catch (err) {
    plan = message(err);
  }
  if (typeof plan === 'string') {
    record('event time', 'fail', plan);
    return;
  }
  const skipRest = (why: string) => {
    for (const c of ['partition filter', 'text filter', 'boolean filter'] as const) record(c, 'skip', why);
  };

  let latest: ResultRow;
  try {
    const [row] = await engine.query(timeSql(name, plan));
    const first = row?.first_time ?? null;
    const last = row?.last_time ?? null;
    if (first === null || last === null) throw new Error(`min/max(${plan.time.name}) returned NULL over rows`);
    latest = row!;
    record('event time', 'pass', `${first} … ${last}`);
  } catch (err) {
    record('event time', 'fail', message(err));
    skipRest('event time failed');
    return;
  }

  let where: string;
  let part: ResultRow;
  try {
    const values = plan.partitionKeys.map((k) => {
      const v = latest[k.name];
      if (v === null || v === undefined) throw new Error(`no ${k.name} for the latest row`);
      return [k, v] as const;
    });
    where = values.map(([k, v]) => `${sqlIdent(k.name)} = ${partitionLiteral(k, v)}`).join(' AND ');
    const [row] = await engine.query(partitionSql(name, plan, where));
    const n = Number(row?.n);
    if (!(n >= 1)) throw new Error(`${where} matched ${row?.n ?? 'no'} rows; the latest row is in that partition`);
    part = row!;
    record('partition filter', 'pass', `${values.map(([k, v]) => `${k.name}=${v}`).join('/')}: ${n} rows`);
  } catch (err) {
    record('partition filter', 'fail', message(err));
    skipRest('partition filter failed');
    return;
  }

  const value = part.text_value ?? null;
  if (value === null) {
    record('text filter', 'skip', `${plan.text.name} is NULL in every row of the partition`);
  } else {
    const filter = `${sqlIdent(plan.text.name)} = ${sqlString(value)}`;
    await attempt(record, 'text filter', async () => {
      const [row] = await engine.query(filteredCountSql(name, where, filter));
      const n = Number(row?.n);
      if (!(n >= 1)) throw new Error(`${filter} matched ${row?.n ?? 'no'} rows; the partition holds the value`);
      return `${filter}: ${n} rows`;
    });
  }

  if (!plan.boolean) {
    record('boolean filter', 'skip', 'the table has no boolean column');
  } else {
    const filter = `${plan.boolean.expr} = true`;
    const expected = Number(part.true_rows);
    await attempt(record, 'boolean filter', async () => {
      const [row] = await engine.query(filteredCountSql(name, where, filter));
      const n = Number(row?.n);
      if (n !== expected) throw new Error(`${filter} matched ${row?.n} rows, count_if counted ${part.true_rows}`);
      return `${plan.boolean!.name} = true: ${n} rows`;
    });
  }
}

/** Writes the sample, creates the scratch table, runs the checks on it, and removes both. */
async function withSample(
  table: TableDef,
  deployed: CatalogTable,
  deps: CheckAthenaDeps,
  record: (data: 'sample', check: CheckName, status: CheckResult['status'], detail: string) => void,
) {
  const scratch = scratchTableName(table.name);
  const keys: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'inboxlake-check-'));
  let store: ObjectStore | undefined;
  let touchedCatalog = false;
  try {
    const lakeRoot = lakeRootOf(deployed, table);
    store = await deps.openStore(lakeRoot);
    const format = formatOf(deployed);
    const values = samplePartition(table, deployed, deps.now());
    const key = `${CHECK_PREFIX}${fileKey('data', table, values, 'inboxlake-check', format)}`;
    const local = join(dir, `sample.${format}`);
    const writer = await (format === 'csv' ? createCsvWriter : createParquetWriter)(table, local);
    await writer.append(sampleRows(table, values, SAMPLE_ROWS));
    await writer.close();
    keys.push(key);
    await store.putFile(key, local, format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet');
    touchedCatalog = true;
    // A scratch table left by an interrupted run would have the old shape: replace it.
    await deps.engine.dropScratchTable(scratch);
    await deps.engine.createScratchTable(deployed, scratch, `${lakeRoot}/${CHECK_PREFIX}${table.name}/`);
    record('sample', 'sample', 'pass', `${SAMPLE_ROWS} rows in ${store.location}/${key}`);
  } catch (err) {
    record('sample', 'sample', 'fail', message(err));
    await cleanUp();
    return;
  }
  try {
    await checkSample(table, deployed, scratch, deps.engine, (c, s, d) => record('sample', c, s, d));
  } finally {
    await cleanUp();
  }

  async function cleanUp() {
    const problems: string[] = [];
    if (touchedCatalog) await deps.engine.dropScratchTable(scratch).catch((err) => problems.push(message(err)));
    if (store && keys.length) await store.delete(keys).catch((err) => problems.push(message(err)));
    await rm(dir, { recursive: true, force: true });
    if (problems.length) record('sample', 'sample', 'fail', `cleanup: ${problems.join('; ')}`);
  }
}

async function checkSample(
  table: TableDef,
  deployed: CatalogTable,
  scratch: string,
  engine: LakeSqlEngine,
  record: Record_,
) {
  let rows: number;
  try {
    const [row] = await engine.query(countSql(scratch));
    rows = Number(row?.n);
    if (rows !== SAMPLE_ROWS) throw new Error(`count(*) over the sample returned ${row?.n}, expected ${SAMPLE_ROWS}`);
  } catch (err) {
    record('count', 'fail', message(err));
    return;
  }
  record('count', 'pass', `${rows} rows`);
  await runChecks(table, deployed, scratch, engine, record);
}

async function attempt(record: Record_, check: CheckName, fn: () => Promise<string>) {
  try {
    record(check, 'pass', await fn());
  } catch (err) {
    record(check, 'fail', message(err));
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

// ---------------------------------------------------------------------------------------------------------------
// What to check, from the table definition and the catalog's types

interface CheckPlan {
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
function checkPlan(table: TableDef, deployed: CatalogTable): CheckPlan | string {
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

function timeSql(name: string, plan: CheckPlan): string {
  const t = plan.time.expr;
  const latest = plan.partitionKeys.map((k) => `max_by(${sqlIdent(k.name)}, ${t}) AS ${sqlIdent(k.name)}`);
  return `SELECT ${[`min(${t}) AS first_time`, `max(${t}) AS last_time`, ...latest].join(', ')} FROM ${sqlIdent(name)}`;
}

function partitionSql(name: string, plan: CheckPlan, where: string): string {
  const cols = [
    'count(*) AS n',
    `min(${sqlIdent(plan.text.name)}) AS text_value`,
    ...(plan.boolean ? [`count_if(${plan.boolean.expr}) AS true_rows`] : []),
  ];
  return `SELECT ${cols.join(', ')} FROM ${sqlIdent(name)} WHERE ${where}`;
}

const filteredCountSql = (name: string, where: string, filter: string) =>
  `SELECT count(*) AS n FROM ${sqlIdent(name)} WHERE ${where} AND ${filter}`;

/** A SQL string literal, as Trino and DuckDB both read it. */
const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** A quoted identifier, as Trino and DuckDB both read it. */
const sqlIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------------------------
// The sample

/** `s3://bucket` from a deployed table's location `s3://bucket/<table>/` (the layout puts tables at the lake root). */
export function lakeRootOf(deployed: CatalogTable, table: TableDef): string {
  const location = (deployed.parameters.location ?? '').replace(/\/+$/, '');
  const suffix = `/${table.name}`;
  if (!location.endsWith(suffix)) {
    throw new Error(`table ${table.name}: location '${location}' is not <lake root>/${table.name}/`);
  }
  return location.slice(0, -suffix.length);
}

function formatOf(deployed: CatalogTable): LakeFormat {
  const p = deployed.parameters;
  if (p.classification === 'csv' || p.classification === 'parquet') return p.classification;
  return /parquet/i.test(p['serde.serialization.lib'] ?? '') ? 'parquet' : 'csv';
}

/**
 * The sample's partition: today (UTC), inside every `date` projection's range (which ends at NOW+1DAYS), and the
 * first value of every enum projection, so the scratch table's copy of the projection finds it.
 */
function samplePartition(table: TableDef, deployed: CatalogTable, now: number): PartitionValues {
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
