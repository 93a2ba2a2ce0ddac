import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pMap from 'p-map';
import type { CatalogTable, LakeSqlEngine, ResultRow } from '../lake/athena';
import { CHECK_PREFIX, fileKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import type { TableDef } from '../lake/table';
import { formatOf, lakeRootOf, samplePartition, sampleRows } from './check-athena-sample';
import {
  type CheckPlan,
  checkPlan,
  countSql,
  filteredCountSql,
  partitionLiteral,
  partitionSql,
  sqlIdent,
  sqlString,
  timeSql,
} from './check-athena-sql';
import { fileWriters } from './lake';

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

/**
 * Rows of a sample file: enough that every text column repeats its values (so the writer dictionary-encodes it, as
 * in real files) and a boolean filter has both values to tell apart (half true).
 */
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

type RecordCheck = (check: CheckName, status: CheckResult['status'], detail: string) => void;

/** The checks after the count, on `name` (the table itself, or the scratch table over its sample). */
async function runChecks(
  table: TableDef,
  deployed: CatalogTable,
  name: string,
  engine: LakeSqlEngine,
  record: RecordCheck,
) {
  let plan: CheckPlan | string;
  try {
    plan = checkPlan(table, deployed);
  } catch (err) {
    plan = message(err);
  }
  const skipRest = (why: string) => {
    for (const c of ['partition filter', 'text filter', 'boolean filter'] as const) record(c, 'skip', why);
  };
  if (typeof plan === 'string') {
    record('event time', 'fail', plan);
    skipRest('the table does not match its definition');
    return;
  }

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
    const writer = await fileWriters[format](table, local);
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
  record: RecordCheck,
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

async function attempt(record: RecordCheck, check: CheckName, fn: () => Promise<string>) {
  try {
    record(check, 'pass', await fn());
  } catch (err) {
    record(check, 'fail', message(err));
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
