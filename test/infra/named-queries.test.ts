import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeploymentConfig, exampleDeploymentConfig } from '../../infra/config';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { DAY_MS } from '../../shared/core/windows';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { withReferenceDate } from '../../shared/lake/named-queries';
import { sqlIdent, sqlString } from '../../shared/lake/query';
import type { Row, TableDef } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { duckdbType } from '../helpers/duckdb-athena';
import { resourcesOf, synthesize } from './synth';

/**
 * Every named query a deployment installs must plan in Athena there: it may name only the tables that deployment
 * catalogs, and must type-check against the column types its Glue tables declare (on CSV every column is a string).
 * Trino is not available here; DuckDB stands in, over a lake written in the deployment's format and read with exactly
 * the Glue tables' types — DuckDB refuses sum(varchar) and varchar > 0 as Trino does.
 */

interface GlueTable {
  Name: string;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: { Columns: { Name: string; Type: string }[] };
}

const DAY = Date.UTC(2026, 10, 20);
const REF = '2026-11-21';

/** A row with a value in every column, and one with null wherever a column may be null. */
function rows(table: TableDef, at: number): Row[] {
  const value = { timestamp: at, int32: 7, int64: 42, double: 1.5, boolean: true, string: 'done' } as const;
  const full = Object.fromEntries(table.columns.map((c) => [c.name, value[c.type]]));
  const sparse = Object.fromEntries(table.columns.map((c) => [c.name, c.nullable ? null : value[c.type]]));
  return [full, sparse];
}

/** A DuckDB view of a table read the way its Glue table declares it. */
function glueView(lakeDir: string, glue: GlueTable, format: 'parquet' | 'csv'): string {
  const dir = join(lakeDir, glue.Name);
  const hiveTypes = `{${glue.PartitionKeys.map((k) => `${sqlString(k.Name)}: ${duckdbType(k.Type)}`).join(', ')}}`;
  const source =
    format === 'parquet'
      ? `read_parquet(${sqlString(`${dir}/**/*.parquet`)}, hive_partitioning = true, hive_types = ${hiveTypes})`
      : // The Open CSV SerDe reads every field as a string, an empty field as '' (never NULL): no null string here.
        `read_csv(${sqlString(`${dir}/**/*.csv`)}, header = true, all_varchar = true, allow_quoted_nulls = false, ` +
        `nullstr = '\u0001', hive_partitioning = true, hive_types = ${hiveTypes})`;
  // A string column keeps an empty CSV field as ''; a typed one (should a SerDe type them) reads it as NULL.
  const read = (name: string, type: string) =>
    format === 'csv' && type !== 'string' ? `NULLIF(${sqlIdent(name)}, '')` : sqlIdent(name);
  const columns = [
    ...glue.StorageDescriptor.Columns.map(
      (c) => `CAST(${read(c.Name, c.Type)} AS ${duckdbType(c.Type)}) AS ${sqlIdent(c.Name)}`,
    ),
    ...glue.PartitionKeys.map((k) => sqlIdent(k.Name)),
  ];
  return `CREATE VIEW ${sqlIdent(glue.Name)} AS SELECT ${columns.join(', ')} FROM ${source}`;
}

const example = exampleDeploymentConfig();
const [v2Account, v1Account] = [
  example.socketlabs.find((a) => a.apiGeneration === 'v2')!,
  example.socketlabs.find((a) => a.apiGeneration === 'v1')!,
];
const sources: [string, Pick<DeploymentConfig, 'socketlabs' | 'sendsage'>][] = [
  ['SocketLabs v1 only', { socketlabs: [v1Account], sendsage: null }],
  ['SocketLabs v2 only', { socketlabs: [v2Account], sendsage: null }],
  ['SendSage only', { socketlabs: [], sendsage: example.sendsage }],
  ['every source', { socketlabs: example.socketlabs, sendsage: example.sendsage }],
];
const cases = (['parquet', 'csv'] as const).flatMap((format) => sources.map(([name, s]) => [format, name, s] as const));

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

describe('named queries installed per deployment', () => {
  it.each(cases)(
    '%s, %s: each installed query names only cataloged tables and runs as Glue types them',
    async (format, _name, s) => {
      const config: DeploymentConfig = { ...example, ...s, format };
      const synth = synthesize(config);
      const glueTables = resourcesOf(synth, 'AWS::Glue::Table').map(([, p]) => p.TableInput as GlueTable);
      const installed = resourcesOf(synth, 'AWS::Athena::NamedQuery').map(
        ([, p]) => p as { Name: string; QueryString: string },
      );
      if (s.socketlabs.length === 0) expect(installed.map((q) => q.Name)).toEqual(['inbox-placement-by-isp']);
      else expect(installed).toHaveLength(4);

      const root = await mkdtemp(join(tmpdir(), 'inboxlake-nq-'));
      roots.push(root);
      const lakeDir = join(root, 'lake');
      const store = new LocalFolderStore(lakeDir);
      const serverId = s.socketlabs[0]?.serverIds[0];
      for (const glue of glueTables) {
        const table = allTables.find((t) => t.name === glue.Name)!;
        const partition = Object.fromEntries(
          table.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-11-20' : String(serverId)]),
        );
        const writer = await openWindowWriter({
          store,
          table,
          partition,
          window: { start: DAY, end: DAY + DAY_MS },
          formats: [format],
          writers: fileWriters,
          tmpDir: join(root, 'tmp'),
          now: () => DAY + DAY_MS,
        });
        await writer.append(rows(table, DAY + 3_600_000));
        await writer.commit();
      }

      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        await connection.run("SET TimeZone = 'UTC'");
        for (const glue of glueTables) {
          await connection.run(glueView(lakeDir, glue, format));
          const count = await connection.runAndReadAll(`SELECT count(*) FROM ${sqlIdent(glue.Name)}`);
          expect(Number(count.getRows()[0]![0]), glue.Name).toBe(2);
        }
        for (const q of installed) {
          await expect(connection.runAndReadAll(withReferenceDate(q.QueryString, REF)), q.Name).resolves.toBeDefined();
        }
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
  );
});
