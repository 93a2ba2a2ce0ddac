import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { formatOf } from '../../shared/app/check-athena-sample';
import type { CatalogTable } from '../../shared/lake/athena';
import { sqlIdent, sqlString } from '../../shared/lake/query';

/**
 * DuckDB standing in for Athena in the check-athena tests. It is its own writable in-memory database, not
 * openLakeQuery: the check creates and drops scratch tables, and the lake query is read-only on purpose (it refuses
 * every statement but SELECT). Each table is a view that reads a local folder the way its catalog entry declares it —
 * the catalog's column types (on CSV every column a string, an empty field '' as the Open CSV SerDe reads it) and
 * partition keys of the catalog's types — so a statement that needs a type Athena would not give fails here too.
 */
export interface DuckdbAthena {
  /** Creates (or replaces) view `name` over the files under `dir`, typed as `table` is in the catalog. */
  createTable(table: CatalogTable, name: string, dir: string): Promise<void>;
  /** Drops a view made by createTable; a missing one is not an error. */
  dropTable(name: string): Promise<void>;
  /** Runs one statement; values as text (as Athena returns them), null for SQL NULL. */
  run(sql: string): Promise<{ columns: string[]; rows: (string | null)[][] }>;
  close(): void;
}

/** Opens the stand-in with one view per catalog table over `<lakeDir>/<table>/`. */
export async function openDuckdbAthena(lakeDir: string, catalog: readonly CatalogTable[]): Promise<DuckdbAthena> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const self: DuckdbAthena = {
    async createTable(table, name, dir) {
      await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${await catalogSelect(table, dir)}`);
    },
    async dropTable(name) {
      await connection.run(`DROP VIEW IF EXISTS ${sqlIdent(name)}`);
    },
    async run(sql) {
      const reader = await connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        rows: reader.getRows().map((r) => r.map(athenaText)),
      };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const t of catalog) await self.createTable(t, t.name, join(lakeDir, t.name));
  } catch (err) {
    self.close();
    throw err;
  }
  return self;
}

/** DuckDB's type for a Glue (Hive) type name the stack declares (unknown names fail loudly). */
const duckdbOfCatalog: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

export function duckdbType(catalogType: string): string {
  const t = duckdbOfCatalog[catalogType];
  if (!t) throw new Error(`no DuckDB type for catalog type '${catalogType}'`);
  return t;
}

/** A SELECT reading `dir` as the catalog declares `table`; typed columns and no rows while `dir` holds no file. */
async function catalogSelect(table: CatalogTable, dir: string): Promise<string> {
  const format = formatOf(table);
  const keys = table.partitionKeys;
  if (!(await holdsFile(dir, `.${format}`))) {
    const columns = [...table.columns, ...keys].map(
      (c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`,
    );
    return `SELECT ${columns.join(', ')} WHERE false`;
  }
  const hiveTypes = `{${keys.map((k) => `${sqlString(k.name)}: ${duckdbType(k.type)}`).join(', ')}}`;
  const source =
    format === 'parquet'
      ? `read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = true, union_by_name = true, ` +
        `hive_types = ${hiveTypes})`
      : // The Open CSV SerDe reads every field as a string and an empty one as '' (never NULL): no null string here.
        `read_csv(${sqlString(`${dir}/**/*.csv`)}, header = true, delim = ',', quote = '"', escape = '"', ` +
        `all_varchar = true, allow_quoted_nulls = false, nullstr = chr(1), hive_partitioning = true, ` +
        `hive_types = ${hiveTypes})`;
  const columns = [
    ...table.columns.map((c) => `CAST(${sqlIdent(c.name)} AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`),
    ...keys.map((k) => sqlIdent(k.name)),
  ];
  return `SELECT ${columns.join(', ')} FROM ${source}`;
}

async function holdsFile(dir: string, extension: string): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  return entries.some((e) => e.isFile() && e.name.endsWith(extension));
}

/** A value as Athena's result text: DuckDB's own rendering (dates `YYYY-MM-DD`, booleans `true`), null for NULL. */
function athenaText(value: DuckDBValue): string | null {
  return value === null ? null : String(value);
}
