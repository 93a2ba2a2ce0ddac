import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnFooter, describeParquet, type FileFooter, formatSummary } from '../../../scripts/parquet-footer';
import { allTables } from '../../../shared/catalog';
import { createParquetWriter, parquetWriterFactory } from '../../../shared/lake/parquet-writer';
import type { Row, TableDef } from '../../../shared/lake/table';
import { generateRows, kb2Ascii } from '../../helpers/table-rows';

// What the README's "What the Parquet files are" says, checked against files the real writer produces, read page
// header by page header.

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-footer-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const table = (name: string): TableDef => allTables.find((t) => t.name === name)!;

async function footerOf(def: TableDef, rows: Row[], rowGroupRows?: number): Promise<FileFooter> {
  const path = join(dir, `${def.name}-${rows.length}-${rowGroupRows ?? 'default'}.parquet`);
  const factory = rowGroupRows === undefined ? createParquetWriter : parquetWriterFactory({ rowGroupRows });
  const writer = await factory(def, path);
  await writer.append(rows);
  await writer.close();
  return describeParquet(new Uint8Array(await readFile(path)));
}

const column = (footer: FileFooter, name: string): ColumnFooter => footer.columns.find((c) => c.name === name)!;

describe('the Parquet files the writer produces', () => {
  it('encodes every boolean column PLAIN, also in chunks of more than 16 values', async () => {
    // Row groups of 128, 128 and 44 values: hyparquet-writer's own choice would be RLE for all three.
    const footer = await footerOf(table('socketlabs_account'), generateRows(table('socketlabs_account'), 300), 128);
    const booleans = footer.columns.filter((c) => c.physicalType === 'BOOLEAN');
    expect(booleans.map((c) => c.name)).toEqual([
      'is_over_allowance',
      'is_over_byte_allowance',
      'is_over_message_allowance',
    ]);
    for (const c of booleans) {
      expect(c.dataPageEncodings, c.name).toEqual(['PLAIN']);
      expect(c.encodings, c.name).toEqual(['PLAIN']);
      expect(c.pages, c.name).toEqual({ DATA_PAGE_V2: 3 });
    }
  });

  it('writes version-2 data pages only, SNAPPY, PLAIN or dictionary values, and the documented types', async () => {
    const def = table('sendsage_campaigns');
    const footer = await footerOf(def, generateRows(def, 300), 128);
    expect(footer.createdBy).toBe('hyparquet');
    // min/max follow each type's own order (signed integers, unsigned bytes for strings).
    expect(footer.columnOrders).toEqual(def.columns.map(() => 'TYPE_DEFINED_ORDER'));
    expect(footer.rowGroups).toBe(3);
    for (const c of footer.columns) {
      expect(Object.keys(c.pages).sort(), c.name).toEqual(
        c.encodings.includes('RLE_DICTIONARY') ? ['DATA_PAGE_V2', 'DICTIONARY_PAGE'] : ['DATA_PAGE_V2'],
      );
      expect(c.codecs, c.name).toEqual(['SNAPPY']);
      expect(['PLAIN', 'RLE_DICTIONARY']).toEqual(expect.arrayContaining(c.dataPageEncodings));
    }
    const types = Object.fromEntries(
      footer.columns.map((c) => [c.name, [c.physicalType, c.repetition, c.logicalType, c.convertedType]]),
    );
    expect(types.sent_at).toEqual(['INT64', 'REQUIRED', 'TIMESTAMP(MILLIS, isAdjustedToUTC=true)', 'TIMESTAMP_MILLIS']);
    expect(types.campaign_id).toEqual(['INT64', 'REQUIRED', null, null]);
    expect(types.seeds_total).toEqual(['INT32', 'OPTIONAL', null, null]);
    expect(types.pct_inbox).toEqual(['DOUBLE', 'OPTIONAL', null, null]);
    expect(types.spam_result).toEqual(['BOOLEAN', 'OPTIONAL', null, null]);
    expect(types.subject).toEqual(['BYTE_ARRAY', 'OPTIONAL', 'STRING', 'UTF8']);
  });

  it('gives every chunk min_value/max_value and null_count statistics, never the legacy min/max', async () => {
    const def = table('socketlabs_messages');
    const footer = await footerOf(def, generateRows(def, 300), 128);
    for (const c of footer.columns) {
      expect(c.statistics, c.name).toEqual(['min_value/max_value', 'null_count']);
    }
  });

  it('writes an offset index only for a chunk of several pages, never a column index or bloom filter', async () => {
    const def = table('sendsage_messages');
    const rows = generateRows(def, 700).map((r, i) => ({ ...r, body: `${i}:${kb2Ascii}` }));
    const footer = await footerOf(def, rows);
    const body = column(footer, 'body');
    expect(body.pages.DATA_PAGE_V2).toBeGreaterThan(1);
    expect(body.chunksWithOffsetIndex).toBe(1);
    for (const c of footer.columns.filter((c) => c.name !== 'body')) {
      expect(c.pages.DATA_PAGE_V2, c.name).toBe(1);
      expect(c.chunksWithOffsetIndex, c.name).toBe(0);
    }
    expect(footer.columns.map((c) => c.chunksWithColumnIndex + c.chunksWithBloomFilter)).toEqual(
      footer.columns.map(() => 0),
    );
  });

  it('writes a zero-row file as a schema and no row group', async () => {
    const def = table('socketlabs_failed');
    const footer = await footerOf(def, []);
    expect([footer.rows, footer.rowGroups]).toEqual([0, 0]);
    expect(footer.columns.map((c) => c.name)).toEqual(def.columns.map((c) => c.name));
  });

  it('summarises files per Parquet type, one Markdown line each', async () => {
    const def = table('socketlabs_account');
    const summary = formatSummary([await footerOf(def, generateRows(def, 40))]);
    const lines = summary.split('\n');
    expect(lines[0]).toBe('1 files, 40 rows, created_by hyparquet, column_orders TYPE_DEFINED_ORDER ×14 of 14 columns');
    expect(lines.find((l) => l.includes('| BOOLEAN |'))).toBe(
      '| 3 columns | BOOLEAN | OPTIONAL | — | DATA_PAGE_V2 ×3 | PLAIN | SNAPPY | min_value/max_value, null_count | ' +
        'offset 0/3, column 0/3, bloom 0/3 |',
    );
  });
});
