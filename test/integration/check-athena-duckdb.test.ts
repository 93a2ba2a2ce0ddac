import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type CheckResult, checkAthena, SAMPLE_ROWS } from '../../shared/app/check-athena';
import { sampleRows } from '../../shared/app/check-athena-sample';
import { checkColumns } from '../../shared/app/check-athena-sql';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import type { CatalogTable, LakeSqlEngine, ResultRow } from '../../shared/lake/athena';
import type { LakeFormat } from '../../shared/lake/file-writer';
import { CHECK_PREFIX, fileKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { TableDef } from '../../shared/lake/table';
import { catalogTable } from '../helpers/athena-catalog';
import { openDuckdbAthena } from '../helpers/duckdb-athena';

/**
 * The check's statements are valid in the SQL Athena and DuckDB share: the whole check runs here with DuckDB as the
 * engine, over a lake written by the real writers, with the catalog types the stack deploys (infra/glue-tables.ts).
 * Every statement it generates is executed, and every check must pass on data the writers wrote.
 */

const BUCKET = 'inboxlake-test';
const SERVERS = [10001, 10002];
const NOW = Date.parse('2026-12-02T09:00:00Z');

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** DuckDB over a local lake folder standing in for `s3://BUCKET`; scratch tables are views over `_check/`. */
async function duckdbEngine(lakeDir: string, catalog: readonly CatalogTable[], statements: string[]) {
  const db = await openDuckdbAthena(lakeDir, catalog);
  const engine: LakeSqlEngine = {
    async listTables() {
      return [...catalog];
    },
    async query(sql) {
      statements.push(sql);
      const { columns, rows } = await db.run(sql);
      return rows.map((r): ResultRow => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])));
    },
    async createScratchTable(like, name, location) {
      expect(location).toBe(`s3://${BUCKET}/${CHECK_PREFIX}${like.name}/`);
      await db.createTable(like, name, join(lakeDir, CHECK_PREFIX, like.name));
    },
    async dropScratchTable(name) {
      await db.dropTable(name);
    },
  };
  return { engine, close: () => db.close() };
}

/** Writes `rows` for a table partition with the real writer of the format, where the collectors put them. */
async function writePartition(lakeDir: string, table: TableDef, format: LakeFormat, dt: string, server: number) {
  const values = Object.fromEntries(table.partitionKeys.map((k) => [k.name, k.type === 'date' ? dt : String(server)]));
  const store = new LocalFolderStore(lakeDir);
  const path = store.pathOf(fileKey('data', table, values, `test-${dt}`, format));
  const writer = await fileWriters[format](table, path);
  await writer.append(sampleRows(table, values, 30));
  await writer.close();
}

async function runCheck(format: LakeFormat, withData: (t: TableDef, i: number) => boolean, serverIdType?: string) {
  const lakeDir = await mkdtemp(join(tmpdir(), 'inboxlake-check-lake-'));
  dirs.push(lakeDir);
  const tables = allTables.filter(withData);
  for (const t of tables) {
    await writePartition(lakeDir, t, format, '2026-11-19', SERVERS[0]!);
    await writePartition(lakeDir, t, format, '2026-11-20', SERVERS[1]!);
  }
  const catalog = allTables
    .map((t) => catalogTable(t, { bucket: BUCKET, format, serverIds: SERVERS }))
    .map((t) => ({
      ...t,
      partitionKeys: t.partitionKeys.map((k) =>
        k.name === 'server_id' && serverIdType ? { ...k, type: serverIdType } : k,
      ),
    }));
  const statements: string[] = [];
  const { engine, close } = await duckdbEngine(lakeDir, catalog, statements);
  const stores: LocalFolderStore[] = [];
  try {
    const report = await checkAthena({
      engine,
      openStore: async (root) => {
        expect(root).toBe(`s3://${BUCKET}`);
        const store = new LocalFolderStore(lakeDir);
        stores.push(store);
        return store;
      },
      tables: allTables,
      now: () => NOW,
      concurrency: 1,
    });
    return { report, statements, catalog, lakeDir, withData: new Set(tables.map((t) => t.name)) };
  } finally {
    close();
  }
}

const failures = (results: readonly CheckResult[]) =>
  results.filter((r) => r.status === 'fail').map((r) => `${r.table}/${r.data}/${r.check}: ${r.detail}`);

describe('check-athena statements in DuckDB', () => {
  for (const format of ['parquet', 'csv'] as const) {
    it(`every generated statement runs and every check passes over a ${format} lake (tables with data and without)`, async () => {
      const { report, statements, lakeDir, withData } = await runCheck(format, (_, i) => i % 2 === 0);
      expect(failures(report.results)).toEqual([]);
      expect(report.notDeployed).toEqual([]);

      for (const t of allTables) {
        const own = report.results.filter((r) => r.table === t.name);
        const data = withData.has(t.name) ? 'lake' : 'sample';
        const checks = own.filter((r) => r.data === data).map((r) => [r.check, r.status]);
        const hasBoolean = checkColumns(t).boolean !== null;
        expect(checks, t.name).toEqual(
          expect.arrayContaining([
            ['count', 'pass'],
            ['event time', 'pass'],
            ['partition filter', 'pass'],
            ['text filter', 'pass'],
            ['boolean filter', hasBoolean ? 'pass' : 'skip'],
          ]),
        );
        if (data === 'lake') {
          // The latest row is in the 2026-11-20 partition: 30 of the table's 60 rows.
          expect(own.find((r) => r.check === 'count')?.detail).toBe('60 rows');
          expect(own.find((r) => r.check === 'partition filter')?.detail).toMatch(
            /^dt=2026-11-20(\/server_id=10002)?: 30 rows$/,
          );
        } else {
          expect(own.find((r) => r.data === 'sample' && r.check === 'count')?.detail).toBe(`${SAMPLE_ROWS} rows`);
        }
      }
      // Five statements per table with data (count, time, partition, text, boolean where there is one); the samples
      // add a count on the scratch table.
      const kinds = ['SELECT count(*) AS n FROM', 'max_by(', 'count(*) AS n, min(', '= true'];
      for (const k of kinds)
        expect(
          statements.some((s) => s.includes(k)),
          k,
        ).toBe(true);
      // The samples are gone: nothing is left under _check/.
      expect(await readdir(join(lakeDir, '_check'), { recursive: true }).catch(() => [])).toEqual(
        expect.not.arrayContaining([expect.stringMatching(/\.(parquet|csv)$/)]),
      );
    });
  }

  // The stack declares server_id a string (enum projection serves string keys only), so its literal is quoted: Trino
  // compares varchar with integer in neither direction. The literal follows whatever the catalog declares, so a
  // stack deployed before server_id became a string (bigint) gets a number, valid against its own type.
  for (const [serverIdType, literal] of [
    [undefined, "'10002'"],
    ['bigint', '10002'],
  ] as const) {
    it(`compares partitions with literals of the catalog type: DATE for dt, ${literal} for a ${serverIdType ?? 'string (deployed)'} server_id`, async () => {
      const { report, statements, catalog } = await runCheck(
        'parquet',
        (t) => t.name !== 'socketlabs_account',
        serverIdType,
      );
      expect(failures(report.results)).toEqual([]);
      const failed = catalog.find((t) => t.name === 'socketlabs_failed')!;
      expect(failed.partitionKeys).toEqual([
        { name: 'dt', type: 'date' },
        { name: 'server_id', type: serverIdType ?? 'string' },
      ]);
      const filter = statements.find(
        (s) => s.startsWith('SELECT count(*) AS n, min(') && s.includes('socketlabs_failed'),
      );
      expect(filter).toContain(`"dt" = DATE '2026-11-20' AND "server_id" = ${literal}`);
      const sample = statements.find(
        (s) => s.startsWith('SELECT count(*) AS n, min(') && s.includes('inboxlake_check_socketlabs_account'),
      );
      expect(sample).toContain(`"dt" = DATE '2026-12-02' AND "server_id" = ${literal.replace('10002', '10001')}`);
    });
  }

  it('a sample writes its text column dictionary-encoded and its boolean PLAIN, as real files are', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inboxlake-check-sample-'));
    dirs.push(dir);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const t of allTables) {
        const path = join(dir, `${t.name}.parquet`);
        const values = Object.fromEntries(t.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-12-02' : '1']));
        const writer = await fileWriters.parquet(t, path);
        await writer.append(sampleRows(t, values, SAMPLE_ROWS));
        await writer.close();
        const reader = await conn.runAndReadAll(`SELECT path_in_schema, encodings FROM parquet_metadata('${path}')`);
        const encodings = new Map(reader.getRowObjectsJS().map((r) => [String(r.path_in_schema), String(r.encodings)]));
        const { text, boolean } = checkColumns(t);
        expect(encodings.get(text.name), `${t.name}.${text.name}`).toContain('RLE_DICTIONARY');
        if (boolean) expect(encodings.get(boolean.name), `${t.name}.${boolean.name}`).toBe('PLAIN');
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
