import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValueConverter,
  type JS,
  JSDuckDBValueConverter,
} from '@duckdb/node-api';
import * as z from 'zod';
import { ConfigError } from '../core/errors';
import { csvTextDecodedSql } from './csv-dialect';
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

/** SQL given to `inboxlake query` that is not a read (COPY, ATTACH, CREATE, SET, INSTALL…): refused before it runs. */
export class ReadOnlyQueryError extends ConfigError {
  override name = 'ReadOnlyQueryError';
}

/** SQL given to `inboxlake query` that DuckDB cannot parse; the message is DuckDB's. */
export class QuerySyntaxError extends ConfigError {
  override name = 'QuerySyntaxError';
}

/**
 * Opens an in-memory DuckDB with one view per table over the lake folder's Parquet (or CSV) files, read-only and
 * confined to the lake: DuckDB may open files under the lake folder only (`allowed_directories` with
 * `enable_external_access = false`: no other file, no extension install or load, no ATTACH elsewhere), the settings
 * are locked once the views exist, and `run` accepts SELECT statements only — inside the lake folder DuckDB could
 * still write (COPY … TO, ATTACH, EXPORT), so statements are checked by DuckDB's own parser before any runs.
 */
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
    // The trailing separator keeps a sibling folder sharing the prefix (lake2/ beside lake/) out.
    await connection.run(`SET allowed_directories = [${sqlString(lakeDir.endsWith(sep) ? lakeDir : lakeDir + sep)}]`);
    await connection.run('SET enable_external_access = false');
    for (const table of options.tables) {
      const sql = await viewSql(lakeDir, table);
      try {
        await connection.run(sql);
      } catch (err) {
        // Binding the view reads every file's footer: a stray or truncated file fails here. Only this table's
        // queries fail then, with DuckDB's reason (which names the file); every other table stays readable.
        await connection.run(unreadableViewSql(table, `table ${table.name} cannot be read: ${firstLine(err)}`));
      }
    }
    await connection.run('SET lock_configuration = true');
  } catch (err) {
    close();
    throw err;
  }
  return {
    async run(sql) {
      await assertSelectOnly(connection, sql);
      // Several statements run in order; the last one's rows are the answer.
      const statements = await connection.extractStatements(sql);
      let reader: DuckDBResultReader | undefined;
      for (let i = 0; i < statements.count; i++) reader = await (await statements.prepare(i)).runAndReadAll();
      if (!reader) throw new ConfigError('no SQL statement given');
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
    // Text back as the writer was given it (line breaks and U+0000 are spelled out in the file: csv-dialect.ts).
    const texts = table.columns.filter((c) => c.type === 'string').map((c) => sqlIdent(c.name));
    const decoded = texts.length ? ` REPLACE (${texts.map((c) => `${csvTextDecodedSql(c)} AS ${c}`).join(', ')})` : '';
    source =
      `SELECT *${decoded} FROM read_csv(${sqlString(`${dir}/**/*.csv`)}, header = true, delim = ',', quote = '"', ` +
      `escape = '"', columns = ${columns}, timestampformat = ${sqlString(CSV_TIMESTAMP_FORMAT)}, ` +
      // The CSV writer quotes empty strings, so only an unquoted empty field is NULL.
      `allow_quoted_nulls = false, hive_partitioning = true, union_by_name = true, hive_types = ${hiveTypes})`;
  } else {
    // No files yet: typed columns and no rows, so queries work (and count 0) before the first collection.
    source = `SELECT ${typedNullColumns(table)} WHERE false`;
  }
  return `CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS ${source}`;
}

/** `CAST(NULL AS type) AS name, …` for every column and partition key of a table. */
function typedNullColumns(table: TableDef): string {
  return [
    ...table.columns.map((c) => `CAST(NULL AS ${duckdbType[c.type]}) AS ${sqlIdent(c.name)}`),
    ...table.partitionKeys.map((p) => `CAST(NULL AS ${partitionDuckdbType[p.type]}) AS ${sqlIdent(p.name)}`),
  ].join(', ');
}

/**
 * A view with the table's columns that raises `message` when a query reads it: DESCRIBE still works, and the
 * error is evaluated at query time (error() is never folded into a constant), not when the view is created.
 */
function unreadableViewSql(table: TableDef, message: string): string {
  return `CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS SELECT ${typedNullColumns(table)} WHERE error(${sqlString(message)}) IS NULL`;
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

// What DuckDB's json_serialize_sql answers: the parsed statements, or why it could not serialize them.
const serializedSqlSchema = z.union([
  z.object({ error: z.literal(false) }),
  z.object({ error: z.literal(true), error_type: z.string(), error_message: z.string() }),
]);

/**
 * Refuses SQL holding anything but SELECT statements (DESCRIBE, SHOW, SUMMARIZE and FROM-first are SELECTs to
 * DuckDB). json_serialize_sql parses without binding or running — preparing a statement is not enough, binding an
 * EXPORT DATABASE already creates its folder — and serializes SELECT statements only.
 */
async function assertSelectOnly(connection: DuckDBConnection, sql: string): Promise<void> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`);
  const parsed = serializedSqlSchema.parse(JSON.parse(String(reader.getRows()[0]?.[0])));
  if (!parsed.error) return;
  if (parsed.error_type === 'parser') throw new QuerySyntaxError(`Parser Error: ${parsed.error_message}`);
  throw new ReadOnlyQueryError(
    'inboxlake query runs SELECT statements only (also DESCRIBE, SHOW, SUMMARIZE); the lake is read-only here',
  );
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
