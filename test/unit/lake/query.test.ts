import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '../../../shared/catalog';
import { createCsvWriter } from '../../../shared/lake/csv-writer';
import type { TableFileWriterFactory } from '../../../shared/lake/file-writer';
import { createParquetWriter } from '../../../shared/lake/parquet-writer';
import {
  type LakeQuery,
  openLakeQuery,
  QuerySyntaxError,
  ReadOnlyQueryError,
  sqlIdent,
  sqlString,
} from '../../../shared/lake/query';
import { duckdbType, type Row, type TableDef } from '../../../shared/lake/table';
import {
  socketlabsComplaints,
  socketlabsFailed,
  socketlabsProcessed,
  socketlabsQueued,
} from '../../../shared/sources/socketlabs-v1/tables';

const day = Date.UTC(2026, 10, 20);

function queuedRow(i: number): Row {
  return {
    event_time: day + i * 3_600_000,
    message_id: `q-${i}`,
    mailing_id: null,
    to_address: `u${i}@example.com`,
    recipient_domain: 'example.com',
    from_address: 'a@shop.example',
    message_size: 2 ** 40 + i,
    extra: i === 0 ? 'multi\nline C:\\temp\\' : null,
    ingested_at: day + 86_400_000,
  };
}

function failedRow(i: number, eventTime: number): Row {
  return {
    event_time: eventTime,
    message_id: `f-${i}`,
    to_address: `u${i}@example.com`,
    recipient_domain: 'example.com',
    failure_type: 1,
    failure_code: 2001,
    reason: "550 'no such user'",
    ingested_at: eventTime + 60_000,
  };
}

async function writeTableFile(
  lakeDir: string,
  factory: TableFileWriterFactory,
  table: TableDef,
  partition: string,
  file: string,
  rows: Row[],
) {
  const writer = await factory(table, join(lakeDir, table.name, partition, file));
  await writer.append(rows);
  await writer.close();
}

let root: string;
let lakeDir: string;
let q: LakeQuery;
const tables = [socketlabsFailed, socketlabsQueued, socketlabsProcessed, socketlabsComplaints];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'inboxlake-query-'));
  // A quote in the path proves the SQL literals are escaped.
  lakeDir = join(root, "it's a lake");
  const d2 = day + 86_400_000;
  await writeTableFile(lakeDir, createParquetWriter, socketlabsFailed, 'dt=2026-11-20/server_id=1', 'a.parquet', [
    failedRow(1, day + 1000),
    failedRow(2, day + 2000),
  ]);
  await writeTableFile(lakeDir, createParquetWriter, socketlabsFailed, 'dt=2026-11-21/server_id=2', 'b.parquet', [
    failedRow(3, d2 + 1000),
  ]);
  // Parquet wins where a table has both formats (`both` mode), and CSV-only tables are read as CSV.
  await writeTableFile(lakeDir, createCsvWriter, socketlabsFailed, 'dt=2026-11-21/server_id=2', 'b.csv', [
    failedRow(3, d2 + 1000),
  ]);
  await writeTableFile(lakeDir, createCsvWriter, socketlabsQueued, 'dt=2026-11-20/server_id=1234', 'q.csv', [
    queuedRow(0),
    queuedRow(1),
    queuedRow(2),
  ]);
  await writeTableFile(lakeDir, createCsvWriter, socketlabsQueued, 'dt=2026-11-21/server_id=99', 'q.csv', [
    queuedRow(24),
  ]);
  // socketlabs_processed has no folder at all; socketlabs_complaints only an in-flight temp file.
  const complaintsDir = join(lakeDir, socketlabsComplaints.name, 'dt=2026-11-20', 'server_id=1');
  await mkdir(complaintsDir, { recursive: true });
  await writeFile(join(complaintsDir, '.c.parquet.tmp-123-abcdef'), 'half a file');
  q = await openLakeQuery({ lakeDir, tables });
});

afterAll(async () => {
  await q?.close();
  await rm(root, { recursive: true, force: true });
});

describe('openLakeQuery', () => {
  it('creates a typed view per table, with dt DATE and server_id VARCHAR partition columns, as Glue declares them', async () => {
    for (const table of tables) {
      const res = await q.run(`DESCRIBE ${sqlIdent(table.name)}`);
      const types = Object.fromEntries(res.rows.map((r) => [r[0], r[1]]));
      expect(types, table.name).toEqual({
        ...Object.fromEntries(table.columns.map((c) => [c.name, duckdbType[c.type]])),
        dt: 'DATE',
        server_id: 'VARCHAR',
      });
    }
  });

  it('reads Parquet partitions with hive columns and prunes by them', async () => {
    const res = await q.run('SELECT dt, server_id, message_id, event_time FROM socketlabs_failed ORDER BY message_id');
    expect(res.columns).toEqual([
      { name: 'dt', type: 'DATE' },
      { name: 'server_id', type: 'VARCHAR' },
      { name: 'message_id', type: 'VARCHAR' },
      { name: 'event_time', type: 'TIMESTAMP WITH TIME ZONE' },
    ]);
    expect(res.rows).toEqual([
      ['2026-11-20', '1', 'f-1', '2026-11-20T00:00:01.000Z'],
      ['2026-11-20', '1', 'f-2', '2026-11-20T00:00:02.000Z'],
      ['2026-11-21', '2', 'f-3', '2026-11-21T00:00:01.000Z'],
    ]);
    const pruned = await q.run(
      "SELECT count(*) FROM socketlabs_failed WHERE dt = DATE '2026-11-21' AND server_id = '2'",
    );
    expect(pruned.rows).toEqual([[1]]);
  });

  it('reads a CSV-only table with the column types, UTC timestamps and text exactly as written', async () => {
    const res = await q.run(
      'SELECT dt, server_id, event_time, message_size, mailing_id, extra FROM socketlabs_queued ORDER BY event_time',
    );
    expect(res.rows).toEqual([
      ['2026-11-20', '1234', '2026-11-20T00:00:00.000Z', 2 ** 40, null, 'multi\nline C:\\temp\\'],
      ['2026-11-20', '1234', '2026-11-20T01:00:00.000Z', 2 ** 40 + 1, null, null],
      ['2026-11-20', '1234', '2026-11-20T02:00:00.000Z', 2 ** 40 + 2, null, null],
      ['2026-11-21', '99', '2026-11-21T00:00:00.000Z', 2 ** 40 + 24, null, null],
    ]);
  });

  it('answers zero rows, not an error, for tables without files', async () => {
    expect((await q.run('SELECT count(*) FROM socketlabs_processed')).rows).toEqual([[0]]);
    expect((await q.run('SELECT count(*) FROM socketlabs_complaints')).rows).toEqual([[0]]);
  });

  it('converts values for output: safe BIGINT as number, others as string, ISO timestamps', async () => {
    const res = await q.run(
      `SELECT 9007199254740993::BIGINT AS big, 42::BIGINT AS small, 1.5::DECIMAL(4,2) AS dec,
        TIMESTAMPTZ '2026-11-20 01:02:03.456789+00' AS micros, DATE '2026-11-20' AS d, [1, 2]::BIGINT[] AS list,
        ${sqlString("it's")} AS s`,
    );
    expect(res.rows).toEqual([
      ['9007199254740993', 42, 1.5, '2026-11-20T01:02:03.456789Z', '2026-11-20', [1, 2], "it's"],
    ]);
  });

  it('reports SQL errors', async () => {
    await expect(q.run('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(q.run('SELEKT 1')).rejects.toThrow(QuerySyntaxError);
  });
});

describe('openLakeQuery: read-only and confined to the lake', () => {
  let lake: string;
  let outside: string;
  let guarded: LakeQuery;
  beforeAll(async () => {
    lake = join(root, 'guarded lake');
    outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.csv'), 'token\nhunter2\n');
    await writeTableFile(lake, createParquetWriter, socketlabsFailed, 'dt=2026-11-20/server_id=1', 'a.parquet', [
      failedRow(1, day + 1000),
    ]);
    guarded = await openLakeQuery({ lakeDir: lake, tables });
  });
  afterAll(() => guarded?.close());

  it.each([
    [
      'COPY into the lake',
      (l: string) => `COPY (SELECT 1 AS x) TO ${sqlString(join(l, 'socketlabs_failed', 'x.parquet'))}`,
    ],
    ['COPY outside', (l: string) => `COPY (SELECT 1 AS x) TO ${sqlString(join(l, '..', 'outside', 'x.csv'))}`],
    ['ATTACH', (l: string) => `ATTACH ${sqlString(join(l, 'x.duckdb'))}`],
    ['EXPORT DATABASE', (l: string) => `EXPORT DATABASE ${sqlString(join(l, 'export'))}`],
    ['CREATE TABLE', () => 'CREATE TABLE t AS SELECT 1'],
    ['SET', () => "SET allowed_directories = ['/']"],
    ['INSTALL', () => 'INSTALL httpfs'],
    ['a SELECT then a COPY', (l: string) => `SELECT 1; COPY (SELECT 1) TO ${sqlString(join(l, 'y.csv'))}`],
  ])('refuses %s, before anything runs, and writes nothing', async (_name, sql) => {
    await expect(guarded.run(sql(lake))).rejects.toThrow(ReadOnlyQueryError);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(lake, { recursive: true })).sort()).toEqual([
      'socketlabs_failed',
      'socketlabs_failed/dt=2026-11-20',
      'socketlabs_failed/dt=2026-11-20/server_id=1',
      'socketlabs_failed/dt=2026-11-20/server_id=1/a.parquet',
    ]);
    expect(await readdir(outside)).toEqual(['secret.csv']);
  });

  it('reads no file outside the lake folder', async () => {
    const secret = join(outside, 'secret.csv');
    await expect(guarded.run(`SELECT * FROM read_csv(${sqlString(secret)})`)).rejects.toThrow(/Permission Error/);
    await expect(
      guarded.run(`SELECT * FROM read_csv(${sqlString(join(lake, '..', 'outside', 'secret.csv'))})`),
    ).rejects.toThrow(/Permission Error/);
    await expect(guarded.run("SELECT * FROM glob('/etc/*')")).rejects.toThrow(/Permission Error/);
  });

  it('still answers SELECT, FROM-first, DESCRIBE and several SELECTs (the last one answers)', async () => {
    expect((await guarded.run('SELECT count(*) FROM socketlabs_failed')).rows).toEqual([[1]]);
    expect((await guarded.run('FROM socketlabs_failed SELECT message_id')).rows).toEqual([['f-1']]);
    expect((await guarded.run('DESCRIBE socketlabs_failed')).rows.length).toBeGreaterThan(3);
    expect((await guarded.run('SELECT 1; SELECT 2 AS two')).rows).toEqual([[2]]);
  });
});

describe('openLakeQuery: a bad file fails only its own table', () => {
  it.each([
    ['a truncated Parquet file', 'dt=2026-11-20/server_id=1/b.parquet', 'PAR1 cut short'],
    ['an empty Parquet file', 'dt=2026-11-20/server_id=1/c.parquet', ''],
  ])('%s: its table fails naming the file, every other table answers', async (_name, rel, content) => {
    const lake = await mkdtemp(join(root, 'bad-'));
    await writeTableFile(lake, createParquetWriter, socketlabsFailed, 'dt=2026-11-20/server_id=1', 'a.parquet', [
      failedRow(1, day + 1000),
    ]);
    await writeTableFile(lake, createCsvWriter, socketlabsQueued, 'dt=2026-11-20/server_id=1', 'q.csv', [queuedRow(0)]);
    const bad = join(lake, socketlabsFailed.name, rel);
    await mkdir(join(bad, '..'), { recursive: true });
    await writeFile(bad, content);
    const lq = await openLakeQuery({ lakeDir: lake, tables });
    try {
      expect((await lq.run('SELECT count(*) FROM socketlabs_queued')).rows).toEqual([[1]]);
      expect((await lq.run('SELECT count(*) FROM socketlabs_processed')).rows).toEqual([[0]]);
      const failure = lq.run('SELECT count(*) FROM socketlabs_failed');
      await expect(failure).rejects.toThrow(/socketlabs_failed/);
      await expect(failure).rejects.toThrow(bad);
    } finally {
      await lq.close();
    }
  });
});

describe("the README's query examples", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const examples = [...readme.matchAll(/inboxlake query "([^"]+)"/g)].map((m) => m[1]!).filter((s) => s !== 'SQL');

  it.each(examples.map((sql) => [sql]))('runs as written: %s', async (sql) => {
    const lq = await openLakeQuery({ lakeDir, tables: allTables });
    try {
      await expect(lq.run(sql)).resolves.toBeDefined();
    } finally {
      await lq.close();
    }
  });

  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });
});
