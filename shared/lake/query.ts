import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValueConverter,
  type JS,
  JSDuckDBValueConverter,
} from '@duckdb/node-api';
import { CSV_TIMESTAMP_FORMAT } from './csv-writer';
import { isTempFileName } from './local-store';
import { duckdbType, partitionDuckdbType, type TableDef } from './table';

export interface LakeQueryOptions {
  /** Local lake folder (tables are its top-level folders). */
  readonly lakeDir: string;
  readonly tables: readonly TableDef[];
}

export interface QueryResult {
  readonly columns: { name: string; type: string }[];
  /** Values as JSON-friendly JS: numbers (BIGINT beyond 2^53 as strings), ISO timestamps, `YYYY-MM-DD` dates. */
  readonly rows: unknown[][];
}

export interface LakeQuery {
  run(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** Opens an in-memory DuckDB with one view per table over the lake folder's Parquet (or CSV) files. */
export async function openLakeQuery(options: LakeQueryOptions): Promise<LakeQuery> {
  const lakeDir = resolve(options.lakeDir);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run("SET TimeZone='UTC'");
    for (const table of options.tables) {
      await connection.run(await viewSql(lakeDir, table));
    }
  } catch (err) {
    close();
    throw err;
  }
  return {
    async run(sql) {
      const reader = await connection.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, type: types[i]!.toString() })),
        rows: reader.convertRows(toPlain),
      };
    },
    async close() {
      close();
    },
  };
}

/** The CREATE VIEW statement for a table, chosen by which files its folder holds right now. */
export async function viewSql(lakeDir: string, table: TableDef): Promise<string> {
  const dir = join(lakeDir, table.name);
  const { parquet, csv } = await findDataFiles(dir);
  const hiveTypes = `{${table.partitionKeys.map((p) => `${sqlString(p.name)}: ${partitionDuckdbType[p.type]}`).join(', ')}}`;
  let source: string;
  if (parquet) {
    source =
      `SELECT * FROM read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = true, ` +
      `union_by_name = true, hive_types = ${hiveTypes})`;
  } else if (csv) {
    const columns = `{${table.columns.map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType[c.type])}`).join(', ')}}`;
    source =
      `SELECT * FROM read_csv(${sqlString(`${dir}/**/*.csv`)}, header = true, delim = ',', quote = '"', ` +
      `escape = '"', columns = ${columns}, timestampformat = ${sqlString(CSV_TIMESTAMP_FORMAT)}, ` +
      // The CSV writer quotes empty strings, so only an unquoted empty field is NULL.
      `allow_quoted_nulls = false, hive_partitioning = true, union_by_name = true, hive_types = ${hiveTypes})`;
  } else {
    // No files yet: typed columns and no rows, so queries work (and count 0) before the first collection.
    const columns = [
      ...table.columns.map((c) => `CAST(NULL AS ${duckdbType[c.type]}) AS ${sqlIdent(c.name)}`),
      ...table.partitionKeys.map((p) => `CAST(NULL AS ${partitionDuckdbType[p.type]}) AS ${sqlIdent(p.name)}`),
    ];
    source = `SELECT ${columns.join(', ')} WHERE false`;
  }
  return `CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS ${source}`;
}

async function findDataFiles(dir: string): Promise<{ parquet: boolean; csv: boolean }> {
  const found = { parquet: false, csv: false };
  const visit = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (found.parquet) return;
      if (e.isDirectory()) await visit(join(d, e.name));
      else if (e.isFile() && !isTempFileName(e.name)) {
        if (e.name.endsWith('.parquet')) found.parquet = true;
        else if (e.name.endsWith('.csv')) found.csv = true;
      }
    }
  };
  await visit(dir);
  return found;
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL quoted identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const toPlain: DuckDBValueConverter<unknown> = (value, type, converter) => {
  if (value === null) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return isoFromMicros(value.micros);
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(value.millis * 1000n);
  if (value instanceof DuckDBTimestampSecondsValue) return isoFromMicros(value.seconds * 1_000_000n);
  if (value instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(value.nanos / 1000n);
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  return JSDuckDBValueConverter(value, type, converter as unknown as DuckDBValueConverter<JS>);
};

/** ISO 8601 UTC with milliseconds, or microseconds when the value has them. */
function isoFromMicros(micros: bigint): string {
  let ms = micros / 1000n;
  let sub = micros % 1000n;
  if (sub < 0n) {
    ms -= 1n;
    sub += 1000n;
  }
  const date = new Date(Number(ms));
  // ±infinity and values beyond Date's range: DuckDB's own rendering is the only faithful one.
  if (Number.isNaN(date.getTime())) return micros.toString();
  const iso = date.toISOString();
  return sub === 0n ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}
