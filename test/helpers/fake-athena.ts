import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListTableMetadataCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type TableMetadata,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { fromTableMetadata } from '../../shared/lake/athena';
import type { ObjectStore } from '../../shared/lake/object-store';
import { openDuckdbAthena } from './duckdb-athena';

export interface FakeAthenaOptions {
  /** Local lake folder DuckDB answers SELECTs from (the deployed tables' data). */
  readonly lakeDir: string;
  /** What ListTableMetadata returns (see athenaTableMetadata). */
  readonly tables: readonly TableMetadata[];
  /** Where the check uploads its samples: a CREATE EXTERNAL TABLE over `_check/` copies them from here first. */
  readonly samples?: ObjectStore;
  /** Athena's StateChangeReason for statements that should FAIL; undefined lets the statement run. */
  readonly fail?: (sql: string) => string | undefined;
  /** States GetQueryExecution reports before the final one (default one RUNNING poll). */
  readonly pending?: (sql: string) => number;
  /** Rows per GetQueryResults page and tables per ListTableMetadata page (default 2: pagination is exercised). */
  readonly pageSize?: number;
}

export interface StartedStatement {
  readonly sql: string;
  readonly workGroup: string | undefined;
  readonly database: string | undefined;
  readonly catalog: string | undefined;
}

/**
 * A fake Athena behind aws-sdk-client-mock: StartQueryExecution runs SELECTs in DuckDB over a local lake read as the
 * catalog types it (duckdb-athena.ts) and answers in Athena's shapes (QUEUED/RUNNING then SUCCEEDED or FAILED with a
 * StateChangeReason; results as text with the header row first, paged with NextToken). CREATE EXTERNAL TABLE …
 * LOCATION 's3://…/_check/<table>/' and DROP TABLE become DuckDB views over the uploaded sample.
 */
export async function fakeAthena(options: FakeAthenaOptions) {
  const mock = mockClient(AthenaClient);
  const catalog = options.tables.map(fromTableMetadata);
  const db = await openDuckdbAthena(options.lakeDir, catalog);
  const pageSize = options.pageSize ?? 2;
  const started: StartedStatement[] = [];
  const stopped: string[] = [];
  /** Sample keys a CREATE EXTERNAL TABLE found (and copied) under `_check/`. */
  const samplesSeen: string[] = [];
  type Outcome = { state: QueryExecutionState; reason?: string; columns?: string[]; rows?: (string | null)[][] };
  const executions = new Map<string, { outcome: Outcome; pending: number }>();

  const run = async (sql: string): Promise<Outcome> => {
    const reason = options.fail?.(sql);
    if (reason) return { state: 'FAILED', reason };
    try {
      const create =
        /^CREATE EXTERNAL TABLE `([a-z0-9_]+)`[\s\S]*\nLOCATION 's3:\/\/[^/]+\/_check\/([a-z0-9_]+)\/'/.exec(sql);
      if (create) {
        const name = create[1]!;
        const table = create[2]!;
        if (options.samples) {
          for (const key of await options.samples.list(`_check/${table}/`)) {
            samplesSeen.push(key);
            const path = join(options.lakeDir, ...key.split('/'));
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, (await options.samples.get(key))!);
          }
        }
        const like = catalog.find((t) => t.name === table);
        if (!like) return { state: 'FAILED', reason: `no deployed table ${table} to copy` };
        await db.createTable(like, name, join(options.lakeDir, '_check', table));
        return { state: 'SUCCEEDED', columns: [], rows: [] };
      }
      const drop = /^DROP TABLE IF EXISTS `([a-z0-9_]+)`$/.exec(sql);
      if (drop) {
        await db.dropTable(drop[1]!);
        return { state: 'SUCCEEDED', columns: [], rows: [] };
      }
      return { state: 'SUCCEEDED', ...(await db.run(sql)) };
    } catch (err) {
      return { state: 'FAILED', reason: (err as Error).message };
    }
  };

  mock.on(ListTableMetadataCommand).callsFake((input) => {
    const start = Number(input.NextToken ?? 0);
    const end = start + pageSize;
    return {
      TableMetadataList: options.tables.slice(start, end),
      NextToken: end < options.tables.length ? String(end) : undefined,
    };
  });
  mock.on(StartQueryExecutionCommand).callsFake(async (input) => {
    const sql = input.QueryString ?? '';
    started.push({
      sql,
      workGroup: input.WorkGroup,
      database: input.QueryExecutionContext?.Database,
      catalog: input.QueryExecutionContext?.Catalog,
    });
    const id = `query-${started.length}`;
    executions.set(id, { outcome: await run(sql), pending: options.pending?.(sql) ?? 1 });
    return { QueryExecutionId: id };
  });
  mock.on(GetQueryExecutionCommand).callsFake((input) => {
    const e = executions.get(input.QueryExecutionId!)!;
    if (e.pending > 0) {
      e.pending--;
      return { QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State: 'RUNNING' } } };
    }
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: { State: e.outcome.state, StateChangeReason: e.outcome.reason },
      },
    };
  });
  mock.on(StopQueryExecutionCommand).callsFake((input) => {
    stopped.push(input.QueryExecutionId!);
    return {};
  });
  mock.on(GetQueryResultsCommand).callsFake((input) => {
    const { outcome } = executions.get(input.QueryExecutionId!)!;
    if (outcome.state !== 'SUCCEEDED') throw new Error(`query ${input.QueryExecutionId} did not succeed`);
    const columns = outcome.columns ?? [];
    // Athena repeats the column names as the first row of a SELECT's results.
    const all = [columns, ...(outcome.rows ?? [])];
    const start = Number(input.NextToken ?? 0);
    const end = start + pageSize;
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) },
        Rows: all.slice(start, end).map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
      },
      NextToken: end < all.length ? String(end) : undefined,
    };
  });

  return {
    mock,
    started,
    stopped,
    samplesSeen,
    async close() {
      mock.restore();
      db.close();
    },
  };
}
