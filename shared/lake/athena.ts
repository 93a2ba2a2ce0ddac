import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListTableMetadataCommand,
  type ListTableMetadataCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type TableMetadata,
} from '@aws-sdk/client-athena';
import { InboxlakeError } from '../core/errors';

/**
 * Athena as the deployed lake's SQL engine: statements run in one workgroup against one Glue database, results come
 * back as text (as Athena returns them), and the catalog is read through Athena's own ListTableMetadata, so nothing
 * beyond @aws-sdk/client-athena (no Glue client) is needed.
 */

/** A table as the catalog declares it: Athena/Hive types, and the table parameters Athena reports. */
export interface CatalogTable {
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  readonly partitionKeys: readonly CatalogColumn[];
  /**
   * Table properties plus the storage descriptor, flattened by Athena into `location`, `inputformat`,
   * `outputformat`, `serde.serialization.lib` and `serde.param.<name>`.
   */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
}

/** One result row: column name → Athena's text rendering of the value, null for SQL NULL. */
export type ResultRow = Readonly<Record<string, string | null>>;

/** What the Athena check needs from a SQL engine; Athena in production, DuckDB over a local lake in tests. */
export interface LakeSqlEngine {
  /** Every table of the database. */
  listTables(): Promise<CatalogTable[]>;
  /** Runs a SELECT and returns its rows. */
  query(sql: string): Promise<ResultRow[]>;
  /** Creates a table shaped like `like` (columns, partitions, format, projection) whose data lives at `location`. */
  createScratchTable(like: CatalogTable, name: string, location: string): Promise<void>;
  /** Drops a table made by createScratchTable (its files are not touched); a missing table is not an error. */
  dropScratchTable(name: string): Promise<void>;
}

/** A statement Athena did not run to success; the message is Athena's own reason (no credentials in it). */
export class AthenaQueryError extends InboxlakeError {
  override name = 'AthenaQueryError';
  constructor(
    message: string,
    readonly state: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The database's tables could not be listed: no credentials or region, no access, or no such database. */
export class CatalogReadError extends InboxlakeError {
  override name = 'CatalogReadError';
}

export interface AthenaEngineOptions {
  readonly workGroup: string;
  readonly database: string;
  /** Default `AwsDataCatalog`, where CDK's Glue tables are. */
  readonly catalog?: string;
  /** First poll delay; it doubles up to 2 s. Default 250 ms. */
  readonly pollMs?: number;
  /** A statement still running after this long is stopped and fails. Default 5 minutes. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The Athena engine: statements run in the given workgroup with the database as their default schema. */
export function athenaEngine(client: AthenaClient, options: AthenaEngineOptions): LakeSqlEngine {
  const catalog = options.catalog ?? 'AwsDataCatalog';
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;

  /** Runs a statement to completion; returns its execution id. */
  const execute = async (sql: string): Promise<string> => {
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: options.workGroup,
        QueryExecutionContext: { Catalog: catalog, Database: options.database },
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError('Athena returned no query execution id', 'UNKNOWN');
    const deadline = now() + timeoutMs;
    let delay = options.pollMs ?? 250;
    for (;;) {
      const { QueryExecution: q } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State ?? 'UNKNOWN';
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new AthenaQueryError(reason, state);
      }
      if (now() >= deadline) {
        try {
          await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        } catch {
          // Best effort: the timeout is reported either way, and the workgroup's scan cap still bounds the query.
        }
        throw new AthenaQueryError(`still ${state} after ${Math.round(timeoutMs / 1000)} s; stopped`, 'TIMEOUT');
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  };

  return {
    async listTables() {
      const tables: CatalogTable[] = [];
      let token: string | undefined;
      do {
        let page: ListTableMetadataCommandOutput;
        try {
          page = await client.send(
            new ListTableMetadataCommand({
              CatalogName: catalog,
              DatabaseName: options.database,
              MaxResults: 50,
              NextToken: token,
            }),
          );
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new CatalogReadError(`cannot list the tables of ${catalog}.${options.database} in Athena: ${why}`, {
            cause: err,
          });
        }
        for (const t of page.TableMetadataList ?? []) tables.push(fromTableMetadata(t));
        token = page.NextToken;
      } while (token);
      return tables;
    },

    async query(sql) {
      const id = await execute(sql);
      const rows: ResultRow[] = [];
      let names: string[] | undefined;
      let token: string | undefined;
      do {
        const page = await client.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: token }),
        );
        const data = page.ResultSet?.Rows ?? [];
        let start = 0;
        if (!names) {
          names = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
          // A SELECT's first result row repeats the column names.
          start = 1;
        }
        for (let i = start; i < data.length; i++) {
          const cells = data[i]!.Data ?? [];
          rows.push(Object.fromEntries(names.map((n, c) => [n, cells[c]?.VarCharValue ?? null])));
        }
        token = page.NextToken;
      } while (token);
      return rows;
    },

    async createScratchTable(like, name, location) {
      await execute(scratchTableDdl(like, name, location));
    },

    async dropScratchTable(name) {
      await execute(`DROP TABLE IF EXISTS \`${hiveIdent(name)}\``);
    },
  };
}

/** A table as ListTableMetadata reports it, in the check's shape (type names lower-cased, as Glue stores them). */
export function fromTableMetadata(t: TableMetadata): CatalogTable {
  const cols = (list: TableMetadata['Columns']) =>
    (list ?? []).map((c) => ({ name: c.Name ?? '', type: (c.Type ?? '').toLowerCase() }));
  return {
    name: t.Name ?? '',
    columns: cols(t.Columns),
    partitionKeys: cols(t.PartitionKeys),
    parameters: { ...(t.Parameters ?? {}) },
  };
}

/** Table properties a scratch copy keeps: how partitions are found and how the files are read. */
const keptProperty = (key: string) =>
  key.startsWith('projection.') || key === 'classification' || key === 'skip.header.line.count';

/**
 * `CREATE EXTERNAL TABLE` for a table shaped exactly like a deployed one (same column and partition types, SerDe,
 * formats and partition projection) but reading `location`: the deployed table's location template is moved there,
 * so the same projection finds the same partition folders under the new root.
 */
export function scratchTableDdl(like: CatalogTable, name: string, location: string): string {
  const p = like.parameters;
  const from = required(p, 'location', like.name);
  const serde = required(p, 'serde.serialization.lib', like.name);
  const input = required(p, 'inputformat', like.name);
  const output = required(p, 'outputformat', like.name);
  const props: [string, string][] = Object.entries(p).filter(([k]) => keptProperty(k));
  const template = p['storage.location.template'];
  if (template !== undefined) {
    const base = withSlash(from);
    if (!template.startsWith(base)) {
      throw new AthenaQueryError(
        `table ${like.name}: location template ${template} is not under its location ${from}`,
        'INVALID',
      );
    }
    props.push(['storage.location.template', withSlash(location) + template.slice(base.length)]);
  }
  const serdeProps = Object.entries(p)
    .filter(([k]) => k.startsWith('serde.param.'))
    .map(([k, v]) => `${hiveString(k.slice('serde.param.'.length))}=${hiveString(v)}`);
  const columnList = (cols: readonly CatalogColumn[]) =>
    cols.map((c) => `\`${hiveIdent(c.name)}\` ${hiveType(c.type)}`).join(', ');
  return [
    `CREATE EXTERNAL TABLE \`${hiveIdent(name)}\` (${columnList(like.columns)})`,
    ...(like.partitionKeys.length ? [`PARTITIONED BY (${columnList(like.partitionKeys)})`] : []),
    `ROW FORMAT SERDE ${hiveString(serde)}`,
    ...(serdeProps.length ? [`WITH SERDEPROPERTIES (${serdeProps.join(', ')})`] : []),
    `STORED AS INPUTFORMAT ${hiveString(input)} OUTPUTFORMAT ${hiveString(output)}`,
    `LOCATION ${hiveString(withSlash(location))}`,
    ...(props.length
      ? [`TBLPROPERTIES (${props.map(([k, v]) => `${hiveString(k)}=${hiveString(v)}`).join(', ')})`]
      : []),
  ].join('\n');
}

const withSlash = (s: string) => (s.endsWith('/') ? s : `${s}/`);

function required(p: Readonly<Record<string, string>>, key: string, table: string): string {
  const v = p[key];
  if (!v) throw new AthenaQueryError(`table ${table}: Athena reports no '${key}'`, 'INVALID');
  return v;
}

/**
 * A Hive DDL string literal (single quotes; backslash escapes, as Hive reads them). Control characters are written as
 * Hive's `\uXXXX` escape (HIVE-4618) rather than raw: the CSV tables' escape char is U+0000 (csv-dialect.ts), and a
 * raw NUL inside a statement is at the mercy of every layer it passes through.
 */
function hiveString(value: string): string {
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${escaped}'`;
}

/** Names are ours or the catalog's ([a-z0-9_]); anything else is refused rather than escaped. */
function hiveIdent(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new AthenaQueryError(`unexpected identifier '${name}'`, 'INVALID');
  return name;
}

/** Catalog types are Hive type names (`string`, `bigint`, `array<string>`…); only simple names are expected here. */
function hiveType(type: string): string {
  if (!/^[a-z0-9_(), <>]+$/.test(type)) throw new AthenaQueryError(`unexpected column type '${type}'`, 'INVALID');
  return type;
}
