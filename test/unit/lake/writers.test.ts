import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvTextDecodedSql } from '../../../shared/lake/csv-dialect';
import { readCsvRows } from '../../../shared/lake/csv-reader';
import { createCsvWriter, formatCsvTimestamp } from '../../../shared/lake/csv-writer';
import type { TableFileWriterFactory } from '../../../shared/lake/file-writer';
import { createParquetWriter, parquetWriterFactory } from '../../../shared/lake/parquet-writer';
import { type LakeQuery, openLakeQuery, sqlIdent, sqlString } from '../../../shared/lake/query';
import { duckdbType, type Row, type TableDef } from '../../../shared/lake/table';
import { socketlabsAccount, socketlabsFailed } from '../../../shared/sources/socketlabs-v1/tables';

const day = Date.UTC(2026, 10, 20);
const tricky = [
  'plain',
  'Zürich – 日本語 – emoji 📬',
  'line one\r\nline two\nline three\rend',
  'say "hello", then \'bye\'',
  '<script>alert("x")</script>',
  '  padded  ',
  '',
  'a,b;c\td',
  'C:\\temp\\ and a trailing backslash \\',
  'nul \u0000 and the line-break mark ␤n',
];

function failedRows(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    event_time: day + i * 61_001,
    message_id: `m-${String(i).padStart(5, '0')}`,
    mailing_id: i % 4 === 0 ? null : `mailing-${i % 3}`,
    to_address: `user${i}@example.com`,
    recipient_domain: i % 5 === 0 ? null : `domain${i % 7}.example`,
    from_address: 'news@shop.example',
    failure_type: i % 9 === 0 ? null : i % 3,
    failure_type_name: ['soft', 'hard', 'suppressed'][i % 3]!,
    failure_code: i % 2 === 0 ? 2001 + (i % 50) : null,
    failure_category: 'rejected',
    reason: tricky[i % tricky.length]!,
    // Missing keys are null: most rows carry no `extra` key at all.
    ...(i % 10 === 0 ? { extra: JSON.stringify({ note: tricky[(i + 1) % tricky.length] }) } : {}),
    ingested_at: day + 86_400_000 + i,
  }));
}

/** What DuckDB should return for a row: ISO timestamps, numbers, strings exactly as written. */
function expected(table: TableDef, row: Row): unknown[] {
  return table.columns.map((c) => {
    const v = row[c.name] ?? null;
    if (v === null) return null;
    if (c.type === 'timestamp') return new Date(v as number).toISOString();
    return v;
  });
}

let dir: string;
let q: LakeQuery;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-writers-'));
  q = await openLakeQuery({ lakeDir: dir, tables: [] });
});

afterAll(async () => {
  await q?.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeFile(factory: TableFileWriterFactory, table: TableDef, name: string, rows: Row[], batch = 97) {
  const path = join(dir, name);
  const writer = await factory(table, path);
  for (let i = 0; i < rows.length; i += batch) await writer.append(rows.slice(i, i + batch));
  const result = await writer.close();
  return { path, result };
}

const readParquet = (path: string) => `read_parquet(${sqlString(path)})`;
/** The CSV file as DuckDB reads it, text columns decoded as csv-dialect says (what `inboxlake query` does). */
const readCsv = (table: TableDef, path: string) =>
  `(SELECT * REPLACE (${table.columns
    .filter((c) => c.type === 'string')
    .map((c) => `${csvTextDecodedSql(sqlIdent(c.name))} AS ${sqlIdent(c.name)}`)
    .join(', ')}) FROM read_csv(${sqlString(path)}, header = true, columns = {${table.columns
    .map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType[c.type])}`)
    .join(', ')}}, timestampformat = '%Y-%m-%d %H:%M:%S.%g', allow_quoted_nulls = false))`;

describe('parquet writer', () => {
  const rows = failedRows(300);

  it('round-trips socketlabs_failed with DuckDB types and values', async () => {
    const { path, result } = await writeFile(createParquetWriter, socketlabsFailed, 'failed.parquet', rows);
    expect(result.rows).toBe(300);
    expect(result.bytes).toBe((await readFile(path)).length);

    const res = await q.run(`SELECT * FROM ${readParquet(path)} ORDER BY message_id`);
    expect(res.columns).toEqual(socketlabsFailed.columns.map((c) => ({ name: c.name, type: duckdbType[c.type] })));
    expect(res.columns.find((c) => c.name === 'event_time')?.type).toBe('TIMESTAMP WITH TIME ZONE');
    expect(res.columns.find((c) => c.name === 'failure_code')?.type).toBe('INTEGER');
    expect(res.rows).toEqual(rows.map((r) => expected(socketlabsFailed, r)));
  });

  it('stores UTC instants (MILLIS, adjusted to UTC) and a REQUIRED/OPTIONAL schema', async () => {
    const path = join(dir, 'failed.parquet');
    const first = await q.run(
      `SELECT strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%g'), epoch_ms(event_time)
       FROM ${readParquet(path)} WHERE message_id = 'm-00001'`,
    );
    expect(first.rows).toEqual([['2026-11-20 00:01:01.001', day + 61_001]]);
    const schema = await q.run(
      `SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema(${sqlString(path)})
       WHERE name IN ('event_time', 'message_id', 'failure_code')`,
    );
    expect(schema.rows).toEqual([
      [
        'event_time',
        'INT64',
        'REQUIRED',
        'TIMESTAMP_MILLIS',
        expect.stringMatching(/isAdjustedToUTC=1.*MILLIS=MilliSeconds\(\)/),
      ],
      ['message_id', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8', 'StringType()'],
      ['failure_code', 'INT32', 'OPTIONAL', null, null],
    ]);
    const codecs = await q.run(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)})`);
    expect(codecs.rows).toEqual([['SNAPPY']]);
  });

  it('writes booleans and int64 (socketlabs_account) as BOOLEAN and BIGINT', async () => {
    const account: Row[] = [
      {
        snapshot_time: day,
        current_billing_period_start: Date.UTC(2026, 10, 1),
        current_billing_period_end: Date.UTC(2026, 11, 1) - 1,
        billing_period_api_access_count: 12,
        billing_period_message_count: 2 ** 40 + 7,
        billing_period_byte_count: Number.MAX_SAFE_INTEGER,
        server_api_access_allowance: -1,
        server_message_allowance: 0,
        server_byte_allowance: null,
        is_over_allowance: false,
        is_over_byte_allowance: true,
        is_over_message_allowance: null,
        extra: null,
        ingested_at: day + 5,
      },
    ];
    const { path } = await writeFile(createParquetWriter, socketlabsAccount, 'account.parquet', account);
    const res = await q.run(`SELECT * FROM ${readParquet(path)}`);
    expect(res.columns).toEqual(socketlabsAccount.columns.map((c) => ({ name: c.name, type: duckdbType[c.type] })));
    expect(res.columns.find((c) => c.name === 'is_over_allowance')?.type).toBe('BOOLEAN');
    expect(res.columns.find((c) => c.name === 'billing_period_byte_count')?.type).toBe('BIGINT');
    expect(res.rows).toEqual(account.map((r) => expected(socketlabsAccount, r)));
  });

  it('writes a valid zero-row file with the full schema', async () => {
    const { path, result } = await writeFile(createParquetWriter, socketlabsFailed, 'empty.parquet', []);
    expect(result).toEqual({ rows: 0, bytes: (await readFile(path)).length });
    const res = await q.run(`SELECT * FROM ${readParquet(path)}`);
    expect(res.rows).toEqual([]);
    expect(res.columns.map((c) => c.type)).toEqual(socketlabsFailed.columns.map((c) => duckdbType[c.type]));
  });

  it('splits rows into row groups of rowGroupRows and keeps them in order', async () => {
    const many = failedRows(250);
    const factory = parquetWriterFactory({ rowGroupRows: 32 });
    // Batches that do not line up with row groups, plus one empty batch.
    const path = join(dir, 'groups.parquet');
    const writer = await factory(socketlabsFailed, path);
    await writer.append(many.slice(0, 5));
    await writer.append([]);
    await writer.append(many.slice(5, 200));
    await writer.append(many.slice(200));
    expect((await writer.close()).rows).toBe(250);

    const groups = await q.run(
      `SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(${sqlString(path)})
       GROUP BY ALL ORDER BY 1`,
    );
    expect(groups.rows).toEqual([...Array.from({ length: 7 }, (_, i) => [i, 32]), [7, 26]]);
    const res = await q.run(`SELECT * FROM ${readParquet(path)}`);
    expect(res.rows).toEqual(many.map((r) => expected(socketlabsFailed, r)));
  });

  it('rejects a null in a non-nullable column, naming table and column', async () => {
    const writer = await createParquetWriter(socketlabsFailed, join(dir, 'bad-null.parquet'));
    const [row] = failedRows(1);
    await expect(writer.append([{ ...row, event_time: null }])).rejects.toThrow(
      /socketlabs_failed.*event_time.*not nullable/,
    );
    const { ingested_at: _omitted, ...missing } = row!;
    await expect(writer.append([missing])).rejects.toThrow(/socketlabs_failed.*ingested_at/);
    await writer.abort();
  });

  it('rejects a value of the wrong type, naming table and column', async () => {
    const writer = parquetWriterFactory({ rowGroupRows: 1 });
    const w = await writer(socketlabsFailed, join(dir, 'bad-type.parquet'));
    const [row] = failedRows(1);
    await expect(w.append([{ ...row, failure_code: '2001' }])).rejects.toThrow(
      /socketlabs_failed.*failure_code \(int32\).*string/,
    );
    await w.abort();
  });

  it('rejects an int32 value beyond the INT32 range, naming table and column', async () => {
    const w = await parquetWriterFactory({ rowGroupRows: 2 })(socketlabsFailed, join(dir, 'bad-int32.parquet'));
    const [row] = failedRows(1);
    await w.append([{ ...row, failure_code: 2 ** 31 - 1 }]);
    await expect(w.append([{ ...row, failure_code: 2 ** 31 }])).rejects.toThrow(
      /socketlabs_failed.*failure_code \(int32\).*'2147483648' in row 1/,
    );
    await w.abort();
    const low = await createParquetWriter(socketlabsFailed, join(dir, 'bad-int32-low.parquet'));
    await low.append([{ ...row, failure_type: -(2 ** 31) - 1 }]);
    await expect(low.close()).rejects.toThrow(/socketlabs_failed.*failure_type \(int32\).*'-2147483649'/);
    await low.abort();
  });

  it('abort() deletes the partial file', async () => {
    const path = join(dir, 'aborted.parquet');
    const writer = await parquetWriterFactory({ rowGroupRows: 10 })(socketlabsFailed, path);
    await writer.append(failedRows(25));
    expect(existsSync(path)).toBe(true);
    await writer.abort();
    expect(existsSync(path)).toBe(false);
    await writer.abort();
    await expect(writer.append([])).rejects.toThrow(/aborted/);
  });
});

describe('csv writer', () => {
  const rows = failedRows(300);

  it('round-trips socketlabs_failed through DuckDB, newlines and all, one record per line', async () => {
    const { path, result } = await writeFile(createCsvWriter, socketlabsFailed, 'failed.csv', rows);
    const text = await readFile(path, 'utf8');
    expect(result).toEqual({ rows: 300, bytes: Buffer.byteLength(text) });
    const lines = text.split('\n');
    expect(lines[0]).toBe(socketlabsFailed.columns.map((c) => c.name).join(','));
    // One header, 300 records, and the final newline: no record spans lines.
    expect(lines).toHaveLength(302);
    expect(text).not.toContain('\r');
    expect(lines[1]).toMatch(/^2026-11-20 00:00:00\.000,m-00000,/);

    const res = await q.run(`SELECT * FROM ${readCsv(socketlabsFailed, path)} ORDER BY message_id`);
    expect(res.columns).toEqual(socketlabsFailed.columns.map((c) => ({ name: c.name, type: duckdbType[c.type] })));
    expect(res.rows).toEqual(rows.map((r) => expected(socketlabsFailed, r)));
  });

  it('reads back every text exactly with readCsvRows, the reader of the digest on a CSV lake', async () => {
    const path = join(dir, 'failed.csv');
    const read = readCsvRows(await readFile(path, 'utf8'), socketlabsFailed);
    // CSV cannot tell '' from NULL once parsed: this reader reads both as null.
    const nullForEmpty = (v: unknown) => (v === '' ? null : v);
    expect(read.map((r) => [r.message_id, r.reason, r.extra])).toEqual(
      rows.map((r) => [r.message_id, nullForEmpty(r.reason), r.extra ?? null]),
    );
  });

  it('formats timestamps, booleans and quotes for Athena', async () => {
    expect(formatCsvTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02 03:04:05.006');
    const { path } = await writeFile(createCsvWriter, socketlabsAccount, 'account.csv', [
      {
        snapshot_time: day,
        is_over_allowance: true,
        is_over_byte_allowance: false,
        billing_period_byte_count: 2 ** 50,
        extra: '{"a":"b, c"}',
        ingested_at: day,
      },
    ]);
    const [, line] = (await readFile(path, 'utf8')).split('\n');
    expect(line).toBe(
      '2026-11-20 00:00:00.000,,,,,1125899906842624,,,,true,false,,"{""a"":""b, c""}",2026-11-20 00:00:00.000',
    );
  });

  it('writes a header-only file for zero rows', async () => {
    const { path, result } = await writeFile(createCsvWriter, socketlabsFailed, 'empty.csv', []);
    expect(result.rows).toBe(0);
    const res = await q.run(`SELECT count(*) FROM ${readCsv(socketlabsFailed, path)}`);
    expect(res.rows).toEqual([[0]]);
  });

  it('rejects a null in a non-nullable column and abort() deletes the file', async () => {
    const path = join(dir, 'bad.csv');
    const writer = await createCsvWriter(socketlabsFailed, path);
    await expect(writer.append([{ event_time: null }])).rejects.toThrow(/socketlabs_failed.*event_time/);
    await writer.abort();
    expect(existsSync(path)).toBe(false);
  });
});
