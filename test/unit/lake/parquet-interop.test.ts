import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeParquet } from '../../../scripts/parquet-footer';
import { allTables } from '../../../shared/catalog';
import { createParquetWriter, parquetWriterFactory } from '../../../shared/lake/parquet-writer';
import { type LakeQuery, openLakeQuery, sqlIdent, sqlString } from '../../../shared/lake/query';
import { type Column, type ColumnType, duckdbType, type Row, type TableDef } from '../../../shared/lake/table';
import { edges, generateRows, kb2Ascii } from '../../helpers/table-rows';

// Every table the real writer produces, read back by two independent implementations: parquet-wasm (arrow-rs, Rust)
// and DuckDB (C++). DuckDB alone is tolerant; arrow-rs is strict about page headers, levels and logical types, so a
// file both read identically is far more likely to be read correctly by Athena/Trino too.

type Plain = string | number | boolean | null;

/**
 * What both readers must return: missing keys as null, timestamps as UTC epoch milliseconds, and -0 as 0 (the writer
 * stores every zero as +0, so a value does not depend on whether its row group was dictionary-encoded).
 */
const expectedRows = (table: TableDef, rows: readonly Row[]): Plain[][] =>
  rows.map((r) => table.columns.map((c) => (Object.is(r[c.name], -0) ? 0 : (r[c.name] ?? null))));

/** Reads a file with parquet-wasm (arrow-rs) and returns rows of plain values plus the Arrow schema. */
async function readWithArrowRs(path: string): Promise<{ fields: string[]; rows: Plain[][] }> {
  const wasmTable = readParquet(new Uint8Array(await readFile(path)));
  const table = tableFromIPC(wasmTable.intoIPCStream());
  const fields = table.schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? '' : ' NOT NULL'}`);
  const vectors = table.schema.fields.map((f) => table.getChild(f.name)!);
  const rows = Array.from({ length: table.numRows }, (_, i) =>
    vectors.map((v) => {
      const value = v.get(i) as unknown;
      if (value === null || value === undefined) return null;
      if (typeof value === 'bigint') return Number(value);
      if (value instanceof Date) return value.getTime();
      return value as Plain;
    }),
  );
  return { fields, rows };
}

/** The Arrow field arrow-rs must infer from the writer's schema for a column. */
const arrowField = (c: Column): string => {
  const types: Record<ColumnType, string> = {
    timestamp: 'Timestamp<MILLISECOND, UTC>',
    int32: 'Int32',
    int64: 'Int64',
    double: 'Float64',
    boolean: 'Bool',
    string: 'Utf8',
  };
  return `${c.name}: ${types[c.type]}${c.nullable ? '' : ' NOT NULL'}`;
};

let dir: string;
let q: LakeQuery;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-interop-'));
  q = await openLakeQuery({ lakeDir: dir, tables: [] });
});

afterAll(async () => {
  await q?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Reads a file with DuckDB, timestamps as UTC epoch milliseconds, in file order. */
async function readWithDuckdb(table: TableDef, path: string): Promise<{ types: string[]; rows: Plain[][] }> {
  const select = table.columns
    .map((c) => (c.type === 'timestamp' ? `epoch_ms(${sqlIdent(c.name)})` : sqlIdent(c.name)))
    .join(', ');
  const types = await q.run(`SELECT * FROM read_parquet(${sqlString(path)}) LIMIT 0`);
  const res = await q.run(`SELECT ${select} FROM read_parquet(${sqlString(path)}) ORDER BY file_row_number`);
  return { types: types.columns.map((c) => c.type), rows: res.rows as Plain[][] };
}

async function writeRows(table: TableDef, name: string, rows: Row[], rowGroupRows?: number): Promise<string> {
  const path = join(dir, `${table.name}.${name}.parquet`);
  const factory = rowGroupRows === undefined ? createParquetWriter : parquetWriterFactory({ rowGroupRows });
  const writer = await factory(table, path);
  for (let i = 0; i < rows.length; i += 61) await writer.append(rows.slice(i, i + 61));
  await writer.close();
  return path;
}

/** Both readers return exactly `rows` (value by value, -0 and NaN included) and the schema the table defines. */
async function expectBothReadersAgree(table: TableDef, path: string, rows: readonly Row[]): Promise<void> {
  const want = expectedRows(table, rows);
  const arrow = await readWithArrowRs(path);
  expect(arrow.fields).toEqual(table.columns.map(arrowField));
  expectSameRows(arrow.rows, want, `parquet-wasm ${table.name}`);
  const duck = await readWithDuckdb(table, path);
  expect(duck.types).toEqual(table.columns.map((c) => duckdbType[c.type]));
  expectSameRows(duck.rows, want, `duckdb ${table.name}`);
}

/** Row by row with Object.is per value, so the first difference names its row, column and both values. */
function expectSameRows(got: Plain[][], want: Plain[][], label: string): void {
  expect(got.length, `${label}: row count`).toBe(want.length);
  for (let r = 0; r < want.length; r++) {
    for (let c = 0; c < want[r]!.length; c++) {
      const [g, w] = [got[r]![c], want[r]![c]];
      if (!Object.is(g, w)) {
        expect.fail(`${label}: row ${r} column ${c}: got ${String(g).slice(0, 60)}, want ${String(w).slice(0, 60)}`);
      }
    }
  }
}

describe('every catalog table read by parquet-wasm (arrow-rs) and DuckDB', () => {
  for (const table of allTables) {
    it(`${table.name}: 300 rows in row groups of 128 read back identically by both readers`, async () => {
      const rows = generateRows(table, 300);
      const path = await writeRows(table, 'many', rows, 128);
      await expectBothReadersAgree(table, path, rows);
    });

    it(`${table.name}: a zero-row file and a single-row file read back identically by both readers`, async () => {
      const empty = await writeRows(table, 'empty', []);
      await expectBothReadersAgree(table, empty, []);
      // Row 1 has no null in column 4 onwards; row 0 has nulls: one of each, each alone in a file.
      for (const [k, row] of generateRows(table, 2).entries()) {
        const single = await writeRows(table, `single-${k}`, [row!]);
        await expectBothReadersAgree(table, single, [row!]);
      }
    });
  }
});

describe('edge values covered', () => {
  it('the generated rows hold every edge value and a null in every nullable column of every table', () => {
    for (const table of allTables) {
      const rows = generateRows(table, 300);
      for (const c of table.columns) {
        const values = rows.map((r) => r[c.name] ?? null);
        if (c.nullable) expect(values, `${table.name}.${c.name}`).toContain(null);
        else expect(values, `${table.name}.${c.name}`).not.toContain(null);
        const base = values.map((v) => (typeof v === 'string' ? v.replace(/#\d+$/, '') : v));
        for (const e of edges[c.type]) {
          expect(
            base.some((v) => Object.is(v, e)),
            `${table.name}.${c.name} has ${String(e).slice(0, 20)}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('multi-page column chunks', () => {
  it('a 1.4 MB string column chunk (several data pages, offset index) reads back identically', async () => {
    const table = allTables.find((t) => t.name === 'sendsage_messages')!;
    const rows = generateRows(table, 700).map((r, i) => ({ ...r, body: `${i}:${kb2Ascii}` }));
    const path = await writeRows(table, 'pages', rows);
    const body = describeParquet(new Uint8Array(await readFile(path))).columns.find((c) => c.name === 'body')!;
    expect(body.pages.DATA_PAGE_V2).toBeGreaterThan(1);
    expect(body.chunksWithOffsetIndex).toBe(1);
    await expectBothReadersAgree(table, path, rows);
  });
});

describe('strings that are not valid UTF-16', () => {
  it('a lone surrogate (an emoji cut in half) is stored as U+FFFD on both string paths, read alike', async () => {
    const table = allTables.find((t) => t.name === 'sendsage_seedlist')!;
    for (const distinct of [false, true]) {
      // 50 equal values take the dictionary path, 50 distinct ones the writer's pre-encoded plain path.
      const rows = Array.from({ length: 50 }, (_, i) => ({
        snapshot_time: 0,
        address: distinct ? `cut \ud83d #${i}` : 'cut \ud83d',
        ingested_at: 0,
      }));
      const path = await writeRows(table, distinct ? 'surrogate-plain' : 'surrogate-dict', rows);
      const stored = rows.map((r) => ({ ...r, address: r.address.replace('\ud83d', '\ufffd') }));
      await expectBothReadersAgree(table, path, stored);
    }
  });
});
